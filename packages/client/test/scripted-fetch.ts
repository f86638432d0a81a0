import { vi } from "vitest";

// An injected fetch (openapi-fetch's own tests' habit) that answers each request with the next step of a script
// and records when each request was made. No sockets and no timers of its own, so tests that use it can run
// under vitest's fake timers and assert exact scheduled times instead of measuring elapsed ones.
export type FetchStep =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** Never answers; rejects like fetch when the request's signal aborts. */
  | { hang: true }
  /** Answers after `afterMs` (of the clock the test runs on). */
  | { status: number; body?: string | object; afterMs: number }
  /** The connection was reset after the request was sent (the request may have landed). */
  | { reset: true }
  /** The connection was refused: the request never left. */
  | { refused: true };

export interface Sent {
  at: number;
  method: string;
  url: string;
  body: string;
  signal: AbortSignal;
}

export const accepted = (integrationId = "5517027188234206123", requestId = "req-ok"): FetchStep => ({
  status: 200,
  body: `{"requestId":"${requestId}","integrationId":${integrationId}}`,
});
export const refusedWith = (status: number, errors = [`status ${status}`], headers: Record<string, string> = {}): FetchStep => ({
  status,
  body: { requestId: `req-${status}`, errors },
  headers,
});

function networkError(code: string): TypeError {
  const cause = Object.assign(new Error(`connect ${code}`), { code });
  return new TypeError("fetch failed", { cause });
}

export function scriptedFetch(steps: FetchStep[]) {
  const sent: Sent[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    sent.push({ at: Date.now(), method: request.method, url: request.url, body: await request.clone().text(), signal: request.signal });
    const step = steps.shift() ?? { status: 599, body: { errors: ["the script has no more steps"] } };
    if ("refused" in step) throw networkError("ECONNREFUSED");
    if ("reset" in step) throw networkError("ECONNRESET");
    const answer = () => {
      if (!("status" in step)) throw new Error("unreachable: a step without an answer");
      const text = typeof step.body === "string" ? step.body : JSON.stringify(step.body ?? {});
      return new Response(text, { status: step.status, headers: { "Content-Type": "application/json", ...("headers" in step ? step.headers : {}) } });
    };
    if ("hang" in step || "afterMs" in step) {
      return new Promise<Response>((resolve, reject) => {
        if (request.signal.aborted) return reject(request.signal.reason);
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
        if ("afterMs" in step) setTimeout(() => resolve(answer()), step.afterMs);
      });
    }
    return answer();
  };
  return { fetch, sent };
}

/** Under fake timers: lets time run from one timer to the next until every promise has settled. */
export async function settle<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<Awaited<T>>[]> {
  let done = false;
  const all = Promise.allSettled(promises).finally(() => (done = true));
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve)); // what is due now runs first (setImmediate is not faked)
    if (done) return all;
    await vi.advanceTimersToNextTimerAsync();
  }
}

/** Fake Date, setTimeout and clearTimeout only: sockets, streams and setImmediate keep running for real. */
export const FAKE_TIMERS: { toFake: Array<"setTimeout" | "clearTimeout" | "Date"> } = { toFake: ["setTimeout", "clearTimeout", "Date"] };
