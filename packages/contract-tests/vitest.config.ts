// `pnpm test` in this package: the contract suite against the in-process mock (its settings resolved here, once,
// from CONTRACT_* / GONG_* and handed to it with provide), the client against the mock, and the self-checks that
// run the suite against other servers (conforming ones must pass, defective ones must fail).
import { defineConfig } from "vitest/config";
import { longestFirst, reporters } from "../../vitest.shared.js";
import { resolveConfig } from "./src/config.js";

export default defineConfig({
  test: {
    include: ["test/contract/**/*.test.ts", "test/integration/**/*.test.ts", "test/self-check/**/*.test.ts"],
    provide: { contractConfig: resolveConfig({}, process.env) },
    // Most of these files wait on a server's pace, not on the CPU: two files at once even on two cores, and
    // within the self-checks many suites at once (describe.concurrent), each at its own stand-in's pace. The
    // files share their workers' imports (the mock, Prism): nothing here depends on a fresh module state.
    maxWorkers: 2,
    isolate: false,
    maxConcurrency: 32,
    // The workspace packages the tests use (built JavaScript) load as Node (and a user's app) loads them, not
    // through vite's transform: the client's compiled validators are Ajv standalone code importing Ajv's CommonJS
    // runtime helpers, whose default export vite's interop reads differently; and Node's own loader costs each
    // worker less CPU than transforming the mock and the spec model file by file.
    server: { deps: { external: [/[\\/]packages[\\/](client|mock-server|spec-model)[\\/]dist[\\/]/] } },
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The long scenarios start first (vitest's own order needs the results cache a fresh clone lacks).
    sequence: {
      sequencer: longestFirst(import.meta.dirname, [
        "test/self-check/suite-in-process.test.ts",
        "test/self-check/cli.test.ts",
        "test/contract/contract.test.ts",
        "test/integration/validation-agreement.test.ts",
      ]),
    },
    reporters: reporters(),
  },
});
