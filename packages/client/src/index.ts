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
export type { RetryOptions } from "./retry.js";
export type { RateLimitOptions } from "./pacing.js";
export { GONG_RATE_LIMITS } from "./pacing.js";
export type { ReportManyItem, ReportManyOptions, ReportManyProgress, ReportOutcome } from "./report-many.js";
export type { components, paths, operations } from "./generated/openapi.js";
export { createOAuthApp, GongAuthorizationRequiredError, GongOAuthError, GongTokens } from "./oauth.js";
export type { AuthorizeUrlParams, GongOAuthApp, GongOAuthErrorCode, GongTokenSet, OAuthAppOptions, OAuthGrant } from "./oauth.js";
export { createRenewingAuth, TokenStoreError } from "./token-source.js";
export type { GongAccess, GongTokenSource, RenewingAuth, RenewingAuthOptions } from "./token-source.js";
