// `pnpm test` in this package: the contract suite against the in-process mock, plus the self-checks that run
// the suite against other servers (a conforming one must pass, defective ones must fail).
import { defineConfig } from "vitest/config";
import { reporters } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    include: ["test/contract/**/*.test.ts", "test/integration/**/*.test.ts", "test/self-check/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: reporters(),
  },
});
