// Pacing: a client keeps its own calls inside Gong's limits (by default 3 calls per second and 10,000 per UTC
// day per credential) instead of running into 429s. Every attempt of every call of the client books a slot
// first; all concurrent calls share the one schedule. A 429's Retry-After pauses the schedule. A call whose
// slot is further away than it may wait is refused at once, before anything is sent (QUOTA_EXHAUSTED).
//
// Why not a library: p-queue counts fixed windows (two windows' bursts can fall within one second, which a
// sliding-window server such as Gong's answers with 429), bottleneck is unmaintained since 2019, and limiter's
// day is a rolling 24 h from start-up. None of them says up front how long a call would wait, which is what
// "refuse at once rather than wait past maxDelayMs" needs. The schedule below is a reservation list: O(1) per
// call, no timers of its own.

/** `rateLimit` of createEngagementClient. */
export interface RateLimitOptions {
  /** Calls per second per credential. Default 3 (Gong's). */
  perSecond?: number;
  /** Calls per UTC day per credential. Default 10,000 (Gong's). */
  perDay?: number;
  /** The longest a call may wait for its slot before it is refused with QUOTA_EXHAUSTED. Default: retry.maxDelayMs (30,000). */
  maxWaitMs?: number;
}

export const GONG_RATE_LIMITS = { perSecond: 3, perDay: 10_000 } as const;

export type Reservation =
  | { ok: true; waitMs: number }
  | { ok: false; waitMs: number; limit: string };

export interface PacerStats {
  /** Calls booked in the current UTC day. */
  today: number;
  /** Calls started in the last second. */
  lastSecond: number;
}

const WINDOW_MS = 1_000;
// The server starts its one-second window when a request arrives, which is a little after the client sent it,
// and by a varying amount; a slot is that much later than the bare window so that no 4th call lands inside it.
const MARGIN_MS = 25;
const DAY_MS = 86_400_000;

export class Pacer {
  readonly perSecond: number;
  readonly perDay: number;
  private readonly slots: number[] = []; // the last `perSecond` booked slots, oldest first (ms since epoch)
  private day = -1; // the UTC day of `dayCount`
  private dayCount = 0;
  private pausedUntil = 0;

  constructor(
    options: Omit<RateLimitOptions, "maxWaitMs">,
    private readonly now: () => number = Date.now,
  ) {
    this.perSecond = checkLimit(options.perSecond ?? GONG_RATE_LIMITS.perSecond, "perSecond");
    this.perDay = checkLimit(options.perDay ?? GONG_RATE_LIMITS.perDay, "perDay");
  }

  /**
   * Books the earliest slot allowed and says how long to wait for it; when that is longer than `maxWaitMs`,
   * books nothing and says how long it would have been, and which limit.
   */
  reserve(maxWaitMs: number): Reservation {
    const now = this.now();
    let slot = Math.max(now, this.pausedUntil, this.slots.at(-1) ?? 0);
    let limit = slot === this.pausedUntil && slot > now ? "Gong's Retry-After" : "";
    if (this.perSecond > 0 && this.slots.length >= this.perSecond) {
      const windowEnd = this.slots[this.slots.length - this.perSecond]! + WINDOW_MS + MARGIN_MS;
      if (windowEnd > slot) {
        slot = windowEnd;
        limit = `${this.perSecond} calls per second`;
      }
    }
    let day = Math.floor(slot / DAY_MS);
    let dayCount = day === this.day ? this.dayCount : 0;
    if (this.perDay > 0 && dayCount >= this.perDay) {
      day += 1;
      slot = day * DAY_MS;
      dayCount = 0;
      limit = `${this.perDay} calls per UTC day`;
    }
    const waitMs = slot - now;
    if (waitMs > maxWaitMs) return { ok: false, waitMs, limit: limit || "the rate limit" };
    this.slots.push(slot);
    if (this.slots.length > Math.max(this.perSecond, 1)) this.slots.shift();
    this.day = day;
    this.dayCount = dayCount + 1;
    return { ok: true, waitMs };
  }

  /** Gong said to wait (Retry-After): no slot before then. */
  pauseFor(seconds: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + seconds * 1000);
  }

  stats(): PacerStats {
    const now = this.now();
    return {
      today: this.day === Math.floor(now / DAY_MS) ? this.dayCount : 0,
      lastSecond: this.slots.filter((slot) => slot <= now && slot > now - WINDOW_MS).length,
    };
  }
}

function checkLimit(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`createEngagementClient: \`rateLimit.${name}\` must be a non-negative integer (0 = no limit), got ${JSON.stringify(value)}.`);
  }
  return value;
}
