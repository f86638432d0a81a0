import { defineConfig } from "vitest/config";
import { reporters } from "../vitest.shared.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One module registry per worker: the files read the bundle and diff fixture documents, nothing keeps state
    // between them, and a fresh import per file was a fifth of this package's CPU.
    isolate: false,
    reporters: reporters(),
  },
});
