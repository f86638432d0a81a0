// reportMany: one outcome per input whatever happens, each saying what a caller needs (accepted, already in
// Gong and why, invalid, failed and whether it may have landed, not attempted), against a real loopback server;
// and the batch logic on its own for abort and bounded memory over 100,000 events.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createEngagementClient,
  type EngagementClientOptions,
  GongApiError,
  type ReportManyItem,
  type ReportManyOptions,
  type ReportManyProgress,
  type ReportOutcome,
} from "../src/index.js";
import { reportMany, type Send } from "../src/report-many.js";
import type { AttemptOutcome } from "../src/types.js";
import { digitalInteraction, sharedEvent, viewedEvent } from "./events.js";
import { accepted, FAKE_TIMERS, type FetchStep, refusedWith, scriptedFetch, settle } from "./scripted-fetch.js";
import { fail, ok, type ScriptedServer, type Step, scriptedServer } from "./scripted-server.js";

let server: ScriptedServer | undefined;
afterEach(() => server?.close());

async function batch(steps: Step[], items: ReportManyItem[], options: Parameters<ReturnType<typeof createEngagementClient>["reportMany"]>[1] = {}) {
  server = await scriptedServer(steps);
  const gong = createEngagementClient({ baseUrl: server.url, auth: { bearerToken: "t" }, rateLimit: false, retry: { baseDelayMs: 1, maxDelayMs: 20 } });
  const outcomes: ReportOutcome[] = [];
  for await (const outcome of gong.reportMany(items, { concurrency: 1, ...options })) outcomes.push(outcome);
  return outcomes;
}

const shared = (eventId: string): ReportManyItem => ({ operation: "shared", event: { ...sharedEvent(), eventId } });

