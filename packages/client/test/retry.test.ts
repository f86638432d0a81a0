// The retry policy as a table: which outcome is retried, and after how long.
import { describe, expect, it } from "vitest";
import { decideRetry, interpretConflict, outcomeIsUnknown, retryPolicy } from "../src/retry.js";
import type { AttemptOutcome } from "../src/types.js";

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
    [{ kind: "aborted" } as const, false],
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
    expect(decideRetry({ kind: "timeout" }, 2, policy).retry).toBe(true);
    expect(decideRetry({ kind: "timeout" }, 3, policy).retry).toBe(false);
    expect(decideRetry({ kind: "response", status: 429, retryAfterSeconds: 0 }, 3, policy).retry).toBe(false);
    expect(decideRetry({ kind: "timeout" }, 0, retryPolicy(false)).retry).toBe(false);
  });

  it("a 429 without Retry-After backs off like a 5xx", () => {
    expect(decideRetry({ kind: "response", status: 429 }, 1, policy, noJitter)).toEqual({ retry: true, delayMs: 200 });
  });

  it("a Retry-After of exactly maxDelayMs is waited", () => {
    expect(decideRetry({ kind: "response", status: 429, retryAfterSeconds: 1 }, 0, policy)).toEqual({ retry: true, delayMs: 1_000 });
  });
});

describe("retryPolicy", () => {
  it("defaults to 3 retries, 500 ms first step, 30 s at most; false is no retry", () => {
    expect(retryPolicy(undefined)).toEqual({ maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 });
    expect(retryPolicy({ maxRetries: 0 })).toEqual({ maxRetries: 0, baseDelayMs: 500, maxDelayMs: 30_000 });
    expect(retryPolicy(false)).toEqual({ maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 });
  });

  it("names the bad option and its value", () => {
    expect(() => retryPolicy({ maxRetries: -1 })).toThrow("createEngagementClient: `retry.maxRetries` must be a non-negative integer, got -1.");
    expect(() => retryPolicy({ maxRetries: 1.5 })).toThrow("`retry.maxRetries` must be a non-negative integer, got 1.5.");
    expect(() => retryPolicy({ baseDelayMs: 0.5 })).not.toThrow();
    expect(() => retryPolicy({ maxDelayMs: Number.NaN })).toThrow("`retry.maxDelayMs` must be a non-negative number, got NaN.");
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
    [{ kind: "response", status: 409 } as const, false],
    [{ kind: "response", status: 200 } as const, false],
    [{ kind: "aborted" } as const, true],
  ])("%o -> %s", (outcome, unknown) => {
    expect(outcomeIsUnknown(outcome)).toBe(unknown);
  });
});

describe("interpretConflict: what a 409 means after the attempts before it", () => {
  const unknown: AttemptOutcome[] = [{ kind: "timeout" }, { kind: "network-error", reached: true }, { kind: "response", status: 503 }, { kind: "aborted" }];
  const clear: AttemptOutcome[] = [
    { kind: "response", status: 429 },
    { kind: "network-error", reached: false },
    { kind: "response", status: 400 },
  ];
  it.each([
    [[], "reported-before"],
    ...clear.map((o) => [[o], "reported-before"] as const),
    ...unknown.map((o) => [[o], "landed-earlier"] as const),
    [
      [
        { kind: "response", status: 503 },
        { kind: "response", status: 429 },
      ],
      "landed-earlier",
    ],
    [[{ kind: "response", status: 429 }, { kind: "timeout" }], "landed-earlier"],
    [
      [
        { kind: "response", status: 429 },
        { kind: "network-error", reached: false },
      ],
      "reported-before",
    ],
  ] as Array<[AttemptOutcome[], string]>)("%o -> %s", (earlier, reading) => {
    expect(interpretConflict(earlier)).toBe(reading);
  });
});
