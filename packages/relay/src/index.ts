// @gong-engage/relay: durable, multi-tenant delivery of Gong engagement events on Postgres.

export type { EnqueueItem, EnqueueResult, Queryable } from "./enqueue.js";
export type { EnqueueIssue } from "./errors.js";
export {
  EnqueueValidationError,
  RelayDatabaseError,
  RelayError,
  RelayUsageError,
  UnknownTenantError,
} from "./errors.js";
export { RelayMetrics } from "./metrics.js";
export { migrate, SCHEMA_VERSION } from "./migrations.js";
export type { OAuthAppConfig, OAuthGrantInfo, OAuthGrantInput } from "./oauth.js";
export { AUTHORIZATION_NEEDED, oauthAppFromEnv } from "./oauth.js";
export type { TenantStatus } from "./operate.js";
export type { RelayOperation, RelaySpec } from "./operations.js";
export { loadRelaySpec } from "./operations.js";
export type { Decision } from "./outcome.js";
export { decideError, decideResult } from "./outcome.js";
export type { Relay, RelayOptions } from "./relay.js";
export { createRelay } from "./relay.js";
export type { StoreOptions } from "./store.js";
export type { TenantAuth, TenantChanges, TenantInfo, TenantInput, TenantLimits } from "./tenants.js";
export type { RunSummary, WorkerOptions } from "./worker.js";
