// Pacing: the schedule on its own (a fake clock), the line under vitest's fake timers (exact start times, no
// measured ones), and a paced client over an injected fetch: concurrent calls spread to 3 per second, a quota or
// a wait past maxWaitMs refuses a call without sending it, and a 429's Retry-After holds back every call.
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEngagementClient, type EngagementClientOptions, GongApiError } from "../src/index.js";
import { Pacer, type Permit } from "../src/pacing.js";
import { sharedEvent } from "./events.js";
import { accepted, FAKE_TIMERS, type FetchStep, refusedWith, scriptedFetch, settle } from "./scripted-fetch.js";

const NOON = Date.UTC(2026, 10, 25, 12, 0, 0);

describe("Pacer: the foreseen waits (fake clock)", () => {
  const clock = (start = NOON) => {
    const c = { now: start, fn: () => c.now };
    return c;
  };
  const wait = (r: ReturnType<Pacer["reserve"]>) => (r.ok ? r.estimatedWaitMs : -1);

  it("lets perSecond calls go at once, then foresees each next one a window after the one perSecond before it", () => {
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, clock().fn);
    expect(Array.from({ length: 7 }, () => wait(pacer.reserve(60_000)))).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it("defaults to Gong's limits: 3 per second", () => {
    const pacer = new Pacer({}, clock().fn);
    expect([pacer.perSecond, pacer.perDay]).toEqual([3, 10_000]);
    expect(Array.from({ length: 4 }, () => wait(pacer.reserve(60_000)))).toEqual([0, 0, 0, 1000]);
  });

  it("counts the UTC day, and refuses (booking nothing) when the next turn is past maxWaitMs", () => {
    const c = clock(Date.UTC(2026, 10, 25, 23, 59, 0));
    const pacer = new Pacer({ perSecond: 0, perDay: 2 }, c.fn);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 60_000, limit: "2 calls per UTC day" });
    expect(wait(pacer.reserve(60_000))).toBe(60_000); // the first turn of the next day
    c.now = Date.UTC(2026, 10, 26, 0, 0, 1);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(pacer.reserve(1000).ok).toBe(false);
  });

  it("starts a fresh count at UTC midnight, also when no call was booked across it", () => {
    const c = clock(Date.UTC(2026, 10, 25, 23, 0, 0));
    const pacer = new Pacer({ perSecond: 0, perDay: 2 }, c.fn);
    pacer.reserve(1000);
    pacer.reserve(1000);
    expect(pacer.reserve(1000).ok).toBe(false);
    c.now = Date.UTC(2026, 10, 26, 0, 0, 0);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 86_400_000, limit: "2 calls per UTC day" });
  });

  it("a Retry-After pauses every later turn, and one past maxWaitMs is refused at once, however many calls are booked", () => {
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, clock().fn);
    pacer.pauseFor(5);
    expect(wait(pacer.reserve(10_000))).toBe(5000);
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 5000, limit: "Gong's Retry-After" });

    const busy = new Pacer({ perSecond: 3, perDay: 0 }, clock().fn);
    for (let i = 0; i < 3; i++) busy.reserve(30_000);
    busy.pauseFor(10_083); // Gong's daily limit answers like this
    expect(busy.reserve(30_000)).toEqual({ ok: false, waitMs: 10_083_000, limit: "Gong's Retry-After" });
  });

  it("a pause never shortens an earlier, longer one", () => {
    const pacer = new Pacer({ perSecond: 0, perDay: 0 }, clock().fn);
    pacer.pauseFor(9);
    pacer.pauseFor(2);
    expect(wait(pacer.reserve(60_000))).toBe(9000);
  });

  it("0 means no limit", () => {
    const pacer = new Pacer({ perSecond: 0, perDay: 0 }, clock().fn);
    expect(Array.from({ length: 20 }, () => wait(pacer.reserve(0))).every((w) => w === 0)).toBe(true);
  });

  it("refuses bad limits, naming the option and the value", () => {
    expect(() => new Pacer({ perSecond: -1 })).toThrow("createEngagementClient: `rateLimit.perSecond` must be a non-negative integer (0 = no limit), got -1.");
    expect(() => new Pacer({ perDay: 1.5 })).toThrow("`rateLimit.perDay` must be a non-negative integer (0 = no limit), got 1.5.");
  });
});