describe("reportMany outcomes", () => {
  it("accepted, with the exact integrationId; viewed and shared alike, named by alias or operationId", async () => {
    const items: ReportManyItem[] = [
      shared("a"),
      { operation: "viewed", event: { ...viewedEvent(), eventId: "b" } },
      { operation: "reportContentViewed", event: { ...viewedEvent(), eventId: "c" } },
    ];
    const outcomes = await batch([ok("7390000000000000001"), ok("7390000000000000002"), ok("3")], items);
    expect(outcomes).toEqual([
      { index: 0, operation: "shared", eventId: "a", status: "accepted", requestId: "req-ok", integrationId: 7390000000000000001n, attempts: 1 },
      { index: 1, operation: "viewed", eventId: "b", status: "accepted", requestId: "req-ok", integrationId: 7390000000000000002n, attempts: 1 },
      { index: 2, operation: "reportContentViewed", eventId: "c", status: "accepted", requestId: "req-ok", integrationId: 3n, attempts: 1 },
    ]);
    expect(server!.received.map((r) => r.url)).toEqual([
      "/v2/customer-engagement/content/shared",
      "/v2/customer-engagement/content/viewed",
      "/v2/customer-engagement/content/viewed",
    ]);
  });

  it("an operation without an id for the event: accepted with its requestId only", async () => {
    const event = { ...digitalInteraction(), eventId: "di-1" };
    const outcomes = await batch([{ status: 200, body: '{"requestId":"r-di"}' }], [{ operation: "digital-interaction", event } as ReportManyItem]);
    expect(outcomes).toEqual([{ index: 0, operation: "digital-interaction", eventId: "di-1", status: "accepted", requestId: "r-di", attempts: 1 }]);
  });

  it("already-reported: 'reported-before' on a first 409, 'landed-earlier' on a 409 after a lost response", async () => {
    const outcomes = await batch([fail(409), { drop: true }, fail(409)], [shared("old"), shared("lost")]);
    expect(outcomes).toMatchObject([
      { index: 0, status: "already-reported", reason: "reported-before", attempts: 1 },
      { index: 1, status: "already-reported", reason: "landed-earlier", attempts: 2 },
    ]);
  });

  it("an event that cannot be written as JSON is one invalid outcome; the others go on", async () => {
    const odd = sharedEvent() as unknown as { eventId: string; crmContext: Array<{ objects: Array<{ fields: Array<{ value: unknown }> }> }> };
    odd.eventId = "odd";
    odd.crmContext[0]!.objects[0]!.fields[0]!.value = { amount: 12n };
    const outcomes = await batch([ok(), ok()], [shared("a"), { operation: "shared", event: odd as never }, shared("b")]);
    expect(outcomes.map((o) => [o.index, o.status])).toEqual([
      [0, "accepted"],
      [1, "invalid"],
      [2, "accepted"],
    ]);
    expect(outcomes[1]).toMatchObject({ issues: [{ field: "(event)", problem: expect.stringMatching(/cannot be written as JSON/) }] });
  });

  it("a consumer that stops early closes the input (its finally runs); nothing more is read", async () => {
    let read = 0;
    let closed = false;
    async function* input() {
      try {
        for (let i = 0; i < 100; i++) {
          read++;
          yield shared(`early-${i}`);
        }
      } finally {
        closed = true;
      }
    }
    server = await scriptedServer(Array.from({ length: 10 }, () => ok()));
    const gong = createEngagementClient({ baseUrl: server.url, auth: { bearerToken: "t" }, rateLimit: false });
    for await (const outcome of gong.reportMany(input(), { concurrency: 1 })) {
      expect(outcome.status).toBe("accepted");
      break;
    }
    expect(closed).toBe(true);
    expect(read).toBeLessThanOrEqual(2);
  });

  it("an event without an eventId is not resent after an answer that may have recorded it", async () => {
    const { eventId: _, ...anonymous } = sharedEvent();
    const outcomes = await batch([fail(502), ok()], [{ operation: "shared", event: anonymous }], { resends: 2 });
    expect(outcomes).toMatchObject([{ status: "failed", httpStatus: 502, mayHaveLanded: true, attempts: 1 }]);
    expect(server!.received).toHaveLength(1);
  });

  it("invalid: named issues, nothing sent; a malformed input item is invalid too, not a crash", async () => {
    const bad = { ...sharedEvent(), eventId: "bad", eventTimestamp: "2021-02-30T08:00:00Z" };
    const outcomes = await batch([ok()], [{ operation: "shared", event: bad }, { operation: "posted", event: {} } as never, shared("fine")]);
    expect(outcomes.map((o) => o.status)).toEqual(["invalid", "invalid", "accepted"]);
    expect(outcomes[0]).toMatchObject({ attempts: 0, issues: [{ field: "eventTimestamp", problem: expect.stringMatching(/real ISO-8601 date-time/) }] });
    expect(outcomes[1]).toMatchObject({
      issues: [
        {
          field: "operation",
          problem:
            'must be one of "shared", "viewed", "digital-interaction" (or an operationId: "reportContentShared", "reportContentViewed", "reportDigitalInteraction"), got "posted"',
        },
      ],
    });
    expect(server!.received).toHaveLength(1);
  });

  it("failed: certainly not in Gong after a 400 or a refused connection; may have landed after 5xx to the end", async () => {
    const refused = await batch([fail(400)], [shared("refused")]);
    expect(refused[0]).toMatchObject({ status: "failed", httpStatus: 400, requestId: "req-400", mayHaveLanded: false, attempts: 1 });

    const unknown = await batch(
      Array.from({ length: 20 }, () => fail(503)),
      [shared("maybe")],
      { resends: 1 },
    );
    expect(unknown[0]).toMatchObject({ status: "failed", httpStatus: 503, mayHaveLanded: true, attempts: 8 });
    expect(unknown[0]!.status === "failed" && unknown[0]!.error.message).toMatch(/may have been recorded/);

    // Port 2: nobody listens there, so the connection is refused (a port just closed could be taken at once by
    // a server of a test running alongside).
    const nowhere = createEngagementClient({
      baseUrl: "http://127.0.0.1:2",
      auth: { bearerToken: "t" },
      rateLimit: false,
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    const outcomes: ReportOutcome[] = [];
    for await (const o of nowhere.reportMany([shared("x")], { resends: 0 })) outcomes.push(o);
    expect(outcomes[0]).toMatchObject({ status: "failed", httpStatus: undefined, mayHaveLanded: false, attempts: 2 });
  });

  it("takes an async iterable, and yields exactly one outcome per input", async () => {
    async function* events() {
      for (let i = 0; i < 5; i++) yield shared(`it-${i}`);
    }
    server = await scriptedServer([ok(), fail(409), { drop: true }, ok(), fail(400), ok()]);
    const gong = createEngagementClient({ baseUrl: server.url, auth: { bearerToken: "t" }, rateLimit: false, retry: { baseDelayMs: 1 } });
    const outcomes: ReportOutcome[] = [];
    for await (const o of gong.reportMany(events(), { concurrency: 1 })) outcomes.push(o);
    expect(outcomes.map((o) => [o.index, o.status])).toEqual([
      [0, "accepted"],
      [1, "already-reported"],
      [2, "accepted"],
      [3, "failed"],
      [4, "accepted"],
    ]);
  });

  it("reports progress with counts and the rate", async () => {
    const seen: number[] = [];
    let last: { done: number; accepted: number; alreadyReported: number; ratePerSecond: number } | undefined;
    await batch([ok(), ok(), fail(409)], [shared("p1"), shared("p2"), shared("p3")], {
      onProgress: (p) => {
        seen.push(p.done);
        last = p;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(last).toMatchObject({ done: 3, accepted: 2, alreadyReported: 1, requests: 3, ratePerSecond: 0.3 });
  });

  it("refuses bad options", async () => {
    const gong = createEngagementClient({ auth: { bearerToken: "t" } });
    await expect(gong.reportMany([], { concurrency: 0 }).next()).rejects.toThrow(/concurrency/);
    await expect(gong.reportMany(42 as never).next()).rejects.toThrow(/must be an array or an \(async\) iterable/);
  });
});

describe("reportMany's batch logic", () => {
  const sent: AttemptOutcome[] = [{ kind: "response", status: 200 }];
  const accepting: Send = async (_op, event) => {
    await new Promise((resolve) => setImmediate(resolve));
    return { status: "accepted", requestId: (event as { eventId: string }).eventId, resultId: 1n, history: sent };
  };

  it("an abort ends every input: in flight as not-attempted or failed, the rest as not-attempted, none dropped", async () => {
    const controller = new AbortController();
    // A send that lets go of the caller's signal when it settles, as the client's does (50 sends holding a listener
    // each is what Node warns about as a leak).
    const slow: Send = (_op, _event, signal) =>
      new Promise((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve({ status: "aborted", reason: signal?.reason, history: [{ kind: "aborted" }] });
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve({ status: "accepted", requestId: "r", resultId: 1n, history: sent });
        }, 30);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    const items = Array.from({ length: 50 }, (_, i) => shared(`abort-${i}`));
    const outcomes: ReportOutcome[] = [];
    for await (const o of reportMany(slow, items, { concurrency: 4, signal: controller.signal })) {
      outcomes.push(o);
      if (outcomes.length === 8) controller.abort(new Error("stop"));
    }
    expect(outcomes).toHaveLength(50);
    expect(new Set(outcomes.map((o) => o.index)).size).toBe(50);
    const of = (status: ReportOutcome["status"]) => outcomes.filter((o) => o.status === status);
    expect(of("accepted")).toHaveLength(8);
    expect(of("failed")).toHaveLength(3); // in flight when aborted: sent, outcome unknown
    expect(of("failed").every((o) => o.status === "failed" && o.mayHaveLanded)).toBe(true);
    expect(of("not-attempted")).toHaveLength(39);
  });

  it("reads the input only as fast as it sends: memory stays bounded over 100,000 events", async () => {
    let pulled = 0;
    let yielded = 0;
    let maxAhead = 0;
    function* events() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - yielded);
        yield { operation: "viewed" as const, event: { ...viewedEvent(), eventId: `m-${i}` } };
      }
    }
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    for await (const outcome of reportMany(accepting, events(), { concurrency: 10 })) {
      yielded++;
      if (outcome.status !== "accepted") throw new Error(`unexpected ${outcome.status}`);
      if (yielded % 10_000 === 0) {
        gc(); // what the batch retains, not the garbage it has not collected yet
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    expect(yielded).toBe(100_000);
    expect(maxAhead).toBeLessThanOrEqual(11);
    console.log(
      `reportMany over 100,000 events: at most ${maxAhead} read ahead; retained heap ${(before / 2 ** 20).toFixed(1)} -> at most ${(peak / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(peak - before).toBeLessThan(8 * 2 ** 20); // 100,000 events held would be about 100 MiB
  }, 120_000); // 100,000 events: seconds on a quiet machine, much longer on a busy one
});

describe("reportMany: resends, aborts and broken inputs (injected fetch, fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0, ...FAKE_TIMERS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const run = async (
    steps: FetchStep[],
    items: Iterable<ReportManyItem> | AsyncIterable<ReportManyItem>,
    options: ReportManyOptions = {},
    client: Partial<EngagementClientOptions> = {},
  ) => {
    const { fetch, sent } = scriptedFetch(steps);
    const gong = createEngagementClient({ auth: { bearerToken: "t" }, fetch, rateLimit: false, retry: false, ...client });
    const outcomes: ReportOutcome[] = [];
    const collect = (async () => {
      for await (const outcome of gong.reportMany(items, { concurrency: 1, ...options })) outcomes.push(outcome);
    })();
    const [done] = await settle([collect]);
    return { outcomes, sent, done };
  };

  it.each([
    ["a timeout", { hang: true } as FetchStep, "landed-earlier"],
    ["a connection reset", { reset: true } as FetchStep, "landed-earlier"],
    ["a refused connection", { refused: true } as FetchStep, "reported-before"],
    ["a 503", refusedWith(503), "landed-earlier"],
    ["a 429", refusedWith(429, ["limit"], { "Retry-After": "1" }), "reported-before"],
  ])("resends after %s with the same eventId, and reads a 409 then against it", async (_, first, reason) => {
    const { outcomes, sent } = await run([first, refusedWith(409)], [shared("e-1")], { signal: new AbortController().signal }, { timeoutMs: 1_000 });
    expect(outcomes).toEqual([expect.objectContaining({ status: "already-reported", reason, attempts: 2, eventId: "e-1" })]);
    expect(sent.map((s) => JSON.parse(s.body).eventId)).toEqual(["e-1", "e-1"]);
  });

  it("resends at most `resends` times", async () => {
    const { outcomes, sent } = await run(
      Array.from({ length: 5 }, () => ({ reset: true }) as FetchStep),
      [shared("r")],
      { resends: 1 },
    );
    expect(outcomes).toEqual([expect.objectContaining({ status: "failed", attempts: 2, mayHaveLanded: true, httpStatus: undefined })]);
    expect(sent).toHaveLength(2);
  });

  it("never resends a 400 or an unreadable 200; the unreadable 200 is failed with mayHaveLanded: the event is in Gong", async () => {
    const { outcomes, sent } = await run([refusedWith(400), { status: 200, body: "garbage" }], [shared("bad"), shared("unread")]);
    expect(outcomes[0]).toMatchObject({ status: "failed", httpStatus: 400, mayHaveLanded: false, attempts: 1 });
    expect(outcomes[1]).toMatchObject({ status: "failed", httpStatus: 200, mayHaveLanded: true, attempts: 1, error: { code: "INVALID_RESPONSE" } });
    expect(sent).toHaveLength(2);
  });

  it("an event aborted while waiting for its pacing turn is not-attempted; one aborted in flight is failed and may have landed", async () => {
    const controller = new AbortController();
    const items = [shared("first"), shared("waiting")];
    const { fetch, sent } = scriptedFetch([{ hang: true }, accepted()]);
    const gong = createEngagementClient({ auth: { bearerToken: "t" }, fetch, rateLimit: { perSecond: 1 }, retry: false, timeoutMs: 0 });
    const outcomes: ReportOutcome[] = [];
    const collect = (async () => {
      for await (const o of gong.reportMany(items, { concurrency: 2, signal: controller.signal })) outcomes.push(o);
    })();
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(1);
    controller.abort(new Error("stop"));
    await settle([collect]);
    const byIndex = [...outcomes].sort((a, b) => a.index - b.index);
    expect(byIndex[0]).toMatchObject({ status: "failed", attempts: 1, mayHaveLanded: true, error: { code: "NETWORK_ERROR", errors: ["aborted"] } });
    expect(byIndex[1]).toEqual({ index: 1, operation: "shared", eventId: "waiting", attempts: 0, status: "not-attempted", reason: "aborted" });
    expect(sent).toHaveLength(1);
  });

  it("an input iterable that throws ends the batch with that error, after the outcomes of what it gave", async () => {
    const broken = new Error("the queue went away");
    function* events() {
      yield shared("a");
      yield shared("b");
      throw broken;
    }
    const { outcomes, done } = await run([accepted(), accepted()], events());
    expect(outcomes.map((o) => [o.index, o.status])).toEqual([
      [0, "accepted"],
      [1, "accepted"],
    ]);
    expect(done).toEqual({ status: "rejected", reason: broken });
  });

  it("an event that is not an object is invalid, not a crash", async () => {
    const { outcomes, sent } = await run([], [{ operation: "shared", event: null } as never, null as never]);
    expect(outcomes).toEqual([
      {
        index: 0,
        operation: "shared",
        eventId: undefined,
        attempts: 0,
        status: "invalid",
        issues: [{ field: "event", problem: "must be an object (the event)" }],
      },
      {
        index: 1,
        operation: undefined,
        eventId: undefined,
        attempts: 0,
        status: "invalid",
        issues: [
          {
            field: "operation",
            problem:
              'must be one of "shared", "viewed", "digital-interaction" (or an operationId: "reportContentShared", "reportContentViewed", "reportDigitalInteraction"), got undefined',
          },
        ],
      },
    ]);
    expect(sent).toHaveLength(0);
  });

  it("refuses resends that are not a whole number from 0", async () => {
    const gong = createEngagementClient({ auth: { bearerToken: "t" } });
    await expect(gong.reportMany([], { resends: -1 }).next()).rejects.toThrow("reportMany: `resends` must be a whole number from 0, got -1.");
    await expect(gong.reportMany([], { concurrency: 1.5 }).next()).rejects.toThrow("reportMany: `concurrency` must be a whole number from 1, got 1.5.");
  });

  it("keeps `concurrency` events in flight, no more", async () => {
    const steps = Array.from({ length: 6 }, () => ({ ...accepted(), afterMs: 100 }) as FetchStep);
    const { outcomes, sent } = await run(
      steps,
      Array.from({ length: 6 }, (_, i) => shared(`c-${i}`)),
      { concurrency: 3 },
    );
    expect(outcomes).toHaveLength(6);
    expect(sent.map((s) => s.at)).toEqual([0, 0, 0, 100, 100, 100]);
  });
});

describe("reportMany's progress (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0, ...FAKE_TIMERS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts every kind of outcome and the requests, and the rate over the last 10 s only", async () => {
    const sent = (n: number): AttemptOutcome[] => Array.from({ length: n }, () => ({ kind: "response", status: 200 }) as const);
    const error = (status: number) => new GongApiError({ code: "HTTP_ERROR", operationId: "reportContentShared", status });
    // One event every 2 s, each settled the way its eventId says.
    const send: Send = (_op, event) =>
      new Promise((resolve) =>
        setTimeout(() => {
          const id = (event as { eventId: string }).eventId;
          if (id.startsWith("dup")) resolve({ status: "already-reported", reason: "reported-before", requestId: "r", history: sent(1), error: error(409) });
          else if (id.startsWith("bad")) resolve({ status: "failed", error: error(400), history: sent(2) });
          else resolve({ status: "accepted", requestId: "r", resultId: 1n, history: sent(1) });
        }, 2000),
      );
    const items = ["a", "b", "dup", "bad", "c", "d", "e"].map((id) => shared(id));
    const seen: ReportManyProgress[] = [];
    const collect = (async () => {
      for await (const _ of reportMany(send, items, { concurrency: 1, onProgress: (p) => seen.push(p) })) void _;
    })();
    await settle([collect]);
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.at(-1)).toEqual({
      done: 7,
      accepted: 5,
      alreadyReported: 1,
      invalid: 0,
      failed: 1,
      notAttempted: 0,
      inFlight: 0,
      requests: 8,
      ratePerSecond: 0.5,
    });
    expect(seen.map((p) => p.ratePerSecond)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5]); // outcomes at 2, 4, ... 14 s
  });

  it("reports the events still in flight, and counts not-attempted ones after an abort", async () => {
    const controller = new AbortController();
    const send: Send = () =>
      new Promise((resolve) =>
        setTimeout(() => resolve({ status: "accepted", requestId: "r", resultId: 1n, history: [{ kind: "response", status: 200 }] }), 100),
      );
    const seen: ReportManyProgress[] = [];
    const collect = (async () => {
      for await (const _ of reportMany(
        send,
        ["a", "b", "c", "d"].map((id) => shared(id)),
        { concurrency: 2, signal: controller.signal, onProgress: (p) => seen.push(p) },
      )) {
        if (seen.length === 1) controller.abort();
      }
    })();
    await settle([collect]);
    expect(seen.map((p) => [p.done, p.inFlight, p.accepted, p.notAttempted])).toEqual([
      [1, 1, 1, 0],
      [2, 0, 2, 0],
      [3, 0, 2, 1],
      [4, 0, 2, 2],
    ]);
  });
});
