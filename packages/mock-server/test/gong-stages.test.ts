// Gong's checks stage by stage, called directly on in-process state (the real spec, the real Prism bridge, a
// rate limiter on a fake clock): what each stage answers, what it passes on, and what it leaves for the next.
// The HTTP tests (mock-server.test.ts) check the same rules through a running mock.
import type { IncomingMessage } from "node:http";
import { checkResponse } from "@gong-engage/spec-model";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Answer, bodyBytes, MAX_BODY_BYTES } from "../src/answer.js";
import type { AcceptedCredentials } from "../src/auth.js";
import { BoundedKeySet } from "../src/bounded-memory.js";
import { accept, checkCredentials, duplicate, forcedStatus, type GongState, type MockRequest, rateLimit, validateBody } from "../src/gong-stages.js";
import { Journal } from "../src/journal.js";
import { PrismBridge, prismInput } from "../src/prism.js";
import { RateLimiter } from "../src/rate-limiter.js";
import { type LoadedSpec, loadSpec, type SpecOperation } from "../src/spec.js";
import { basic, eventFor } from "./helpers.js";

let spec: LoadedSpec;
beforeAll(async () => {
  spec = await loadSpec();
});

function gong(limits = { perSecond: 0, perDay: 0 }, credentials?: AcceptedCredentials): GongState {
  return {
    prism: new PrismBridge(() => spec),
    limiter: new RateLimiter(limits),
    duplicates: new BoundedKeySet(100),
    journal: new Journal(100),
    credentials,
    limits,
  };
}

function request(operation: SpecOperation, body: unknown, headers: Record<string, string> = {}, query = ""): MockRequest {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  // Prism looks at a request's body only when its headers say it has one, as an HTTP request's do.
  const all = { "content-type": "application/json", "content-length": String(Buffer.byteLength(text ?? "")), authorization: basic(), ...headers };
  const req = { headers: all } as unknown as IncomingMessage;
  return {
    req,
    operation,
    bytes: body === undefined ? undefined : Buffer.from(text),
    input: prismInput(req, new URL(`http://mock.local${operation.path}${query}`), operation.method),
    prefer: {},
  };
}

/** The stages in Gong's order, as server.ts runs them. */
async function pipeline(state: GongState, r: MockRequest) {
  return (
    (await forcedStatus(state, r)) ??
    checkCredentials(state, r) ??
    rateLimit(state, r) ??
    (await validateBody(state, r)) ??
    duplicate(state, r) ??
    accept(state, r)
  );
}

const operations = () => spec.operations;
const op = () => spec.operations[0]!;

