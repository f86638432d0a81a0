// @gong-engage/contract-tests: the contract suite for servers that implement Gong's content-event endpoints.
// Most users run the `gong-contract` command; `runSuite` is the same run from code (settings through the
// CONTRACT_* / GONG_* environment variables, see the README).
export { runSuite } from "./run-suite.js";
export type { RunSuiteOptions } from "./run-suite.js";
