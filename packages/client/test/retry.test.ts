// The retry policy as a table: which outcome is retried, and after how long.
import { describe, expect, it } from "vitest";
import { decideRetry, outcomeIsUnknown, parseRetryAfter, retryPolicy } from "../src/retry.js";

const policy = retryPolicy({ maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000 });
const noJitter = () => 1;

describe("decideRetry", () => {
  it.each([
    [{ kind: "response", status: 400 } as const, false],
    [{ kind: "response", status: 401 } as const, false],
    [{ kind: "response", status: 409 } as const, false],
    [{ kind: "response", status: 404 } as const, false],
    [{ kind: "response", status: 501 } as const, false],
    [{ kind: "response", status: 500 } as const, true],
    [{ kind: "response", status: 502 } as const, true],
    [{ kind: "response", status: 503 } as const, true],
    [{ kind: "response", status: 504 } as const, true],
    [{ kind: "response", status: 429 } as const, true],
    [{ kind: "network-error", reached: true } as const, true],
    [{ kind: "network-error", reached: false } as const, true],
    [{ kind: "timeout" } as const, true],
  ])("%o -> retry %s", (outcome, retry) => {
    expect(decideRetry(outcome, 0, policy, noJitter).retry).toBe(retry);
  });

  it("waits Retry-After; one longer than maxDelayMs is not retried (the daily limit's 10083 s, say)", () => {
    expect(decideRetry({ kind: "response", status: 429, retryAfterSeconds: 0 }, 0, policy)).toEqual({ retry: true, delayMs: 0 });
    expect(decideRetry({ kind: "response", status: 429, retryAfterSeconds: 1 }, 0, policy)).toEqual({ retry: true, delayMs: 1_000 });
    expect(decideRetry({ kind: "response", status: 429, retryAfterSeconds: 7 }, 0, policy)).toEqual({ retry: false });
    expect(decideRetry({ kind: "response", status: 429, retryAfterSeconds: 10_083 }, 0, retryPolicy({}))).toEqual({ retry: false });
  });

  it("backs off exponentially, capped, with jitter in the upper half", () => {
    const delays = [0, 1, 2, 3].map((n) => (decideRetry({ kind: "timeout" }, n, { ...policy, maxRetries: 9 }, noJitter) as { delayMs: number }).delayMs);
    expect(delays).toEqual([100, 200, 400, 800]);
    expect((decideRetry({ kind: "timeout" }, 5, { ...policy, maxRetries: 9 }, noJitter) as { delayMs: number }).delayMs).toBe(1_000);
    expect((decideRetry({ kind: "timeout" }, 0, policy, () => 0) as { delayMs: number }).delayMs).toBe(50);
  });

  it("stops after maxRetries", () => {
    expect(decideRetry({ kind: "timeout" }, 3, policy).retry).toBe(false);
    expect(decideRetry({ kind: "timeout" }, 0, retryPolicy(false)).retry).toBe(false);
  });
});

describe("outcomeIsUnknown: may the event have landed?", () => {
  it.each([
    [{ kind: "timeout" } as const, true],
    [{ kind: "network-error", reached: true } as const, true],
    [{ kind: "network-error", reached: false } as const, false],
    [{ kind: "response", status: 503 } as const, true],
    [{ kind: "response", status: 500 } as const, true],
    [{ kind: "response", status: 429 } as const, false],
    [{ kind: "response", status: 400 } as const, false],
    [{ kind: "response", status: 401 } as const, false],
  ])("%o -> %s", (outcome, unknown) => {
    expect(outcomeIsUnknown(outcome)).toBe(unknown);
  });
});

describe("parseRetryAfter", () => {
  it("reads integer seconds and HTTP dates, ignores junk", () => {
    expect(parseRetryAfter("3")).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
  });
});