describe("forcedStatus (Prefer)", () => {
  it("passes a request without Prefer on, untouched", async () => {
    const r = request(op(), eventFor(op()));
    expect(await forcedStatus(gong(), r)).toBeUndefined();
    expect(r.prefer.code).toBeUndefined();
  });

  it("answers each documented status as asked, with the spec's body and fresh ids, recording nothing", async () => {
    for (const operation of operations()) {
      for (const status of operation.statuses) {
        const state = gong();
        const answer = await forcedStatus(state, request(operation, eventFor(operation), { prefer: `code=${status}` }));
        expect(answer?.status, `${operation.operationId} ${status}`).toBe(status);
        expectDocumented(operation, answer!);
        expect(answer!.body).toMatchObject({ requestId: expect.any(String) });
        expect(state.journal.list()).toEqual([]);
      }
    }
  });

  it("a forced status is answered without judging the request: a body Gong would refuse still gets the status asked for", async () => {
    for (const status of op().statuses) {
      const answer = await forcedStatus(gong(), request(op(), {}, { prefer: `code=${status}` }));
      expect(answer?.status, String(status)).toBe(status);
      expectDocumented(op(), answer!);
    }
  });

  it("refuses an undocumented code, naming the documented ones", async () => {
    const answer = await forcedStatus(gong(), request(op(), eventFor(op()), { prefer: "code=418" }));
    expect(answer).toMatchObject({
      status: 400,
      body: { errors: [`Prefer: code=418 is not documented for ${op().operationId}; documented: ${op().statuses.join(", ")}`] },
    });
  });

  it("example=<name> answers the status that example belongs to; a 200 example goes through Gong's checks", async () => {
    const operation = op();
    const [status, response] = [...operation.responses].find(([code, r]) => code !== 200 && r.examples.length > 0)!;
    const r = request(operation, eventFor(operation), { prefer: `example=${response.examples[0]}` });
    expect((await forcedStatus(gong(), r))?.status).toBe(status);
    expect(r.prefer.code).toBe(status);
    const ok = operation.responses.get(200)!;
    if (ok.examples.length) {
      const passed = request(operation, eventFor(operation), { prefer: `example=${ok.examples[0]}` });
      expect(await forcedStatus(gong(), passed)).toBeUndefined();
      expect(passed.prefer).toMatchObject({ exampleKey: ok.examples[0] });
      expect(passed.prefer.code).toBeUndefined();
    }
  });

  it("refuses an example the operation does not have, listing its examples with their statuses", async () => {
    const operation = op();
    const answer = await forcedStatus(gong(), request(operation, eventFor(operation), { prefer: "example=NoSuch" }));
    const listed = [...operation.responses.values()].flatMap((r) => r.examples.map((name) => `${name} (${r.status})`));
    expect(answer).toMatchObject({
      status: 400,
      body: { errors: [`Prefer: example=NoSuch is not an example of ${operation.operationId}; its examples: ${listed.join(", ")}`] },
    });
  });

  it("refuses a Prefer header Prism cannot read, saying it is the Prefer header", async () => {
    const answer = await forcedStatus(gong(), request(op(), eventFor(op()), {}, "?__code=abc"));
    expect(answer?.status).toBe(400);
    expect((answer!.body as { errors: string[] }).errors[0]).toMatch(/^Prefer: ./);
  });
});

describe("checkCredentials", () => {
  it("passes well-formed credentials on with the credential as the principal (for the rate limit)", () => {
    const r = request(op(), {}, { authorization: basic("key-1", "s") });
    expect(checkCredentials(gong(), r)).toBeUndefined();
    expect(r.principal).toBe("basic:key-1");
  });

  it("answers 401 with the problem, and only the configured credentials when some are", () => {
    expect(checkCredentials(gong(), request(op(), {}, { authorization: "" }))).toMatchObject({
      status: 401,
      body: { errors: [expect.stringMatching(/^Authorization header is missing/)] },
    });
    const strict = gong(undefined, { accessKeys: [{ accessKey: "k", accessKeySecret: "s" }] });
    expect(checkCredentials(strict, request(op(), {}, { authorization: basic("k", "s") }))).toBeUndefined();
    expect(checkCredentials(strict, request(op(), {}, { authorization: basic("k", "x") }))).toMatchObject({ status: 401 });
  });
});

describe("rateLimit", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 26, 12, 0, 0));
  });
  afterEach(() => vi.useRealTimers());

  it("answers 429 past the per-second limit of the credential, with an integer Retry-After and the limit named", () => {
    const state = gong({ perSecond: 2, perDay: 0 });
    const asKey = (key: string) => ({ ...request(op(), {}), principal: `basic:${key}` });
    expect(rateLimit(state, asKey("a"))).toBeUndefined();
    expect(rateLimit(state, asKey("a"))).toBeUndefined();
    expect(rateLimit(state, asKey("a"))).toEqual({
      status: 429,
      headers: { "Retry-After": "1" },
      body: { requestId: expect.any(String), errors: ["API request limit exceeded (2 calls per second per credential)"] },
    });
    expect(rateLimit(state, asKey("b"))).toBeUndefined(); // another credential has its own budget
    vi.setSystemTime(Date.now() + 1000);
    expect(rateLimit(state, asKey("a"))).toBeUndefined();
  });

  it("names the daily limit when that is the one reached, with the seconds to the next UTC day", () => {
    const state = gong({ perSecond: 0, perDay: 1 });
    const r = { ...request(op(), {}), principal: "basic:a" };
    expect(rateLimit(state, r)).toBeUndefined();
    expect(rateLimit(state, r)).toMatchObject({
      status: 429,
      headers: { "Retry-After": String(12 * 3600) },
      body: { errors: ["API request limit exceeded (1 calls per day per credential)"] },
    });
  });
});

