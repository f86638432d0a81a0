// Mutation testing of the client (`pnpm test:mutation`, on demand and in the scheduled CI job; never part of
// `pnpm test`). StrykerJS changes the code of src/ one small edit at a time (a `<` for a `<=`, a condition to
// `true`, a string to "") and runs the tests against each: a mutant that no test notices is a behaviour no test
// pins down. Prints the score per file and every surviving mutant; the HTML and JSON reports go to
// reports/mutation/.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  // pnpm does not hoist the runner where Stryker's plugin discovery looks, so it is named explicitly.
  plugins: ["@stryker-mutator/vitest-runner"],
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  mutate: ["src/**/*.ts", "!src/generated/**", "!src/index.ts"],
  coverageAnalysis: "perTest",
  // Two contended cores: one mutant at a time keeps the timing-based timeouts honest.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  clearTextReporter: { reportMutants: false, reportTests: false, reportScoreTable: true },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  cleanTempDir: "always",
};
