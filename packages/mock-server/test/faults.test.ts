// Fault injection, through plain HTTP: what the caller sees (a reset, a late answer, a 5xx) and what the
// journal holds (the event recorded or not, marked responseDropped), for each fault kind.
import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../src/index.js";
import { basic, put, SHARED, sharedEvent, VIEWED, viewedEvent } from "./helpers.js";

interface RawOutcome {
  /** The status, or the socket error the caller saw instead (ECONNRESET, "socket hang up"). */
  status?: number;
  error?: string;
  /** ms from sending to the headers, and to the end of the body. */
  headersAfter?: number;
  bodyAfter?: number;
  contentType?: string;
  text?: string;
}

/** One PUT on a fresh connection, with node:http so that a reset is seen as what it is. */
function rawPut(baseUrl: string, path: string, body: unknown): Promise<RawOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${path}`, {
      method: "PUT",
      agent: false,
      headers: { "Content-Type": "application/json", Authorization: basic() },
    });
    req.on("response", (res) => {
      const headersAfter = performance.now() - started;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          headersAfter,
          bodyAfter: performance.now() - started,
          contentType: String(res.headers["content-type"]),
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(JSON.stringify(body));
  });
}

async function admin(mock: MockServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${mock.url}/__mock/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

const journalIds = (mock: MockServer) => mock.journal().map((e) => (e.body as { eventId?: string }).eventId);

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 0 });
});
afterAll(() => mock.close());
beforeEach(async () => {
  mock.reset();
  expect((await admin(mock, "DELETE", "faults")).status).toBe(200);
});

describe("drop-response", () => {
  it("records the event, resets the caller's connection, marks the entry; a resend gets 409", async () => {
    await admin(mock, "POST", "faults", { rules: ["drop-response,next=1"] });
    const event = sharedEvent();

    const first = await rawPut(mock.url, SHARED, event);
    expect(first.status).toBeUndefined();
    expect(first.error).toMatch(/ECONNRESET|socket hang up/);

    const entries = mock.journal();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ operationId: "reportContentShared", responseDropped: true, body: { eventId: event.eventId } });

    const resend = await put(mock.url, SHARED, event);
    expect(resend.status).toBe(409);
    expect(mock.journal()).toHaveLength(1);

    const events = await admin(mock, "GET", "events");
    expect(events.json.events[0].responseDropped).toBe(true);
    expect(events.json.faults).toEqual({ "drop-response": 1 });
  });

  it("every=3 loses exactly every third response, and the journal says which", async () => {
    await admin(mock, "POST", "faults", { rules: [{ fault: "drop-response", every: 3 }] });
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await rawPut(mock.url, VIEWED, viewedEvent()));
    expect(outcomes.map((o) => o.status ?? "reset")).toEqual([200, 200, "reset", 200, 200, "reset"]);
    expect(mock.journal().map((e) => e.responseDropped === true)).toEqual([false, false, true, false, false, true]);
    const described = await admin(mock, "GET", "faults");
    expect(described.json).toMatchObject({ active: true, requests: 6, injected: { "drop-response": 2 } });
  });
});

describe("reset-before", () => {
  it("resets the connection without recording anything; the resend is accepted as new", async () => {
    await admin(mock, "POST", "faults", { rules: ["reset-before,next=1"] });
    const event = sharedEvent();
    const first = await rawPut(mock.url, SHARED, event);
    expect(first.error).toMatch(/ECONNRESET|socket hang up/);
    expect(mock.journal()).toHaveLength(0);
    expect(mock.duplicateMemorySize()).toBe(0);
    expect((await put(mock.url, SHARED, event)).status).toBe(200);
    expect(journalIds(mock)).toEqual([event.eventId]);
  });
});

describe("delay", () => {
  it("delay:<ms> answers the whole response late; the event is recorded", async () => {
    // Lower bounds only, or bounds far apart: a loaded machine makes any request slower, never faster.
    await admin(mock, "POST", "faults", { rules: ["delay:1500,next=1"] });
    const outcome = await rawPut(mock.url, SHARED, sharedEvent());
    expect(outcome.status).toBe(200);
    expect(outcome.headersAfter).toBeGreaterThanOrEqual(1480);
    expect(mock.journal()[0]).toMatchObject({ fault: "delay:1500" });
    const quick = await rawPut(mock.url, SHARED, sharedEvent()); // next=1: the rule is spent
    expect(quick.headersAfter).toBeLessThan(1480);
  });

  it("delay-body:<ms> sends the headers at once and the body late", async () => {
    await admin(mock, "POST", "faults", { rules: ["delay-body:1500,next=1"] });
    const outcome = await rawPut(mock.url, VIEWED, viewedEvent());
    expect(outcome.status).toBe(200);
    // The body 1.5 s late, the headers well before it (a busy test process can read the headers late, so the gap
    // is checked with a margin, not to the millisecond).
    expect(outcome.bodyAfter!).toBeGreaterThanOrEqual(1480);
    expect(outcome.bodyAfter! - outcome.headersAfter!).toBeGreaterThanOrEqual(750);
    expect(JSON.parse(outcome.text!).requestId).toEqual(expect.any(String));
    expect(mock.journal()[0]).toMatchObject({ fault: "delay-body:1500" });
  });

  it("a caller's timeout trips on it, and the event is recorded all the same", async () => {
    await admin(mock, "POST", "faults", { rules: ["delay:1000,next=1"] });
    const event = sharedEvent();
    await expect(
      fetch(`${mock.url}${SHARED}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Authorization: basic() },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow(/timeout|aborted/i);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(journalIds(mock)).toEqual([event.eventId]);
    expect((await put(mock.url, SHARED, event)).status).toBe(409);
  });
});