describe("validateBody", () => {
  it("passes a valid event on, parsed, with Prism's 200 ready for accept", async () => {
    for (const operation of operations()) {
      const event = eventFor(operation);
      const r = request(operation, event);
      expect(await validateBody(gong(), r), operation.operationId).toBeUndefined();
      expect(r.event).toEqual(event);
      expect(r.prism).toMatchObject({ ok: true, statusCode: 200 });
    }
  });

  it("one definition of valid: a date-time the spec model accepts at the edge (a leap second) is accepted", async () => {
    for (const operation of operations()) {
      const event = eventFor(operation);
      // The example's top-level date-time fields, found by their value (the spec names them, not this test).
      const fields = Object.keys(event).filter((name) => typeof event[name] === "string" && /^\d{4}-\d\d-\d\dT/.test(event[name] as string));
      if (!fields.length) continue;
      for (const field of fields) event[field] = "2016-12-31T23:59:60Z";
      expect(operation.validateRequest(event), operation.operationId).toEqual([]);
      const state = gong();
      const answer = await pipeline(state, request(operation, event));
      expect(answer.status, operation.operationId).toBe(200);
      expectDocumented(operation, answer);
      expect(state.journal.list()).toHaveLength(1);
    }
  });

  it("answers 400 for a body too large, missing, blank or not JSON, saying which", async () => {
    const errors = async (body: unknown) => (await validateBody(gong(), request(op(), body))) as { status: number; body: { errors: string[] } } | undefined;
    expect(await errors(undefined)).toMatchObject({ status: 400, body: { errors: [`body: larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`] } });
    expect((await errors(undefined))!.body.errors[0]).toBe("body: larger than 10 MB");
    expect(await errors("")).toMatchObject({ status: 400, body: { errors: ["body: is required (a JSON event)"] } });
    expect(await errors(" \n ")).toMatchObject({ status: 400, body: { errors: ["body: is required (a JSON event)"] } });
    expect((await errors("{nope"))!.body.errors[0]).toMatch(/^body: malformed JSON \(.+\)$/);
  });

  it("answers 400 for a Content-Type the operation does not take, and for an Accept it cannot serve, recording nothing", async () => {
    const state = gong();
    const wrongType = await pipeline(state, request(op(), eventFor(op()), { "content-type": "text/plain" }));
    expect(wrongType).toMatchObject({ status: 400, body: { errors: ["Content-Type: Supported content types: application/json"] } });
    const html = await pipeline(state, request(op(), eventFor(op()), { accept: "text/html" }));
    expect(html.status).toBe(400);
    expect((html.body as { errors: string[] }).errors[0]).toMatch(/text\/html/);
    expect(state.journal.list()).toEqual([]);
  });

  it("answers 400 naming each failing field, as the spec model's validator finds them", async () => {
    for (const operation of operations()) {
      const answer = await validateBody(gong(), request(operation, {}));
      expect(answer?.status, operation.operationId).toBe(400);
      const expected = operation.validateRequest({}).map((issue) => issue.field);
      expect(expected.length).toBeGreaterThan(0);
      const text = (answer!.body as { errors: string[] }).errors.join("\n");
      for (const field of expected) expect(text).toContain(field === "(body)" ? "body" : field.split("/").pop()!);
    }
  });
});

