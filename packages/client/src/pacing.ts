// Pacing: a client keeps its own calls inside Gong's limits (by default 3 calls per second and 10,000 per UTC
// day per credential) instead of running into 429s. Every attempt of every call of the client takes a permit
// first; all concurrent calls share one first-come, first-served line. A 429's Retry-After pauses the line. A
// call whose permit would come later than it may wait is refused at once, before anything is sent
// (QUOTA_EXHAUSTED).
//
// When may the next call start? Gong counts a call in its one-second window when the call *arrives*, which is
// some unknown time after the client sent it (a new connection, a slow first request). So attempt i starts a
// full window after attempt i - perSecond has been *answered* (the answer comes after Gong counted it), not
// after it was sent: no 4th call can ever fall into the window of the 1st. This costs the answer's latency per
// window (a few ms against a loopback mock: 3 calls per ~1.005 s) instead of a fixed guess of a margin. An
// attempt that gets no answer for STALL_MS counts as answered then, so one hung request does not stall the line.
//
// Why not a library: p-queue counts fixed windows (two windows' bursts can fall within one second, which a
// sliding-window server answers with 429), bottleneck is unmaintained since 2019, and limiter's day is a rolling
// 24 h from start-up. None of them paces on answers, and none says up front how long a call would wait, which
// "refuse at once rather than wait past maxWaitMs" needs.
import { MAX_TIMER_MS } from "./abort.js";
import { RATE_LIMITS } from "./generated/operations.js";
import type { RateLimitOptions } from "./types.js";

export type { RateLimitOptions } from "./types.js";

/** Gong's limits per company credential, from the spec's x-gong-rate-limits. */
export const GONG_RATE_LIMITS = RATE_LIMITS;

/** A place in the line: wait for `ready`, send, then call `answered` (whatever the outcome). */
export interface Permit {
  ok: true;
  /** The wait foreseen when the permit was given (the real one can be a little longer). */
  estimatedWaitMs: number;
  /** Resolves when the attempt may start; rejects with the signal's reason if it aborts first. */
  ready(signal?: AbortSignal): Promise<void>;
  /** The attempt got its answer, or failed: the window of the attempt perSecond later counts from now. */
  answered(): void;
}

export type Reservation = Permit | { ok: false; waitMs: number; limit: string };

const WINDOW_MS = 1_000;
const STALL_MS = 2_000;
const DAY_MS = 86_400_000;

export class Pacer {
  readonly perSecond: number;
  readonly perDay: number;
  private readonly recent: Place[] = []; // the last `perSecond` places in line, oldest first (forgetPast)
  private last: Place | undefined;
  private readonly estimates: number[] = []; // foreseen starts of the last `perSecond` places (forgetPast)
  // Stryker disable next-line UnaryOperator: any day that is not today's works as "none yet"
  private day = -1; // the UTC day of `dayCount`
  private dayCount = 0;
  private pausedUntil = 0;

  constructor(
    options: Omit<RateLimitOptions, "maxWaitMs">,
    /** The clock, in ms since the epoch. */
    readonly now: () => number = Date.now,
  ) {
    this.perSecond = checkLimit(options.perSecond ?? GONG_RATE_LIMITS.perSecond, "perSecond");
    this.perDay = checkLimit(options.perDay ?? GONG_RATE_LIMITS.perDay, "perDay");
  }

  /**
   * A place in line, or, when the foreseen wait is longer than `maxWaitMs`, a refusal that says how long it
   * would have been and which limit (nothing is booked then).
   */
  reserve(maxWaitMs: number): Reservation {
    const now = this.now();
    this.forgetPast(now);
    let start = Math.max(now, this.pausedUntil, this.estimates[this.estimates.length - 1] ?? 0);
    let limit = start === this.pausedUntil && start > now ? "Gong's Retry-After" : "";
    if (this.perSecond > 0 && this.estimates.length >= this.perSecond) {
      const windowEnd = this.estimates[this.estimates.length - this.perSecond]! + WINDOW_MS;
      if (windowEnd > start) {
        start = windowEnd;
        limit = `${this.perSecond} calls per second`;
      }
    }
    let day = Math.floor(start / DAY_MS);
    let dayCount = day === this.day ? this.dayCount : 0;
    if (this.perDay > 0 && dayCount >= this.perDay) {
      day += 1;
      start = day * DAY_MS;
      dayCount = 0;
      limit = `${this.perDay} calls per UTC day`;
    }
    const waitMs = start - now;
    if (waitMs > maxWaitMs) return { ok: false, waitMs, limit: limit || "the rate limit" };

    this.day = day;
    this.dayCount = dayCount + 1;
    this.estimates.push(start);
    // Stryker disable next-line ConditionalExpression: only bounds memory (the schedule reads the last perSecond)
    if (this.estimates.length > Math.max(this.perSecond, 1)) this.estimates.shift();
    const opener = this.perSecond > 0 && this.recent.length >= this.perSecond ? this.recent[this.recent.length - this.perSecond] : undefined;
    const place = new Place(this, this.last, opener, day * DAY_MS, waitMs);
    this.last = place;
    this.recent.push(place);
    // Stryker disable next-line ConditionalExpression: only bounds memory (the line reads the last perSecond)
    if (this.recent.length > this.perSecond) this.recent.shift();
    return place;
  }

