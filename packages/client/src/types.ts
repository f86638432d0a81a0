// The types the client's modules share. A leaf: it imports nothing, so every module can import it and no
// import cycle can form through it (octokit's plugin-retry keeps its `types.ts` the same way).

/** What one attempt (one request) came to. */
export type AttemptOutcome =
  /** Gong answered; `retryAfterSeconds` is a 429's Retry-After, when readable. */
  | { kind: "response"; status: number; retryAfterSeconds?: number | undefined }
  /** `reached`: false when the request certainly never reached the server (connection refused, DNS failure). */
  | { kind: "network-error"; reached: boolean }
  /** No answer within `timeoutMs`. */
  | { kind: "timeout" }
  /** The caller's signal aborted while the request was out. */
  | { kind: "aborted" };

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/**
 * What a 409 ("already reported") means, read from the attempts before it: `landed-earlier` when one of them had
 * an unknown outcome (that attempt recorded the event), `reported-before` when none had (the event was in Gong
 * before this call: the caller sent a duplicate).
 */
export type ConflictReading = "landed-earlier" | "reported-before";

export interface RetryOptions {
  /** How many times a failed attempt is retried. @default 3 (so at most 4 requests) */
  maxRetries?: number;
  /** The longest wait between attempts, Retry-After included, in ms. @default 30_000 */
  maxDelayMs?: number;
  /** The first back-off step, in ms. @default 500 */
  baseDelayMs?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  maxDelayMs: number;
  baseDelayMs: number;
}

/** `rateLimit` of createEngagementClient. */
export interface RateLimitOptions {
  /** Calls per second per credential; 0: no per-second limit. @default 3 (Gong's, from the spec's x-gong-rate-limits) */
  perSecond?: number;
  /** Calls per UTC day per credential; 0: no daily limit. @default 10_000 (Gong's, from the spec) */
  perDay?: number;
  /** The longest a call may wait for its turn before it is refused with QUOTA_EXHAUSTED, in ms. @default retry.maxDelayMs (30_000) */
  maxWaitMs?: number;
}

export interface CallOptions {
  /** Aborts the call, including its retries and waits; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface RetryInfo {
  /** The operation, e.g. `reportContentShared`. */
  operationId: string;
  /** The attempt that failed (1 = the first request). */
  attempt: number;
  /** What happened: an HTTP status, "timeout" or "network-error". */
  reason: number | "timeout" | "network-error";
  /** How long the client waits before the next attempt, in ms. */
  delayMs: number;
}

/** One field of an event that fails the spec's request schema. */
export interface ValidationIssue {
  /** Where, as a path into the event: `recipients[0].email`, or `(event)` for the event itself. */
  field: string;
  /** What is wrong: `is required`, `must be one of: Salesforce, HubSpot, ...`. */
  problem: string;
}
