// Gong's rate limits, per credential: at most `perSecond` calls in any 1-second window and `perDay` calls per
// UTC day (the spec's x-gong-rate-limits unless the mock's options say otherwise; 0 turns a limit off). A
// refused call is not counted, and is told how many whole seconds to wait (Retry-After). The limits are read
// on every call, so a reloaded spec applies at once.
import type { RateLimits } from "@gong-engage/spec-model";

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; limit: "second" | "day" };

interface Usage {
  recent: number[]; // start times (ms) of the calls in the last second, oldest first
  day: number; // the UTC day number of `dayCount`
  dayCount: number;
}

const DAY_MS = 86_400_000;
/** How many credentials the limiter remembers; past that the one seen first is forgotten (memory stays bounded). */
export const MAX_PRINCIPALS = 10_000;

export class RateLimiter {
  private readonly usage = new Map<string, Usage>();

  constructor(private readonly limits: RateLimits) {}

  take(principal: string, now: number = Date.now()): RateDecision {
    const { perSecond, perDay } = this.limits;
    if (perSecond <= 0 && perDay <= 0) return { allowed: true };
    const usage = this.usageOf(principal, now);
    if (perDay > 0 && usage.dayCount >= perDay) {
      return { allowed: false, limit: "day", retryAfterSeconds: Math.max(1, Math.ceil(((usage.day + 1) * DAY_MS - now) / 1000)) };
    }
    if (perSecond > 0) {
      while (usage.recent.length && usage.recent[0]! <= now - 1000) usage.recent.shift();
      if (usage.recent.length >= perSecond) {
        return { allowed: false, limit: "second", retryAfterSeconds: Math.max(1, Math.ceil((usage.recent[0]! + 1000 - now) / 1000)) };
      }
      usage.recent.push(now);
    }
    usage.dayCount++;
    return { allowed: true };
  }

  reset(): void {
    this.usage.clear();
  }

  private usageOf(principal: string, now: number): Usage {
    const day = Math.floor(now / DAY_MS);
    let usage = this.usage.get(principal);
    if (!usage) {
      if (this.usage.size >= MAX_PRINCIPALS) this.usage.delete(this.usage.keys().next().value!);
      usage = { recent: [], day, dayCount: 0 };
      this.usage.set(principal, usage);
    } else if (usage.day !== day) {
      usage.day = day;
      usage.dayCount = 0;
    }
    return usage;
  }
}
