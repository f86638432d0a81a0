// @gong-engage/relay: durable, multi-tenant delivery of Gong engagement events on Postgres.
export { createRelay } from "./relay.js";
export type { Relay, RelayOptions } from "./relay.js";
export type { EnqueueItem, EnqueueResult, Queryable } from "./enqueue.js";
export type { TenantInput, TenantChanges, TenantInfo, TenantLimits } from "./tenants.js";
export type { WorkerOptions, RunSummary } from "./worker.js";
export type { TenantStatus } from "./operate.js";
export type { StoreOptions } from "./store.js";
export { RelayMetrics } from "./metrics.js";
export { migrate, SCHEMA_VERSION } from "./migrations.js";
export { loadRelaySpec } from "./operations.js";
export type { RelayOperation, RelaySpec } from "./operations.js";
export { decideError, decideResult } from "./outcome.js";
export type { Decision } from "./outcome.js";
export {
  EnqueueValidationError,
  RelayDatabaseError,
  RelayError,
  RelayUsageError,
  UnknownTenantError,
} from "./errors.js";
export type { EnqueueIssue } from "./errors.js";
