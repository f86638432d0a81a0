// @gong-engage/client: the typed client for Gong's engagement events, one method per operation of the spec.

export type { AccessKeyAuth, BearerAuth, GongAuth } from "./auth.js";
export type { CallOptions, EngagementClient, EngagementClientOptions, OperationMethods, RetryInfo } from "./client.js";
export { createEngagementClient } from "./client.js";
export type { GongErrorCode, ValidationIssue } from "./errors.js";
export { GongApiError, GongValidationError } from "./errors.js";
export type { components, operations, paths } from "./generated/openapi.js";
// OperationId, EventOf<OperationId> and a named type for each request schema (ContentSharedEvent, ...).
export type * from "./generated/operations.js";
export type { AuthorizeUrlParams, GongOAuthApp, GongOAuthErrorCode, GongTokenSet, OAuthAppOptions, OAuthGrant } from "./oauth.js";
export { createOAuthApp, GongAuthorizationRequiredError, GongOAuthError, GongTokens } from "./oauth.js";
export type { AliasOf, OperationName, ReportResult } from "./operations.js";
export type { Permit, Reservation } from "./pacing.js";
export { GONG_RATE_LIMITS, Pacer } from "./pacing.js";
export type { ReportManyItem, ReportManyOptions, ReportManyProgress, ReportOutcome } from "./report-many.js";
export type { GongAccess, GongTokenSource, RenewingAuth, RenewingAuthOptions } from "./token-source.js";
export { createRenewingAuth, TokenStoreError } from "./token-source.js";
export type { RateLimitOptions, RetryOptions } from "./types.js";
export { validateEvent } from "./validation.js";
