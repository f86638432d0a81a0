// The test run StrykerJS uses for each mutant (`pnpm test:mutation`): the package's behaviour tests, without
// the type-level tests (a mutant cannot change a type) and without the shared reporters' files (Stryker runs
// in a sandbox copy of this package, where ../../vitest.shared.ts is not there).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/portability.test.ts"], // bundles src/ for the browser: no behaviour a mutant can change
    // The 100,000-event memory test takes seconds per run (minutes per mutant under Stryker's instrumentation);
    // what it pins down for a mutant, reading ahead no more than `concurrency`, another test of reportMany pins too.
    testNamePattern: /^(?!.*memory stays bounded)/,
    testTimeout: 20_000,
  },
});
