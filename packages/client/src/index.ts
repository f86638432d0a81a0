// @gong-engage/client: the typed client for Gong's content-shared / content-viewed events.
export { createEngagementClient } from "./client.js";
export type {
  CallOptions,
  ContentSharedEvent,
  ContentViewedEvent,
  EngagementClient,
  EngagementClientOptions,
  ReportResult,
  RetryInfo,
} from "./client.js";
export type { AccessKeyAuth, BearerAuth, GongAuth } from "./auth.js";
export { GongApiError, GongValidationError } from "./errors.js";
export { validateEvent } from "./validation.js";
export type { OperationId } from "./validation.js";
export type { GongErrorCode, ValidationIssue } from "./errors.js";
export type { RateLimitOptions, RetryOptions } from "./types.js";
export { GONG_RATE_LIMITS } from "./pacing.js";
export type { ReportManyItem, ReportManyOptions, ReportManyProgress, ReportOutcome } from "./report-many.js";
export type { components, paths, operations } from "./generated/openapi.js";
