// @gong-engage/mock-server: a local Gong on Prism, for development and tests.
export { startMockServer, DEFAULTS } from "./server.js";
export type { JournalEntry, MockServer, MockServerOptions, ViolationRecord } from "./server.js";
export type { AcceptedCredentials } from "./auth.js";
export { MockConfigError } from "./config-error.js";
export { FaultScenarioError, parseFaultRule } from "./faults.js";
export type { FaultRule, FaultScenario } from "./faults.js";
export type { MockOAuthClient, MockOAuthOptions } from "./oauth-server.js";
