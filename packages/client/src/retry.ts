// The policy after each attempt, in one place, as pure functions (a table tests each):
//   decideRetry        whether to try again and how long to wait first
//   interpretConflict  what Gong's 409 ("already reported") means after the attempts before it
//   outcomeIsUnknown   whether an attempt may have recorded the event although it failed
// The retry rules:
//   429                 -> wait Retry-After seconds; without the header, back off. A Retry-After longer than
//                          maxDelayMs is not retried at all (a retry sooner would only get another 429)
//   5xx but 501 and 505 -> back off (500, 502, 503, 504, and a proxy's 52x: the request may have been processed)
//   network error       -> back off
//   timeout             -> back off
//   the caller's abort  -> no retry (the caller wants the call to stop)
//   anything else       -> no retry (400 and 401 never succeed on a resend; 409 is read by interpretConflict)
// Back-off is exponential from baseDelayMs, capped by maxDelayMs, with jitter (half fixed, half random), so
// that clients that failed together do not retry together.
import type { AttemptOutcome, ConflictReading, RetryDecision, RetryOptions, RetryPolicy } from "./types.js";

/** A 5xx after which the request may have been processed and a resend may succeed: all but 501 and 505 (never supported). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { maxRetries: 0, maxDelayMs: 0, baseDelayMs: 0 };
  const policy = {
    maxRetries: options?.maxRetries ?? 3,
    maxDelayMs: options?.maxDelayMs ?? 30_000,
    baseDelayMs: options?.baseDelayMs ?? 500,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0 || (name === "maxRetries" && !Number.isInteger(value))) {
      throw new TypeError(
        `createEngagementClient: \`retry.${name}\` must be a non-negative ${name === "maxRetries" ? "integer" : "number"}, got ${String(value)}.`,
      );
    }
  }
  return policy;
}

/**
 * An outcome whose effect on Gong is unknown: the event may have been recorded (a timeout, a reset or lost
 * response, a 5xx, an abort while the request was out). A refused connection or a failed DNS lookup never
 * reached Gong; a 4xx was answered.
 */
export function outcomeIsUnknown(outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case "network-error":
      return outcome.reached;
    case "response":
      return isRetryableStatus(outcome.status);
    default:
      return true;
  }
}

/** Gong's 409, read from the outcomes of the attempts before it (this call's, and earlier calls' for the same event). */
export function interpretConflict(earlier: readonly AttemptOutcome[]): ConflictReading {
  return earlier.some(outcomeIsUnknown) ? "landed-earlier" : "reported-before";
}

export function decideRetry(outcome: AttemptOutcome, retriesDone: number, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  if (retriesDone >= policy.maxRetries || outcome.kind === "aborted") return { retry: false };
  if (outcome.kind === "response") {
    if (outcome.status === 429) {
      if (outcome.retryAfterSeconds !== undefined) {
        const delayMs = outcome.retryAfterSeconds * 1000;
        return delayMs > policy.maxDelayMs ? { retry: false } : { retry: true, delayMs };
      }
    } else if (!isRetryableStatus(outcome.status)) {
      return { retry: false };
    }
  }
  return { retry: true, delayMs: backoff(retriesDone, policy, random) };
}

function backoff(retriesDone: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retriesDone);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
