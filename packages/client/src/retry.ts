// The retry policy, in one place: which outcomes are retried and how long to wait before the next attempt.
//   429                 -> wait Retry-After seconds; without the header, back off. A Retry-After longer than
//                          maxDelayMs is not retried at all (a retry sooner would only get another 429)
//   500, 502, 503, 504  -> back off
//   network error       -> back off
//   timeout             -> back off
//   anything else       -> no retry (400 and 401 never succeed on a resend; 409 is handled by the caller)
// Back-off is exponential from baseDelayMs, capped by maxDelayMs, with jitter (half fixed, half random), so
// that clients that failed together do not retry together.

export interface RetryOptions {
  /** How many times a failed attempt is retried. Default 3 (so at most 4 requests). */
  maxRetries?: number;
  /** The longest wait between attempts, Retry-After included. Default 30,000 ms. */
  maxDelayMs?: number;
  /** The first back-off step. Default 500 ms. */
  baseDelayMs?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  maxDelayMs: number;
  baseDelayMs: number;
}

export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfterSeconds?: number | undefined }
  /** `reached`: false when the request certainly never reached the server (connection refused, DNS failure). */
  | { kind: "network-error"; reached: boolean }
  | { kind: "timeout" };

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { maxRetries: 0, maxDelayMs: 0, baseDelayMs: 0 };
  const policy = {
    maxRetries: options?.maxRetries ?? 3,
    maxDelayMs: options?.maxDelayMs ?? 30_000,
    baseDelayMs: options?.baseDelayMs ?? 500,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0 || (name === "maxRetries" && !Number.isInteger(value))) {
      throw new TypeError(`createEngagementClient: \`retry.${name}\` must be a non-negative ${name === "maxRetries" ? "integer" : "number"}.`);
    }
  }
  return policy;
}

/**
 * An outcome whose effect on Gong is unknown: the event may have been recorded (a timeout, a reset or lost
 * response, a 5xx). A refused connection or a failed DNS lookup never reached Gong; a 4xx was answered.
 */
export function outcomeIsUnknown(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "network-error") return outcome.reached;
  return outcome.kind === "timeout" || RETRYABLE_STATUSES.has(outcome.status);
}

export function decideRetry(
  outcome: AttemptOutcome,
  retriesDone: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (retriesDone >= policy.maxRetries) return { retry: false };
  if (outcome.kind === "response") {
    if (outcome.status === 429) {
      if (outcome.retryAfterSeconds !== undefined) {
        const delayMs = outcome.retryAfterSeconds * 1000;
        return delayMs > policy.maxDelayMs ? { retry: false } : { retry: true, delayMs };
      }
      return { retry: true, delayMs: backoff(retriesDone, policy, random) };
    }
    if (!RETRYABLE_STATUSES.has(outcome.status)) return { retry: false };
  }
  return { retry: true, delayMs: backoff(retriesDone, policy, random) };
}

function backoff(retriesDone: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retriesDone);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as Gong sends it (integer seconds); an HTTP date is accepted too. Undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
