// @gong-engage/mock-server: a local Gong on Prism, for development and tests.
export { startMockServer, DEFAULTS } from "./server.js";
export type { JournalEntry, MockServer, MockServerOptions } from "./server.js";
export type { AcceptedCredentials } from "./auth.js";
