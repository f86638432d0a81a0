import { defineConfig } from "vitest/config";
import { reporters } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    // test/types.test-d.ts (the type-level tests) is not run here: `pnpm typecheck` (tsc, tsconfig.json's
    // include has test/) compiles it, and a failing expectTypeOf or an unused @ts-expect-error is a compile error.
    include: ["test/**/*.test.ts"],
    // Two files at once (vitest's default on 2 cores is one): several wait on real timers (timeouts, Retry-After),
    // not on the CPU. One module registry per worker: the files build their own clients and servers, and a fresh
    // import per file was a quarter of the package's CPU.
    maxWorkers: 2,
    isolate: false,
    testTimeout: 20_000,
    // Hooks start local servers: seconds on a busy 2-core machine beside the other packages' tests, not vitest's 10 s.
    hookTimeout: 60_000,
    reporters: reporters(),
  },
});
