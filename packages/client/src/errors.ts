// The errors the client rejects with. One base class, GongApiError, carries what a caller needs to act on a
// failure (status, Gong's requestId, Gong's messages, Retry-After) and never any credential.
import type { ValidationIssue } from "./types.js";

export type { ValidationIssue } from "./types.js";

/** Why a call failed. */
export type GongErrorCode =
  /** Gong answered with an HTTP error status (see `status`). */
  | "HTTP_ERROR"
  /** The event failed validation against the spec; nothing was sent (see `issues`). */
  | "VALIDATION_FAILED"
  /** No response arrived within `timeoutMs`, on every attempt. */
  | "TIMEOUT"
  /** The request could not be sent or its response could not be read (DNS, connection reset, ...). */
  | "NETWORK_ERROR"
  /** Gong answered 200 with a body the client cannot read (not the documented JSON). */
  | "INVALID_RESPONSE"
  /**
   * Nothing was sent: the client's pacing (Gong's 3 calls/s and 10,000 calls/day, or a Retry-After Gong gave)
   * would make this call wait longer than allowed. `retryAfter` says in how many seconds a call is allowed.
   */
  | "QUOTA_EXHAUSTED"
  /** OAuth (a token source as `auth`): the refresh was refused (`invalid_grant`); the customer must authorize the app again. Not sent. */
  | "AUTHORIZATION_REQUIRED"
  /** OAuth (a token source as `auth`): no access token could be had now (token endpoint unreachable, 5xx, 429; `cause` says). Not sent. */
  | "TOKEN_UNAVAILABLE";

export interface GongApiErrorInit {
  code: GongErrorCode;
  operationId: string;
  status?: number | undefined;
  requestId?: string | undefined;
  errors?: string[] | undefined;
  retryAfter?: number | undefined;
  attempts?: number;
  mayHaveLanded?: boolean;
  /** QUOTA_EXHAUSTED: which limit, for the message ("3 calls per second", "Retry-After", ...). */
  limit?: string | undefined;
  cause?: unknown;
}

export class GongApiError extends Error {
  override readonly name: string = "GongApiError";
  readonly code: GongErrorCode;
  /** The operation that failed, by its operationId (e.g. `reportContentShared`). */
  readonly operationId: string;
  /** The HTTP status of Gong's last answer; undefined when no answer arrived (timeout, network error) or nothing was sent. */
  readonly status: number | undefined;
  /** Gong's request reference, for Gong's support. */
  readonly requestId: string | undefined;
  /** Gong's error messages (or, for VALIDATION_FAILED, one message per failing field). */
  readonly errors: string[];
  /** For 429: the seconds Gong asked to wait (its Retry-After header). */
  readonly retryAfter: number | undefined;
  /** How many requests were sent (0 when validation failed before sending). */
  readonly attempts: number;
  /**
   * True when the event may be in Gong although the call failed: some attempt's outcome was unknown (a timeout,
   * a reset connection or lost response, a 5xx, an abort while the request was out); resending it with the same
   * eventId is safe, and a 409 then means it had landed. Also true for INVALID_RESPONSE: Gong answered 200, so
   * the event is recorded (do not resend it). False when no attempt of this call can have recorded it: every
   * one was refused (a 4xx; a 409 says it was in Gong already) or never reached Gong.
   */
  readonly mayHaveLanded: boolean;

  constructor(init: GongApiErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.operationId = init.operationId;
    this.status = init.status;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter;
    this.attempts = init.attempts ?? 0;
    this.mayHaveLanded = init.mayHaveLanded ?? false;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      operationId: this.operationId,
      status: this.status,
      requestId: this.requestId,
      errors: this.errors,
      retryAfter: this.retryAfter,
      attempts: this.attempts,
      mayHaveLanded: this.mayHaveLanded,
    };
  }
}

/** The event does not match the spec's request schema. Nothing was sent. */
export class GongValidationError extends GongApiError {
  override readonly name = "GongValidationError";
  readonly issues: ValidationIssue[];

  constructor(operationId: string, issues: ValidationIssue[]) {
    super({
      code: "VALIDATION_FAILED",
      operationId,
      errors: issues.map((i) => `${i.field}: ${i.problem}`),
    });
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

function describe(init: GongApiErrorInit): string {
  const errors = init.errors?.length ? `: ${init.errors.join("; ")}` : "";
  const requestId = init.requestId ? ` (requestId ${init.requestId})` : "";
  const attempts = init.attempts && init.attempts > 1 ? ` after ${init.attempts} attempts` : "";
  const landed = init.mayHaveLanded ? " (the event may have been recorded: resend it with the same eventId; a 409 then means it was)" : "";
  switch (init.code) {
    case "VALIDATION_FAILED":
      return `${init.operationId}: the event is not valid, nothing was sent${errors}`;
    case "TIMEOUT":
      return `${init.operationId}: no response from Gong in time${attempts}${errors}${landed}`;
    case "NETWORK_ERROR":
      return `${init.operationId}: could not reach Gong${attempts}${errors}${landed}`;
    case "QUOTA_EXHAUSTED":
      return `${init.operationId}: not sent: ${init.limit ?? "the rate limit"} allows the next call in ${init.retryAfter ?? "?"}s, longer than the client may wait${landed}`;
    case "AUTHORIZATION_REQUIRED":
    case "TOKEN_UNAVAILABLE":
      return `${init.operationId}: not sent: no access token${errors}${landed}`;
    case "INVALID_RESPONSE":
      // Gong accepted the event (a 2xx): it is recorded, and a resend would only be refused as a duplicate.
      return `${init.operationId}: Gong answered ${init.status}${requestId}, so the event is recorded, but with an unreadable body${errors}; do not resend it`;
    case "HTTP_ERROR": {
      // Gong's own message may already say when to retry: say it once.
      const saysWhen = init.errors?.some((e) => /retry.after/i.test(e));
      const wait = init.retryAfter !== undefined && !saysWhen ? `, retry after ${init.retryAfter}s` : "";
      return `${init.operationId}: Gong answered ${init.status}${requestId}${attempts}${wait}${errors}${landed}`;
    }
  }
}
