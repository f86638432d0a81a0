import { defineConfig } from "vitest/config";
import { reporters } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    // test/types.test-d.ts (the type-level tests) is not run here: `pnpm typecheck` (tsc, tsconfig.json's
    // include has test/) compiles it, and a failing expectTypeOf or an unused @ts-expect-error is a compile error.
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    reporters: reporters(),
  },
});
