// @gong-engage/contract-tests: the contract suite for servers that implement Gong's content-event endpoints.
// Most users run the `gong-contract` command; `runSuite(resolveConfig(flags))` is the same run from code.

export type { Config, Flags, Profile } from "./config.js";
export { ConfigError, resolveConfig } from "./config.js";
export { runSuite } from "./run-suite.js";
