import { defineConfig } from "vitest/config";
import { longestFirst, reporters } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // beforeAll starts mocks (Prism's first load in a worker): seconds on a busy 2-core machine, not vitest's 10 s.
    hookTimeout: 60_000,
    // The test files share their worker's modules: Prism, the spec model and src/ are loaded once per worker, not
    // once per file (eleven loads were a third of this suite's time). Nothing relies on a fresh module state: each
    // file starts its own mocks on port 0, and the one test that fakes the clock restores it after each test.
    isolate: false,
    // Two workers, one load each: the CLI and --watch files wait mostly on other processes, so the rest runs beside them.
    maxWorkers: 2,
    // The long scenarios start first (vitest's own order needs the results cache a fresh clone lacks).
    sequence: {
      sequencer: longestFirst(import.meta.dirname, [
        "test/cli.test.ts",
        "test/watch.test.ts",
        "test/extra-operation.test.ts",
        "test/oauth-server.test.ts",
        "test/faults.test.ts",
      ]),
    },
    reporters: reporters(),
  },
});