describe("Pacer: the line (fake timers, exact start times)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOON, ...FAKE_TIMERS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const permit = (pacer: Pacer): Permit => {
    const p = pacer.reserve(60_000);
    if (!p.ok) throw new Error("refused");
    return p;
  };

  it("starts attempt i a full window after attempt i - perSecond was answered, first come first served", async () => {
    const pacer = new Pacer({ perSecond: 2, perDay: 0 });
    const starts: number[] = [];
    const latency = [150, 10, 10, 10, 10]; // how long the server takes to answer each attempt
    const all = Promise.all(
      latency.map(async (ms, i) => {
        const p = permit(pacer);
        await p.ready();
        starts[i] = Date.now() - NOON;
        await new Promise((resolve) => setTimeout(resolve, ms));
        p.answered();
      }),
    );
    await vi.runAllTimersAsync();
    await all;
    // 2: a window after 0's answer (150); 3: not before 2 (first come, first served); 4: after 2's answer.
    expect(starts).toEqual([0, 0, 1150, 1150, 2160]);
  });

  it("with limits far above the traffic, keeps about a second of calls, not perSecond of them", async () => {
    const pacer = new Pacer({ perSecond: 100_000, perDay: 0 });
    // 3,000 calls, one every 2 ms (6 s), each answered 1 ms after it starts: none ever waits.
    for (let i = 0; i < 3_000; i++) {
      const p = permit(pacer);
      expect(p.estimatedWaitMs).toBe(0);
      await p.ready();
      await vi.advanceTimersByTimeAsync(1);
      p.answered();
      await vi.advanceTimersByTimeAsync(1);
    }
    // What the pacer still holds (private: a long-lived client's memory is the point): the last second's calls.
    const held = pacer as unknown as { recent: unknown[]; estimates: unknown[] };
    expect(held.recent.length).toBeLessThanOrEqual(501);
    expect(held.estimates.length).toBeLessThanOrEqual(501);
  });

  it("an attempt that gets no answer holds its window for the stall time only", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const hung = permit(pacer);
    await hung.ready(); // never answered
    const next = permit(pacer);
    let startedAt: number | undefined;
    void next.ready().then(() => (startedAt = Date.now() - NOON));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(startedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toBe(3_000);
  });

  it("a Retry-After given after a permit was booked still holds that permit back", async () => {
    const pacer = new Pacer({ perSecond: 3, perDay: 0 });
    const first = permit(pacer);
    await first.ready();
    const second = permit(pacer); // foreseen at once
    expect(second.estimatedWaitMs).toBe(0);
    pacer.pauseFor(2); // then the first's answer: a 429 with Retry-After: 2
    first.answered();
    let startedAt: number | undefined;
    void second.ready().then(() => (startedAt = Date.now() - NOON));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(startedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toBe(2_000);
  });

  it("a turn booked for the next UTC day starts at midnight", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 25, 23, 59, 59));
    const pacer = new Pacer({ perSecond: 0, perDay: 1 });
    await permit(pacer).ready();
    const tomorrow = permit(pacer);
    let startedAt: number | undefined;
    void tomorrow.ready().then(() => (startedAt = Date.now()));
    await vi.advanceTimersByTimeAsync(999);
    expect(startedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toBe(Date.UTC(2026, 10, 26));
  });

  it("an abort while waiting rejects with the signal's reason and lets the others go", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const first = permit(pacer);
    const second = permit(pacer);
    const third = permit(pacer);
    await first.ready();
    first.answered();
    const controller = new AbortController();
    const waiting = second.ready(controller.signal);
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    let startedAt: number | undefined;
    void third.ready().then(() => (startedAt = Date.now() - NOON));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(startedAt).toBe(1_000); // not held for the aborted place's stall time
    await expect(permit(pacer).ready(AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe("a paced client (injected fetch, fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOON, ...FAKE_TIMERS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const credentials = { accessKey: "k", accessKeySecret: "s" };
  const paced = (steps: FetchStep[], options: Partial<EngagementClientOptions> = {}) => {
    const { fetch, sent } = scriptedFetch(steps);
    const gong = createEngagementClient({ auth: credentials, fetch, ...options });
    const created = Date.now();
    const times = () => sent.map((s) => s.at - created);
    return { gong, sent, times };
  };
  it("spreads 7 concurrent calls to 3 per second, all of them accepted", async () => {
    const { gong, times } = paced(Array.from({ length: 7 }, () => accepted()));
    const results = await settle(Array.from({ length: 7 }, () => gong.reportContentShared(sharedEvent())));
    expect(results.map((r) => r.status)).toEqual(Array(7).fill("fulfilled"));
    expect(times()).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it("keeps pacing after a call failed", async () => {
    const { gong, times } = paced([refusedWith(400), accepted(), accepted(), accepted()]);
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 400 });
    await settle(Array.from({ length: 3 }, () => gong.reportContentShared(sharedEvent())));
    expect(times()).toEqual([0, 0, 0, 1000]);
  });

  it("refuses a call whose turn is later than rateLimit.maxWaitMs, sending nothing; waits when it is not", async () => {
    const tight = paced([accepted(), accepted()], { rateLimit: { perSecond: 1, maxWaitMs: 999 } });
    const [first, second] = await settle([tight.gong.reportContentShared(sharedEvent()), tight.gong.reportContentShared(sharedEvent())]);
    expect(first!.status).toBe("fulfilled");
    expect(second).toMatchObject({ status: "rejected", reason: { code: "QUOTA_EXHAUSTED", attempts: 0, retryAfter: 1, mayHaveLanded: false } });
    expect((second as PromiseRejectedResult).reason.message).toBe(
      "reportContentShared: not sent: 1 calls per second allows the next call in 1s, longer than the client may wait",
    );
    expect(tight.times()).toEqual([0]);

    const patient = paced([accepted(), accepted()], { rateLimit: { perSecond: 1, maxWaitMs: 1000 } });
    await settle([patient.gong.reportContentShared(sharedEvent()), patient.gong.reportContentShared(sharedEvent())]);
    expect(patient.times()).toEqual([0, 1000]);
  });

  it("without rateLimit.maxWaitMs, a call waits up to retry.maxDelayMs, or 30 s with retry: false", async () => {
    const short = paced([accepted(), accepted()], { rateLimit: { perSecond: 1 }, retry: { maxDelayMs: 999 } });
    const [, refused] = await settle([short.gong.reportContentShared(sharedEvent()), short.gong.reportContentShared(sharedEvent())]);
    expect(refused).toMatchObject({ status: "rejected", reason: { code: "QUOTA_EXHAUSTED" } });

    const steps = Array.from({ length: 32 }, () => accepted());
    const noRetry = paced(steps, { rateLimit: { perSecond: 1 }, retry: false });
    const results = await settle(Array.from({ length: 32 }, () => noRetry.gong.reportContentShared(sharedEvent())));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(31); // turns at 0 .. 30 s
    expect(results[31]).toMatchObject({ status: "rejected", reason: { code: "QUOTA_EXHAUSTED" } });
  });

  it("refuses at once with QUOTA_EXHAUSTED, sending nothing, when the day's quota is used up", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 25, 23, 59, 0));
    const { gong, sent } = paced([accepted(), accepted(), accepted()], { rateLimit: { perSecond: 10, perDay: 2 } });
    await gong.reportContentShared(sharedEvent());
    await gong.reportContentShared(sharedEvent());
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error).toMatchObject({ code: "QUOTA_EXHAUSTED", attempts: 0, mayHaveLanded: false, retryAfter: 60 });
    expect(error.message).toBe("reportContentShared: not sent: 2 calls per UTC day allows the next call in 60s, longer than the client may wait");
    expect(sent).toHaveLength(2);
  });

  it("a 429's Retry-After holds back the client's other calls until it has passed", async () => {
    const { gong, times } = paced([refusedWith(429, ["limit"], { "Retry-After": "2" }), accepted(), accepted()], { rateLimit: { perSecond: 100 } });
    const first = gong.reportContentShared(sharedEvent());
    await vi.advanceTimersByTimeAsync(100);
    const second = gong.reportContentShared(sharedEvent());
    const results = await settle([first, second]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(times()).toEqual([0, 2000, 2000]);
  });

  it("a Retry-After longer than the client may wait fails that call and refuses the next ones without sending", async () => {
    const { gong, sent } = paced([refusedWith(429, ["daily limit"], { "Retry-After": "10083" }), accepted(), accepted()]);
    const results = await settle(Array.from({ length: 3 }, () => gong.reportContentShared(sharedEvent())));
    expect(results[0]).toMatchObject({ status: "rejected", reason: { code: "HTTP_ERROR", status: 429, retryAfter: 10083, attempts: 1 } });
    const next = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(next).toMatchObject({ code: "QUOTA_EXHAUSTED", attempts: 0, retryAfter: 10083 });
    expect(next.message).toMatch(/not sent: Gong's Retry-After allows the next call in 10083s/);
    expect(sent).toHaveLength(3);
  });

  it("rateLimit: false sends at once", async () => {
    const { gong, times } = paced(
      Array.from({ length: 6 }, () => accepted()),
      { rateLimit: false },
    );
    await settle(Array.from({ length: 6 }, () => gong.reportContentShared(sharedEvent())));
    expect(times()).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("Pacer: the line's details (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOON, ...FAKE_TIMERS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const permit = (pacer: Pacer): Permit => {
    const p = pacer.reserve(Number.POSITIVE_INFINITY);
    if (!p.ok) throw new Error("refused");
    return p;
  };
  const startTime = (p: Permit, signal?: AbortSignal) => {
    const at: { ms?: number } = {};
    void p.ready(signal).then(() => (at.ms = Date.now() - NOON));
    return at;
  };

  it("an attempt that may start now gets no promise of its own, also when its window opens exactly now", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const first = permit(pacer);
    const now = first.ready();
    expect(permit(new Pacer({})).ready()).toBe(now); // one shared, resolved promise
    first.answered();
    const second = permit(pacer);
    await vi.advanceTimersByTimeAsync(1000);
    expect(second.ready()).toBe(now);
    pacer.pauseFor(1);
    const third = permit(new Pacer({ perSecond: 0, perDay: 0 }));
    expect(third.ready()).toBe(now);
  });

  it("the first attempt after a Retry-After waits for it, and cleans up its timer and its listener", async () => {
    const pacer = new Pacer({ perSecond: 3, perDay: 0 });
    pacer.pauseFor(1);
    const signal = new AbortController().signal;
    const at = startTime(permit(pacer), signal);
    await vi.advanceTimersByTimeAsync(999);
    expect(at.ms).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(at.ms).toBe(1000);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an abort in the middle of a wait rejects at once, and leaves no timer and no listener behind", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const first = permit(pacer);
    await first.ready();
    first.answered();
    const controller = new AbortController();
    const reason = new Error("stop");
    let rejectedAt: number | undefined;
    const waiting = permit(pacer)
      .ready(controller.signal)
      .catch((e) => {
        rejectedAt = Date.now() - NOON;
        return e;
      });
    await vi.advanceTimersByTimeAsync(400);
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(rejectedAt).toBe(400);
    expect(await waiting).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("a wait ended by the answer it waited for clears its stall timer", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const first = permit(pacer);
    await first.ready();
    const at = startTime(permit(pacer));
    await vi.advanceTimersByTimeAsync(100);
    first.answered(); // before the 2 s stall time: the window opens at 1100
    await vi.advanceTimersByTimeAsync(1000);
    expect(at.ms).toBe(1100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a Retry-After that comes while an attempt waits for its window moves its start", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const first = permit(pacer);
    await first.ready();
    first.answered();
    const at = startTime(permit(pacer));
    await vi.advanceTimersByTimeAsync(500);
    pacer.pauseFor(2); // until 2500
    await vi.advanceTimersByTimeAsync(1999);
    expect(at.ms).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(at.ms).toBe(2500);
  });

  it("once the day's quota sends a turn to tomorrow, every later turn is tomorrow too (first come, first served)", () => {
    const c = { now: Date.UTC(2026, 10, 25, 23, 0, 0) };
    const pacer = new Pacer({ perSecond: 3, perDay: 2 }, () => c.now);
    const waits = Array.from({ length: 4 }, () => {
      const r = pacer.reserve(Number.POSITIVE_INFINITY);
      return r.ok ? r.estimatedWaitMs : -1;
    });
    expect(waits).toEqual([0, 0, 3_600_000, 3_600_000]);
    expect(pacer.reserve(0)).toEqual({ ok: false, waitMs: 86_400_000 + 3_600_000, limit: "2 calls per UTC day" });
  });

  it("says which limit refuses a call: the window, a Retry-After, or the line ahead", () => {
    const c = { now: NOON };
    const pacer = new Pacer({ perSecond: 1, perDay: 0 }, () => c.now);
    pacer.reserve(0);
    expect(pacer.reserve(0)).toEqual({ ok: false, waitMs: 1000, limit: "1 calls per second" });
    pacer.pauseFor(3);
    expect(pacer.reserve(0)).toEqual({ ok: false, waitMs: 3000, limit: "Gong's Retry-After" });
    const late = { now: Date.UTC(2026, 10, 25, 23, 0, 0) };
    const line = new Pacer({ perSecond: 3, perDay: 2 }, () => late.now);
    for (let i = 0; i < 3; i++) line.reserve(Number.POSITIVE_INFINITY); // the third is booked for midnight
    expect(line.reserve(0)).toEqual({ ok: false, waitMs: 3_600_000, limit: "the rate limit" }); // behind it
  });
});
