// @gong-engage/mock-server: a local Gong on Prism, for development and tests.

export type { AcceptedCredentials } from "./auth.js";
export { MockConfigError } from "./config-error.js";
export type { FaultRule, FaultScenario } from "./faults.js";
export { FaultScenarioError, parseFaultRule } from "./faults.js";
export type { MockOAuthClient, MockOAuthOptions } from "./oauth-server.js";
export type { JournalEntry, MockServer, MockServerOptions, ViolationRecord } from "./server.js";
export { DEFAULTS, startMockServer } from "./server.js";
