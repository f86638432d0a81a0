// Gong's rate limits as the mock applies them, on an injected clock (no real time passes).
import { describe, expect, it } from "vitest";
import { MAX_PRINCIPALS, RateLimiter } from "../src/rate-limiter.js";

const DAY = 86_400_000;
const noon = Date.UTC(2026, 10, 26, 12, 0, 0);

describe("RateLimiter", () => {
  it("allows perSecond calls in any 1-second window, then refuses with the whole seconds until the oldest leaves it", () => {
    const limiter = new RateLimiter({ perSecond: 3, perDay: 0 });
    expect([0, 100, 200].map((t) => limiter.take("a", noon + t).allowed)).toEqual([true, true, true]);
    expect(limiter.take("a", noon + 300)).toEqual({ allowed: false, limit: "second", retryAfterSeconds: 1 });
    expect(limiter.take("a", noon + 999).allowed).toBe(false);
    expect(limiter.take("a", noon + 1000).allowed).toBe(true); // the call at +0 has left the window
    expect(limiter.take("a", noon + 1050).allowed).toBe(false); // +100, +200, +1000 are in it
    expect(limiter.take("a", noon + 1100).allowed).toBe(true);
  });

  it("counts each credential on its own, and does not count refused calls", () => {
    const limiter = new RateLimiter({ perSecond: 1, perDay: 2 });
    expect(limiter.take("a", noon).allowed).toBe(true);
    expect(limiter.take("a", noon + 10).allowed).toBe(false); // refused: not counted against the day
    expect(limiter.take("b", noon + 10).allowed).toBe(true);
    expect(limiter.take("a", noon + 1000).allowed).toBe(true); // the day's second call for "a"
    expect(limiter.take("a", noon + 2000)).toMatchObject({ allowed: false, limit: "day" });
  });

  it("refuses past perDay until the next UTC midnight, with Retry-After up to it, then starts a new day", () => {
    const limiter = new RateLimiter({ perSecond: 0, perDay: 2 });
    limiter.take("a", noon);
    limiter.take("a", noon + 1);
    expect(limiter.take("a", noon + 2)).toEqual({ allowed: false, limit: "day", retryAfterSeconds: 12 * 3600 });
    const lastSecond = Date.UTC(2026, 10, 26, 23, 59, 59, 500);
    expect(limiter.take("a", lastSecond)).toEqual({ allowed: false, limit: "day", retryAfterSeconds: 1 });
    const midnight = Math.ceil(noon / DAY) * DAY;
    expect(limiter.take("a", midnight).allowed).toBe(true);
    expect(limiter.take("a", midnight + 1).allowed).toBe(true);
    expect(limiter.take("a", midnight + 2).allowed).toBe(false);
  });

  it("0 turns a limit off; reset forgets every count", () => {
    const off = new RateLimiter({ perSecond: 0, perDay: 0 });
    for (let i = 0; i < 50; i++) expect(off.take("a", noon).allowed).toBe(true);
    const limiter = new RateLimiter({ perSecond: 1, perDay: 0 });
    limiter.take("a", noon);
    expect(limiter.take("a", noon).allowed).toBe(false);
    limiter.reset();
    expect(limiter.take("a", noon).allowed).toBe(true);
  });

  it("reads its limits on every call, so a reloaded spec's x-gong-rate-limits apply at once", () => {
    const limits = { perSecond: 1, perDay: 0 };
    const limiter = new RateLimiter(limits);
    limiter.take("a", noon);
    expect(limiter.take("a", noon + 1).allowed).toBe(false);
    limits.perSecond = 2;
    expect(limiter.take("a", noon + 2).allowed).toBe(true);
  });

  it("calls made while the limits are off do not count once a reloaded spec turns them on", () => {
    const limits = { perSecond: 0, perDay: 0 };
    const limiter = new RateLimiter(limits);
    for (let i = 0; i < 5; i++) limiter.take("a", noon + i);
    limits.perDay = 2;
    expect(limiter.take("a", noon + 10).allowed).toBe(true);
    expect(limiter.take("a", noon + 11).allowed).toBe(true);
    expect(limiter.take("a", noon + 12)).toMatchObject({ allowed: false, limit: "day" });
    const perSecondOnly = { perSecond: 0, perDay: 0 };
    const other = new RateLimiter(perSecondOnly);
    for (let i = 0; i < 5; i++) other.take("a", noon + i);
    perSecondOnly.perSecond = 1;
    expect(other.take("a", noon + 10).allowed).toBe(true);
    expect(other.take("a", noon + 11)).toMatchObject({ allowed: false, limit: "second" });
  });

  it("when the clock steps back, Retry-After still counts from the call in the window", () => {
    const limiter = new RateLimiter({ perSecond: 1, perDay: 0 });
    limiter.take("a", noon + 10_000);
    expect(limiter.take("a", noon + 8_000)).toEqual({ allowed: false, limit: "second", retryAfterSeconds: 3 });
  });

  it("remembers at most MAX_PRINCIPALS credentials: past that, the one seen first is forgotten", () => {
    const limiter = new RateLimiter({ perSecond: 1, perDay: 0 });
    for (let i = 0; i < MAX_PRINCIPALS; i++) limiter.take(`p${i}`, noon);
    expect(limiter.take("p0", noon).allowed).toBe(false); // all 10,000 remembered
    limiter.take("one-more", noon);
    expect(limiter.take("p0", noon).allowed).toBe(true); // p0 was the oldest, forgotten
    expect(limiter.take("p2", noon).allowed).toBe(false); // the others are still counted
  });
});