describe("duplicate and accept", () => {
  it("accept answers 200 with fresh ids and the spec's headers, journals the event and remembers its key; a replay gets 409", async () => {
    for (const operation of operations()) {
      const state = gong();
      const event = eventFor(operation);
      const first = await pipeline(state, request(operation, event));
      expect(first.status, operation.operationId).toBe(200);
      expectDocumented(operation, first);
      expect(Object.keys(first.headers).map((name) => name.toLowerCase())).toContain("content-type"); // Prism's headers are kept
      for (const value of Object.values(first.headers ?? {})) expect(typeof value).toBe("string");
      expect(state.journal.list()).toEqual([
        expect.objectContaining({ operationId: operation.operationId, endpoint: `${operation.method} ${operation.path}`, body: event, response: first.body }),
      ]);
      expect(first.journal).toBe(state.journal.list()[0]);
      expect(state.duplicates.size).toBe(1);
      const again = await pipeline(state, request(operation, event));
      expect(again).toMatchObject({ status: 409, body: { errors: [operation.responses.get(409)!.message] } });
      expect(state.journal.list()).toHaveLength(1);
      const other = await pipeline(state, request(operation, eventFor(operation)));
      expect(other.status).toBe(200);
      expect((other.body as { requestId: string }).requestId).not.toBe((first.body as { requestId: string }).requestId);
    }
  });

  it("accept records an event that has no Prism answer with it: fresh ids, no headers", () => {
    for (const operation of operations()) {
      const state = gong();
      const r = request(operation, {});
      r.event = eventFor(operation);
      const answer = accept(state, r);
      expect(answer.status).toBe(200);
      expect(answer.headers).toEqual({});
      expectDocumented(operation, answer);
      expect(state.journal.list()).toHaveLength(1);
    }
  });

  it("a replay of an operation whose spec documents no 409 is still refused with 409", () => {
    const operation = op();
    const responses = new Map([...operation.responses].filter(([status]) => status !== 409));
    const undocumented = { ...operation, responses } as SpecOperation;
    const state = gong();
    const event = eventFor(operation);
    const r = request(operation, {});
    r.event = event;
    accept(state, r);
    const replay = { ...request(undocumented, {}), event };
    expect(duplicate(state, replay)).toMatchObject({ status: 409, body: { errors: ["duplicate event"] } });
  });

  it("an event without its duplicate key is never a duplicate, and is not remembered", async () => {
    const operation = spec.operations.find((o) => !requires(o, o.event.eventIdField ?? "eventId"));
    if (!operation) return; // every operation requires its event id: nothing to check
    const state = gong();
    const event = eventFor(operation);
    delete event[operation.event.eventIdField ?? "eventId"];
    expect((await pipeline(state, request(operation, event))).status).toBe(200);
    expect(state.duplicates.size).toBe(0);
    expect((await pipeline(state, request(operation, event))).status).toBe(200);
  });

  it("duplicate passes on an event whose key was not seen, and keys in the operation's duplicateKeyScope", async () => {
    const state = gong();
    for (const operation of operations()) {
      const r = request(operation, {});
      r.event = eventFor(operation);
      expect(duplicate(state, r)).toBeUndefined();
    }
    // Operations that share a key space see each other's events; the others do not.
    const [a, ...rest] = operations();
    const event = eventFor(a!);
    await pipeline(state, request(a!, event));
    for (const b of rest) {
      const r = request(b, {});
      r.event = event;
      const shared = b.event.duplicateKeyScope === a!.event.duplicateKeyScope && b.event.duplicateKey.join() === a!.event.duplicateKey.join();
      expect(duplicate(state, r)?.status, `${a!.operationId} then ${b.operationId}`).toBe(shared ? 409 : undefined);
    }
  });
});

function requires(operation: SpecOperation, field: string): boolean {
  return operation.validateRequest({ ...eventFor(operation), [field]: undefined }).some((issue) => issue.field.includes(field));
}

/** The answer, as it goes on the wire, is one the spec documents for the operation (body, headers, exact int64). */
function expectDocumented(operation: SpecOperation, answer: Answer): void {
  const headers = new Headers(answer.headers as Record<string, string>); // a JSON answer: named headers
  if (!headers.has("content-type")) headers.set("content-type", "application/json"); // what write() adds
  expect(
    checkResponse(operation, { status: answer.status, headers, text: bodyBytes(answer).toString("utf8") }),
    `${operation.operationId} ${answer.status}`,
  ).toEqual([]);
}
