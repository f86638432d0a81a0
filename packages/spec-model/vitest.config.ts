import { defineConfig } from "vitest/config";
import { reporters } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One module registry per worker: these files load pure functions and fixture specs, so a fresh import per file
    // only costs start-up time (about half this package's CPU). The one test about import-time effects resets the
    // registry itself.
    isolate: false,
    testTimeout: 20_000,
    reporters: reporters(),
  },
});
