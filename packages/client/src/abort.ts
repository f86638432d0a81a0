// Per-attempt timeouts that also follow the caller's AbortSignal, and sleeps that an abort cuts short.
// Written against the plain AbortController API (no AbortSignal.any / AbortSignal.timeout) so that it runs on
// every runtime fetch runs on.

export interface AttemptSignal {
  /** Undefined when there is nothing to abort for (no timeout, no caller signal). */
  signal: AbortSignal | undefined;
  /** True if this attempt was aborted because timeoutMs passed (not by the caller). */
  timedOut(): boolean;
  dispose(): void;
}

/**
 * The longest delay a timer takes (2^31 - 1 ms, about 24.8 days): a longer one fires at once in Node and browsers.
 * Longer waits are cut to it (a timeout of a month is a timeout of 24.8 days).
 */
export const MAX_TIMER_MS = 2_147_483_647;
const timerDelay = (ms: number) => Math.min(ms, MAX_TIMER_MS);

const UNTIMED: AttemptSignal = { signal: undefined, timedOut: () => false, dispose() {} };

/**
 * The signal of one attempt: aborted after `timeoutMs`, or as soon as the caller's signal aborts. Without a
 * caller signal, attempts share the signal of their time slice (see TimeoutSlices): creating an AbortController
 * and a timer per attempt was the largest cost the client added to a call in the profile (Node 20).
 */
export function attemptSignal(callerSignal: AbortSignal | undefined, timeoutMs: number, slices?: TimeoutSlices): AttemptSignal {
  const timed = timeoutMs > 0 && Number.isFinite(timeoutMs);
  if (!callerSignal && !timed) return UNTIMED;
  if (!callerSignal && slices) return slices.next();
  const controller = new AbortController();
  let timedOut = false;
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  const timer = timed
    ? setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`no response within ${timeoutMs} ms`));
      }, timerDelay(timeoutMs))
    : undefined;
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

/**
 * Timeouts for attempts that have no caller signal: the attempts that start within one slice of time (1% of
 * the timeout, at least 10 ms) share one AbortController, aborted `timeoutMs` after the slice ends, so every
 * attempt still running then has run at least `timeoutMs` (and at most one slice more). One controller and one
 * timer per slice instead of per attempt; the timer is unref'd so that it never keeps a process alive.
 */
const MAX_USES_PER_SLICE = 32;

export class TimeoutSlices {
  private readonly widthMs: number;
  private slice: Slice | undefined;

  constructor(private readonly timeoutMs: number) {
    this.widthMs = Math.max(10, Math.round(timeoutMs / 100));
  }

  /** The attempt signal of the current slice (the same object for every attempt in it: nothing made per attempt). */
  next(): AttemptSignal {
    const now = Date.now();
    let slice = this.slice;
    // A fresh slice when the last one is over, or well used: fetch adds a listener per request to the signal and
    // lists all of them each time (undici's max-listeners check), so a signal shared by many requests makes each
    // one slower; 32 keeps that list short and still makes one controller and one timer per 32 attempts.
    if (!slice || now >= slice.endsAt || slice.uses >= MAX_USES_PER_SLICE) {
      this.slice = slice = new Slice(now + this.widthMs, this.widthMs + this.timeoutMs, this.timeoutMs);
    }
    slice.uses++;
    return slice;
  }
}

class Slice implements AttemptSignal {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  uses = 0;
  private aborted = false;

  constructor(
    readonly endsAt: number,
    abortAfterMs: number,
    timeoutMs: number,
  ) {
    const timer = setTimeout(() => {
      this.aborted = true;
      this.controller.abort(new Error(`no response within ${timeoutMs} ms`));
    }, timerDelay(abortAfterMs));
    (timer as { unref?: () => void }).unref?.();
  }

  timedOut(): boolean {
    return this.aborted;
  }

  dispose(): void {}
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, timerDelay(ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
