import { defineConfig } from "vitest/config";
import { reporters } from "../../vitest.shared.js";

// The scenario files mostly wait on Gong's pacing (3 calls/s per tenant), not on the CPU: they run side by
// side. One Postgres (test/global-setup.ts) serves them all, a database per scenario.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    maxWorkers: 6,
    fileParallelism: true,
    reporters: reporters(),
  },
});