describe("status", () => {
  it("status:500 answers the spec's 500 body without processing the event", async () => {
    await admin(mock, "POST", "faults", { rules: ["status:500,next=1"] });
    const event = sharedEvent();
    const reply = await put(mock.url, SHARED, event); // put() checks the body against the spec's 500
    expect(reply.status).toBe(500);
    expect(mock.journal()).toHaveLength(0);
    expect((await put(mock.url, SHARED, event)).status).toBe(200);
  });

  for (const status of [502, 503, 504]) {
    it(`status:${status} answers a load balancer's HTML page, not processed`, async () => {
      await admin(mock, "POST", "faults", { rules: [`status:${status},next=1`] });
      const outcome = await rawPut(mock.url, VIEWED, viewedEvent());
      expect(outcome.status).toBe(status);
      expect(outcome.contentType).toMatch(/text\/html/);
      expect(outcome.text).toContain(String(status));
      expect(mock.journal()).toHaveLength(0);
    });
  }

  it("status:503,after-processing records the event first; the resend gets 409", async () => {
    await admin(mock, "POST", "faults", { rules: ["status:503,after-processing,next=1"] });
    const event = viewedEvent();
    const outcome = await rawPut(mock.url, VIEWED, event);
    expect(outcome.status).toBe(503);
    expect(mock.journal()[0]).toMatchObject({ fault: "status:503,after-processing", body: { eventId: event.eventId } });
    expect((mock.faults() as { injected: object }).injected).toEqual({ "status:503,after-processing": 1 });
    expect((await put(mock.url, VIEWED, event)).status).toBe(409);
  });
});

describe("scenarios", () => {
  it("a seeded fraction injects the same faults in the same order on two runs", async () => {
    const pattern = async (seed: number) => {
      const run = await startMockServer({
        port: 0,
        ratePerSecond: 0,
        faults: { seed, rules: ["status:503,fraction=0.3", "drop-response,fraction=0.3"] },
      });
      try {
        const seen: Array<number | string> = [];
        for (let i = 0; i < 30; i++) {
          const outcome = await rawPut(run.url, SHARED, sharedEvent());
          seen.push(outcome.status ?? "reset");
        }
        return { seen, counts: (run.faults() as { injected: Record<string, number> }).injected };
      } finally {
        await run.close();
      }
    };
    const first = await pattern(42);
    const second = await pattern(42);
    expect(second).toEqual(first);
    expect(first.seen).toContain(503);
    expect(first.seen).toContain("reset");
    expect(first.seen).toContain(200);
    const other = await pattern(7);
    expect(other.seen).not.toEqual(first.seen);
  });

  it("rules apply to the operations they name only", async () => {
    await admin(mock, "POST", "faults", { rules: [{ fault: "status:502", operations: ["reportContentViewed"] }] });
    expect((await rawPut(mock.url, SHARED, sharedEvent())).status).toBe(200);
    expect((await rawPut(mock.url, VIEWED, viewedEvent())).status).toBe(502);
  });

  it("never applies to the mock's own endpoints", async () => {
    await admin(mock, "POST", "faults", { rules: ["reset-before"] });
    expect((await admin(mock, "GET", "health")).status).toBe(200);
    expect((await admin(mock, "GET", "events")).status).toBe(200);
    expect((await admin(mock, "GET", "faults")).json.injected).toEqual({});
  });

  it("GET reads, DELETE clears, and a bad scenario is refused with 400 naming the problem (the old one stays)", async () => {
    await admin(mock, "POST", "faults", { seed: 5, rules: ["drop-response,every=3"] });
    const bad = [
      [{ rules: ["explode"] }, /unknown fault "explode"/],
      [{ rules: ["status:418"] }, /status needs one of 500, 502, 503, 504/],
      [{ rules: ["delay"] }, /delay needs a delay in ms/],
      [{ rules: ["drop-response,fraction=2"] }, /fraction must be from 0 to 1/],
      [{ rules: ["drop-response,next=2,every=3"] }, /use one of fraction, next, every/],
      [{ rules: ["reset-before,after-processing"] }, /after-processing applies to status faults only/],
      [{ rules: [{ fault: "status:500", operations: ["nope"] }] }, /no operation "nope"/],
      [{ seed: "x", rules: [] }, /seed must be an integer/],
    ] as const;
    for (const [scenario, message] of bad) {
      const reply = await admin(mock, "POST", "faults", scenario);
      expect(reply.status, JSON.stringify(scenario)).toBe(400);
      expect(reply.json.errors.join(" ")).toMatch(message);
    }
    const notJson = await fetch(`${mock.url}/__mock/faults`, { method: "POST", body: "drop-response" });
    expect(notJson.status).toBe(400);
    expect((await admin(mock, "GET", "faults")).json).toMatchObject({ active: true, seed: 5, rules: [{ fault: "drop-response", every: 3 }] });
    expect((await admin(mock, "DELETE", "faults")).json).toMatchObject({ active: false, rules: [] });
    expect((await rawPut(mock.url, SHARED, sharedEvent())).status).toBe(200);
  });

  it("startMockServer refuses a bad scenario with a clear error", async () => {
    await expect(startMockServer({ port: 0, faults: { rules: ["status:404"] } })).rejects.toThrow(/`faults`: .*status needs one of/);
  });
});
