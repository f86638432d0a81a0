import { defineConfig } from "vitest/config";
import { longestFirst, reporters } from "../../vitest.shared.js";

// The scenario files mostly wait on Gong's pacing (3 calls/s per tenant), not on the CPU: they run side by side.
// One Postgres (test/global-setup.ts) serves them all, a database per scenario. The test processes are reused
// from one file to the next (isolate: false): the mock, pg and the relay's modules load once per process, not once
// per file; nothing in the files relies on a fresh module state (helpers.ts tracks what each file started, and
// setup.ts stops it when the file ends).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    isolate: false,
    maxWorkers: 4,
    fileParallelism: true,
    // The long scenarios start first (vitest's own order needs the results cache a fresh clone lacks).
    sequence: {
      sequencer: longestFirst(import.meta.dirname, [
        "test/zero-setup.test.ts",
        "test/oauth.test.ts",
        "test/crashes.test.ts",
        "test/workers.test.ts",
        "test/bad-input.test.ts",
        "test/limits.test.ts",
      ]),
    },
    reporters: reporters(),
  },
});
