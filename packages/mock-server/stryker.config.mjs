// Mutation testing of the mock's Gong rules (`pnpm --filter @gong-engage/mock-server test:mutation`; on demand,
// never part of `pnpm test`). StrykerJS edits src/ one small change at a time (a `<` for a `<=`, a condition to
// `true`, a string to "") and runs the mock's tests against each edit: a mutant that no test notices is a rule
// of Gong's that no test pins down. One module at a time keeps a run short on two cores:
//   pnpm --filter @gong-engage/mock-server test:mutation --mutate src/rate-limiter.ts
// Without --mutate it mutates every rule module below. Reports: reports/mutation/ (HTML and JSON).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  // pnpm does not hoist the runner where Stryker's plugin discovery looks, so it is named explicitly.
  plugins: ["@stryker-mutator/vitest-runner"],
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  mutate: ["src/gong-stages.ts", "src/rate-limiter.ts", "src/faults.ts", "src/oauth-server.ts"],
  coverageAnalysis: "perTest",
  // Two contended cores: one mutant at a time keeps the timeouts honest.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  clearTextReporter: { reportMutants: true, reportTests: false, reportScoreTable: true },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