  /**
   * Lets go of what can no longer hold anyone back: a foreseen start, and an answered place, whose second is
   * over. A later place's window ends at the earliest a second after them, so before `now` anyway. The lists then
   * hold about a second of calls, not `perSecond` of them: with limits far above the traffic (a local mock, the
   * benchmark) they would otherwise keep every place of a long run.
   */
  private forgetPast(now: number): void {
    const { estimates, recent } = this;
    while (estimates.length > 0 && estimates[0]! + WINDOW_MS <= now) estimates.shift();
    while (recent.length > 0 && recent[0]!.answeredAt !== undefined && recent[0]!.answeredAt + WINDOW_MS <= now) recent.shift();
  }

  /** The common case, without a promise of its own: nobody ahead is still waiting, the window is open. */
  canStartNow(place: Place, now: number): boolean {
    const { before, opener } = place;
    return (
      (!before || before.start !== undefined) &&
      (!opener || (opener.answeredAt !== undefined && opener.answeredAt + WINDOW_MS <= now)) &&
      this.pausedUntil <= now &&
      place.dayStart <= now
    );
  }

  /** @internal Waits for the place's turn: the one before it started, its window opened, no pause, its day. */
  async wait(place: Place, signal: AbortSignal | undefined): Promise<void> {
    const { before, opener, dayStart } = place;
    try {
      // First come, first served: once the place before has started, so have all before it (the opener too).
      if (before && before.start === undefined) await until(before.started(), Infinity, signal);
      // The opener's answer opens the window, or its stall time passing.
      if (opener) await until(opener.whenAnswered(), opener.start! + STALL_MS - this.now(), signal);
      const opensAt = opener ? (opener.answeredAt ?? opener.start! + STALL_MS) + WINDOW_MS : 0;
      // Re-checked after each wait: a 429 may have paused the line meanwhile.
      for (let at = Math.max(opensAt, dayStart, this.pausedUntil); at > this.now(); at = Math.max(at, this.pausedUntil)) {
        await until(undefined, at - this.now(), signal);
      }
      place.markStarted(this.now());
    } catch (error) {
      place.markStarted(this.now());
      place.markAnswered(this.now());
      throw error;
    }
  }

  /** Gong said to wait (Retry-After): no attempt starts before then. */
  pauseFor(seconds: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + seconds * 1000);
  }
}

/** Waits for `promise` (if any), at most `ms` (Infinity: no limit); rejects with the signal's reason as soon as it aborts. */
function until(promise: Promise<void> | undefined, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  // Stryker disable next-line EqualityOperator,ConditionalExpression: a wait of 0 ms as a 0 ms timer is the same wait
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    // At most MAX_TIMER_MS at a time (a longer timer fires at once); the caller's loop waits again for the rest.
    const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(ms, MAX_TIMER_MS)) : undefined;
    const onAbort = () => {
      cleanup();
      reject(signal!.reason);
    };
    function done() {
      cleanup();
      resolve();
    }
    function cleanup() {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    promise?.then(done);
  });
}

const RESOLVED = Promise.resolve();

/**
 * A place in the line, and the permit for it: one object per attempt (no closures), whose promises are made only
 * when somebody waits for it (most attempts never do). Once it has started it lets go of the places before it,
 * so that a long-lived client does not keep its whole history reachable.
 */
class Place implements Permit {
  readonly ok = true;
  start: number | undefined;
  answeredAt: number | undefined;
  private onStarted: Array<() => void> | undefined;
  private onAnswered: Array<() => void> | undefined;

  constructor(
    private readonly pacer: Pacer,
    /** The place before this one (first come, first served), until this one starts. */
    public before: Place | undefined,
    /** The place perSecond before this one: its answer opens this one's window. */
    public opener: Place | undefined,
    /** The UTC day's first millisecond of this place's turn. */
    readonly dayStart: number,
    readonly estimatedWaitMs: number,
  ) {}

  ready(signal?: AbortSignal): Promise<void> {
    const now = this.pacer.now();
    if (!signal?.aborted && this.pacer.canStartNow(this, now)) {
      this.markStarted(now);
      return RESOLVED;
    }
    return this.pacer.wait(this, signal);
  }

  answered(): void {
    this.markAnswered(this.pacer.now());
  }

  started(): Promise<void> {
    if (this.start !== undefined) return RESOLVED;
    this.onStarted ??= [];
    const waiting = this.onStarted;
    return new Promise<void>((resolve) => {
      waiting.push(resolve);
    });
  }

  whenAnswered(): Promise<void> {
    if (this.answeredAt !== undefined) return RESOLVED;
    this.onAnswered ??= [];
    const waiting = this.onAnswered;
    return new Promise<void>((resolve) => {
      waiting.push(resolve);
    });
  }

  markStarted(at: number): void {
    if (this.start !== undefined) return;
    this.start = at;
    this.before = undefined;
    this.opener = undefined;
    if (this.onStarted) for (const resolve of this.onStarted) resolve();
  }

  markAnswered(at: number): void {
    if (this.answeredAt !== undefined) return;
    this.answeredAt = at;
    if (this.onAnswered) for (const resolve of this.onAnswered) resolve();
  }
}

function checkLimit(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`createEngagementClient: \`rateLimit.${name}\` must be a non-negative integer (0 = no limit), got ${JSON.stringify(value)}.`);
  }
  return value;
}
