// Per-attempt timeouts and aborts on their own, on vitest's fake timers: when an attempt's signal aborts, why,
// and that nothing is left behind on the caller's signal.
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { attemptSignal, sleep, TimeoutSlices } from "../src/abort.js";
import { FAKE_TIMERS } from "./scripted-fetch.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 0, ...FAKE_TIMERS });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("attemptSignal", () => {
  it("without a caller signal and without a timeout there is nothing to abort", () => {
    const attempt = attemptSignal(undefined, 0);
    expect(attempt.signal).toBeUndefined();
    expect(attempt.timedOut()).toBe(false);
    expect(attemptSignal(undefined, Number.POSITIVE_INFINITY).signal).toBeUndefined();
  });

  it("with a caller signal, aborts after exactly timeoutMs, as a timeout", async () => {
    const caller = new AbortController();
    const attempt = attemptSignal(caller.signal, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(attempt.signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt.signal!.aborted).toBe(true);
    expect(attempt.timedOut()).toBe(true);
    expect((attempt.signal!.reason as Error).message).toBe("no response within 1000 ms");
    attempt.dispose();
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("follows the caller's abort (not a timeout), also one that came before, and with no timeout at all", () => {
    const caller = new AbortController();
    const attempt = attemptSignal(caller.signal, 0);
    const reason = new Error("stop");
    caller.abort(reason);
    expect(attempt.signal!.aborted).toBe(true);
    expect(attempt.signal!.reason).toBe(reason);
    expect(attempt.timedOut()).toBe(false);
    const late = attemptSignal(caller.signal, 1000);
    expect(late.signal!.aborted).toBe(true);
    expect(late.signal!.reason).toBe(reason);
    late.dispose();
  });

  it("dispose stops the timer: a finished attempt is never aborted later", async () => {
    const attempt = attemptSignal(new AbortController().signal, 1000);
    attempt.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempt.signal!.aborted).toBe(false);
    expect(attempt.timedOut()).toBe(false);
  });
});

describe("TimeoutSlices", () => {
  it("attempts of one slice share a signal aborted timeoutMs after the slice ends; a later attempt gets a fresh one", async () => {
    const slices = new TimeoutSlices(10_000); // slices of 100 ms
    const first = attemptSignal(undefined, 10_000, slices);
    await vi.advanceTimersByTimeAsync(99);
    const same = attemptSignal(undefined, 10_000, slices);
    expect(same.signal).toBe(first.signal);
    await vi.advanceTimersByTimeAsync(1);
    const next = attemptSignal(undefined, 10_000, slices);
    expect(next.signal).not.toBe(first.signal);
    await vi.advanceTimersByTimeAsync(10_000 - 1);
    expect(first.signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.signal!.aborted).toBe(true);
    expect(first.timedOut()).toBe(true);
    expect((first.signal!.reason as Error).message).toBe("no response within 10000 ms");
    expect(next.signal!.aborted).toBe(false);
    expect(next.timedOut()).toBe(false);
  });

  it("slices are at least 10 ms wide and serve at most 32 attempts each", () => {
    const slices = new TimeoutSlices(100);
    const signals = Array.from({ length: 33 }, () => slices.next().signal);
    expect(new Set(signals.slice(0, 32)).size).toBe(1);
    expect(signals[32]).not.toBe(signals[0]);
    vi.advanceTimersByTime(9);
    expect(slices.next().signal).toBe(signals[32]);
    vi.advanceTimersByTime(1);
    expect(slices.next().signal).not.toBe(signals[32]);
  });
});

describe("sleep", () => {
  it("waits exactly ms", async () => {
    let done = false;
    void sleep(500).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it("rejects with the signal's reason at once, or as soon as it aborts, and cleans up after itself", async () => {
    const reason = new Error("stop");
    await expect(sleep(500, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const waiting = sleep(500, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const finished = new AbortController();
    await Promise.all([sleep(10, finished.signal), vi.advanceTimersByTimeAsync(10)]);
    expect(getEventListeners(finished.signal, "abort")).toHaveLength(0);
  });
});
