// `pnpm test` in this package: the contract suite against the in-process mock (its settings resolved here, once,
// from CONTRACT_* / GONG_* and handed to it with provide), the client against the mock, and the self-checks that
// run the suite against other servers (conforming ones must pass, defective ones must fail).
import { defineConfig } from "vitest/config";
import { reporters } from "../../vitest.shared.js";
import { resolveConfig } from "./src/config.js";

export default defineConfig({
  test: {
    include: ["test/contract/**/*.test.ts", "test/integration/**/*.test.ts", "test/self-check/**/*.test.ts"],
    provide: { contractConfig: resolveConfig({}, process.env) },
    // The self-checks run many suites at once (describe.concurrent): each waits on its own stand-in's pace.
    maxConcurrency: 16,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: reporters(),
  },
});
