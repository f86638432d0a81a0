// What one send's result means for the event and its tenant: a pure decision, readable as a table (tested as
// one). The worker carries it out in the database (worker.ts).
//
//   Gong's answer                     event                              tenant
//   2xx                               accepted (with Gong's id)          -
//   409                               already reported (it is in Gong)   -
//   429                               back to the queue, not a failure   paused for Retry-After
//   401, 403                          back to the queue (kept)           paused, with Gong's reason
//   OAuth: 401, token renewed         back to the queue, one attempt     - (the resend takes its own paced turn)
//   OAuth: refresh refused            back to the queue (kept)           paused: "authorization needed"
//   (invalid_grant), no app to renew
//   OAuth: token endpoint unreachable retried with backoff (nothing sent)  -
//   other 4xx, invalid by the spec    refused, with Gong's errors        -
//   5xx, timeout, reset, lost answer  retried with backoff; after        -
//                                     maxAttempts, dead-lettered with
//                                     mayHaveLanded
import { GongApiError, GongValidationError } from "@gong-engage/client";

export type Decision =
  | { kind: "accepted"; resultId: string | undefined; requestId: string | undefined; status: number }
  | { kind: "already-reported"; requestId: string | undefined }
  | { kind: "refused"; status: number | undefined; reason: string; errors: string[] }
  | { kind: "rate-limited"; retryAfterSeconds: number; errors: string[] }
  | { kind: "credentials-refused"; status: number; reason: string }
  | { kind: "renewed"; errors: string[] }
  | { kind: "transient"; status: number | undefined; reason: string; errors: string[]; mayHaveLanded: boolean };

/** Used when a 429 carries no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function decideResult(result: Record<string, unknown>, resultIdField: string | undefined): Decision {
  if (result.alreadyReported === true) return { kind: "already-reported", requestId: text(result.requestId) };
  const id = resultIdField ? result[resultIdField] : undefined;
  return { kind: "accepted", resultId: id === undefined || id === null ? undefined : String(id), requestId: text(result.requestId), status: 200 };
}

export function decideError(error: unknown): Decision {
  if (error instanceof GongValidationError) {
    return { kind: "refused", status: undefined, reason: "invalid", errors: error.issues.map((i) => `${i.field}: ${i.problem}`) };
  }
  if (!(error instanceof GongApiError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "transient", status: undefined, reason: "error", errors: [message], mayHaveLanded: true };
  }
  switch (error.code) {
    case "TIMEOUT":
      return { kind: "transient", status: undefined, reason: "timeout", errors: error.errors, mayHaveLanded: error.mayHaveLanded };
    case "NETWORK_ERROR":
      return { kind: "transient", status: undefined, reason: "network-error", errors: error.errors, mayHaveLanded: error.mayHaveLanded };
    case "QUOTA_EXHAUSTED":
      return { kind: "rate-limited", retryAfterSeconds: error.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS, errors: error.errors };
    case "INVALID_RESPONSE":
      // Gong answered 2xx: it has the event, only its answer is unreadable. Never resend it.
      return { kind: "accepted", resultId: undefined, requestId: error.requestId, status: error.status ?? 200 };
    case "VALIDATION_FAILED":
      return { kind: "refused", status: undefined, reason: "invalid", errors: error.errors };
    case "AUTHORIZATION_REQUIRED": {
      // The OAuth grant's refresh was refused (or cannot be made): only the customer's admin can fix it.
      const detail = error.errors.join("; ");
      return { kind: "credentials-refused", status: 0, reason: detail.startsWith("authorization needed") ? detail : `authorization needed: ${detail}` };
    }
    case "TOKEN_UNAVAILABLE":
      if (error.cause instanceof RenewedAfterRejection) return { kind: "renewed", errors: error.errors };
      return { kind: "transient", status: undefined, reason: "token-unavailable", errors: error.errors, mayHaveLanded: error.mayHaveLanded };
    case "HTTP_ERROR":
      break;
  }
  const status = error.status ?? 0;
  if (status === 409) return { kind: "already-reported", requestId: error.requestId };
  if (status === 429) return { kind: "rate-limited", retryAfterSeconds: error.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS, errors: error.errors };
  if (status === 401 || status === 403) {
    return { kind: "credentials-refused", status, reason: `Gong answered ${status}${error.errors.length ? `: ${error.errors.join("; ")}` : ""}` };
  }
  if (status >= 400 && status < 500) return { kind: "refused", status, reason: String(status), errors: error.errors };
  return { kind: "transient", status, reason: String(status), errors: error.errors, mayHaveLanded: error.mayHaveLanded };
}

/**
 * Thrown by a relay's OAuth token source after Gong answered 401 and the token was renewed: the client then sends
 * nothing more in this call, so that the resend takes a paced turn of its own (the 401 was a call too, within
 * Gong's 3 per second). The event goes back to the queue at once, counted as one of its attempts.
 */
export class RenewedAfterRejection extends Error {
  constructor() {
    super("Gong answered 401; the OAuth token was renewed, and the event is sent again in its next paced turn");
    this.name = "RenewedAfterRejection";
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
