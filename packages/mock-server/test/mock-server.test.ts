// The mock behaves like Gong, through plain HTTP: every response is checked against the spec by the helpers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MockConfigError, type MockServer, startMockServer } from "../src/index.js";
import { basic, example, model, put, rawIntegrationId, SHARED, sharedEvent, VIEWED, viewedEvent } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe("200", () => {
  it("accepts each named example of every operation of the spec", async () => {
    let examples = 0;
    for (const operation of model.operations) {
      for (const [name, value] of Object.entries(operation.examples)) {
        expect((await put(mock.url, operation.path, value, undefined, operation.method)).status, `${operation.operationId} ${name}`).toBe(200);
        examples++;
      }
    }
    expect(examples).toBeGreaterThanOrEqual(model.operations.length); // each operation has at least one
  });

  it("answers a fresh requestId and an exact integrationId beyond 2^53 each time", async () => {
    const first = await put(mock.url, SHARED, sharedEvent());
    const second = await put(mock.url, SHARED, sharedEvent());
    expect(first.json.requestId).not.toBe(second.json.requestId);
    for (const reply of [first, second]) {
      const exact = rawIntegrationId(reply.text);
      expect(exact).toBeGreaterThan(2n ** 53n);
      expect(BigInt(reply.json.integrationId)).not.toBe(exact); // JSON.parse rounds it: the trap is armed
    }
  });
});

describe("401", () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["missing Authorization", {}, /missing/],
    ["Basic without key:secret", { Authorization: `Basic ${Buffer.from("nocolon").toString("base64")}` }, /accessKey:accessKeySecret/],
    ["Basic that is not base64", { Authorization: "Basic %%%" }, /base64/],
    ["Basic with an empty secret", { Authorization: `Basic ${Buffer.from("key:").toString("base64")}` }, /accessKey:accessKeySecret/],
    ["empty Bearer", { Authorization: "Bearer " }, /^Authorization: the Bearer token is empty$/],
    ["a Bearer with only spaces after it", { Authorization: "Bearer    " }, /^Authorization: the Bearer token is empty$/],
    ["an unknown scheme", { Authorization: "Digest abc" }, /the "Digest" scheme is not accepted; use Basic or Bearer/],
  ];
  for (const [label, headers, message] of cases) {
    it(`refuses ${label}`, async () => {
      const reply = await put(mock.url, SHARED, sharedEvent(), headers);
      expect(reply.status).toBe(401);
      expect(reply.json.errors.join(" ")).toMatch(message);
    });
  }

  it("accepts a Bearer token", async () => {
    expect((await put(mock.url, VIEWED, viewedEvent(), { Authorization: "Bearer any-token" })).status).toBe(200);
  });

  it("with configured credentials, accepts only those, and never echoes them", async () => {
    const strict = await startMockServer({
      port: 0,
      ratePerSecond: 0,
      credentials: { accessKeys: [{ accessKey: "good", accessKeySecret: "pa55word" }], bearerTokens: ["tok"] },
    });
    try {
      expect((await put(strict.url, SHARED, sharedEvent(), { Authorization: basic("good", "pa55word") })).status).toBe(200);
      expect((await put(strict.url, SHARED, sharedEvent(), { Authorization: "Bearer tok" })).status).toBe(200);
      const wrong = await put(strict.url, SHARED, sharedEvent(), { Authorization: basic("good", "wrong-secret") });
      expect(wrong.status).toBe(401);
      expect(wrong.text).not.toContain("wrong-secret");
      expect((await put(strict.url, SHARED, sharedEvent(), { Authorization: "Bearer other" })).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

describe("400", () => {
  it("names each failing field (the spec model's issues, worded as the client words them, in Gong's error body)", async () => {
    const event = sharedEvent({ contentUrl: 42, eventTimestamp: "yesterday" }) as Record<string, any>;
    delete event.contentTitle;
    event.crmContext[0].system = "Pipedrive";
    delete event.recipients[0].email;
    const reply = await put(mock.url, SHARED, event);
    expect(reply.status).toBe(400);
    const errors: string[] = reply.json.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        "contentTitle: is required",
        "contentUrl: must be a string",
        expect.stringMatching(/^eventTimestamp: .*date-time/),
        expect.stringMatching(/^crmContext\[0\]\.system: must be one of: "Salesforce"/),
        "recipients[0].email: is required",
      ]),
    );
  });

  it("refuses trackingId together with viewer", async () => {
    const reply = await put(mock.url, VIEWED, viewedEvent({ trackingId: "visitor-1" }));
    expect(reply.status).toBe(400);
    expect(reply.json.errors).toEqual(['trackingId: must be absent or null when "viewer" is sent']);
  });

  it("refuses malformed JSON and an empty body", async () => {
    const malformed = await put(mock.url, SHARED, '{"reportingSystem": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0]).toMatch(/^body: malformed JSON/);
    const empty = await put(mock.url, SHARED, "");
    expect(empty.status).toBe(400);
    expect(empty.json.errors[0]).toMatch(/^body: is required/);
  });

  it("names a wrong Content-Type, and an Accept it cannot serve, with 400", async () => {
    const wrongType = await put(mock.url, SHARED, JSON.stringify(sharedEvent()), { Authorization: basic(), "Content-Type": "text/plain" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.errors).toEqual(["Content-Type: Supported content types: application/json"]);
    const html = await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Accept: "text/html" });
    expect(html.status).toBe(400);
    expect(html.json.errors[0]).toMatch(/text\/html/);
  });

  it("a refused event is not journaled and not remembered as a duplicate", async () => {
    const event = sharedEvent({ eventTimestamp: "bad" });
    expect((await put(mock.url, SHARED, event)).status).toBe(400);
    expect((await put(mock.url, SHARED, { ...event, eventTimestamp: "2021-02-17T02:30:00-08:00" })).status).toBe(200);
    expect(mock.journal()).toHaveLength(1);
  });
});

describe("409", () => {
  it("refuses a replayed (reportingSystem, eventId)", async () => {
    const event = sharedEvent();
    expect((await put(mock.url, SHARED, event)).status).toBe(200);
    const replay = await put(mock.url, SHARED, { ...event, contentTitle: "changed" });
    expect(replay.status).toBe(409);
    expect(replay.json.errors).toEqual(["Event was already reported in the past."]);
  });

  it("keys on reportingSystem + eventId, as the spec says: another reporting system is a new event, the other endpoint is not", async () => {
    const event = sharedEvent();
    expect((await put(mock.url, SHARED, event)).status).toBe(200);
    expect((await put(mock.url, SHARED, { ...event, reportingSystem: "other-system" })).status).toBe(200);
    const sameKeyOtherEndpoint = await put(mock.url, VIEWED, { ...viewedEvent(), reportingSystem: event.reportingSystem, eventId: event.eventId });
    expect(sameKeyOtherEndpoint.status).toBe(409);
  });

  it("events without an eventId are never duplicates", async () => {
    const event = example("ContentSharedEventMinimal");
    expect((await put(mock.url, SHARED, event)).status).toBe(200);
    expect((await put(mock.url, SHARED, event)).status).toBe(200);
  });

  it("the memory is bounded: the oldest key is forgotten first", async () => {
    const small = await startMockServer({ port: 0, ratePerSecond: 0, duplicateMemory: 2 });
    try {
      const [a, b, c] = [sharedEvent(), sharedEvent(), sharedEvent()];
      for (const e of [a, b, c]) expect((await put(small.url, SHARED, e)).status).toBe(200);
      expect(small.duplicateMemorySize()).toBe(2);
      expect((await put(small.url, SHARED, c)).status).toBe(409);
      expect((await put(small.url, SHARED, a)).status).toBe(200); // forgotten, so accepted again
    } finally {
      await small.close();
    }
  });
});

describe("429", () => {
  it("answers 429 with an integer Retry-After past 3 calls per second, per credential", async () => {
    const limited = await startMockServer({ port: 0 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await put(limited.url, SHARED, sharedEvent())).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      const reply = await put(limited.url, SHARED, sharedEvent());
      expect(reply.status).toBe(429);
      expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(reply.headers.get("retry-after"))).toBeLessThanOrEqual(1);
      // Another credential has its own budget.
      expect((await put(limited.url, SHARED, sharedEvent(), { Authorization: basic("other", "key") })).status).toBe(200);
      // After Retry-After, the call goes through.
      await new Promise((r) => setTimeout(r, Number(reply.headers.get("retry-after")) * 1000));
      expect((await put(limited.url, SHARED, sharedEvent())).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("applies the daily limit, with Retry-After up to the next UTC day", async () => {
    const daily = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 2 });
    try {
      expect((await put(daily.url, SHARED, sharedEvent())).status).toBe(200);
      expect((await put(daily.url, VIEWED, viewedEvent())).status).toBe(200);
      const reply = await put(daily.url, SHARED, sharedEvent());
      expect(reply.status).toBe(429);
      const now = Date.now();
      const untilMidnight = Math.ceil((Math.ceil(now / 86_400_000) * 86_400_000 - now) / 1000);
      expect(Math.abs(Number(reply.headers.get("retry-after")) - untilMidnight)).toBeLessThanOrEqual(2);
      expect(reply.json.errors[0]).toMatch(/2 calls per day/);
    } finally {
      await daily.close();
    }
  });

  it("0 turns the limits off", async () => {
    const statuses = await Promise.all(Array.from({ length: 12 }, () => put(mock.url, SHARED, sharedEvent()).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe("Prefer", () => {
  for (const code of [200, 400, 401, 409, 429, 500]) {
    it(`Prefer: code=${code} answers ${code} with a documented body`, async () => {
      const reply = await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Prefer: `code=${code}` });
      expect(reply.status).toBe(code);
    });
  }

  it("Prefer: example= picks a named example; dynamic=true generates from the schema", async () => {
    const named = await put(mock.url, VIEWED, viewedEvent(), { Authorization: basic(), Prefer: "code=409, example=Conflict" });
    expect(named.json.errors).toEqual(example("Conflict").errors);
    const dynamic = await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Prefer: "dynamic=true" });
    expect(dynamic.status).toBe(200);
    expect(rawIntegrationId(dynamic.text)).toBeGreaterThan(2n ** 53n);
  });

  it("also takes Prism's query form (?__code=), and forced answers are not journaled", async () => {
    const response = await fetch(`${mock.url}${SHARED}?__code=500`, { method: "PUT", headers: { Authorization: basic() } });
    expect(response.status).toBe(500);
    expect((await response.json()).errors).toEqual(expect.any(Array));
    expect((await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Prefer: "code=200" })).status).toBe(200);
    expect(mock.journal()).toEqual([]);
  });

  it("Prefer: example=<name> alone answers the status that example belongs to (example=Conflict: 409)", async () => {
    const conflict = await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Prefer: "example=Conflict" });
    expect(conflict.status).toBe(409);
    expect(conflict.json.errors).toEqual(example("Conflict").errors);
    const unknown = await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Prefer: "example=NoSuchExample" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0]).toMatch(/example=NoSuchExample is not an example of reportContentShared; its examples: .*Conflict \(409\)/);
  });

  it("an undocumented code is refused with 400 naming the documented ones", async () => {
    const reply = await put(mock.url, SHARED, sharedEvent(), { Authorization: basic(), Prefer: "code=404" });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0]).toMatch(/documented: 200, 400, 401, 409, 429, 500/);
  });
});

describe("journal", () => {
  it("lists accepted events with endpoint, time and body; reset clears journal, duplicates and rate counters", async () => {
    const limited = await startMockServer({ port: 0, ratePerSecond: 2 });
    try {
      const event = sharedEvent();
      await put(limited.url, SHARED, event);
      await put(limited.url, SHARED, sharedEvent({ eventTimestamp: "bad" }));
      const listing = await (await fetch(`${limited.url}/__mock/events`)).json();
      expect(listing.events).toHaveLength(1);
      expect(listing.events[0]).toMatchObject({
        operationId: "reportContentShared",
        endpoint: `PUT ${SHARED}`,
        body: event,
        sequence: 1,
        response: { requestId: expect.any(String), integrationId: expect.any(Number) },
      });
      expect(Date.parse(listing.events[0].time)).toBeGreaterThan(Date.now() - 60_000);
      expect((await put(limited.url, SHARED, event)).status).toBe(429); // 2/s used up

      const reset = await fetch(`${limited.url}/__mock/reset`, { method: "POST" });
      expect(reset.status).toBe(200);
      expect((await (await fetch(`${limited.url}/__mock/events`)).json()).events).toEqual([]);
      expect((await put(limited.url, SHARED, event)).status).toBe(200); // counters and duplicate memory cleared
    } finally {
      await limited.close();
    }
  });

  it("keeps at most journalLimit events, oldest dropped first", async () => {
    const small = await startMockServer({ port: 0, ratePerSecond: 0, journalLimit: 2 });
    try {
      const events = [sharedEvent(), sharedEvent(), sharedEvent()];
      for (const e of events) await put(small.url, SHARED, e);
      const listing = await (await fetch(`${small.url}/__mock/events`)).json();
      expect(listing.events.map((e: { body: { eventId: string } }) => e.body.eventId)).toEqual([events[1]!.eventId, events[2]!.eventId]);
      expect(listing.accepted).toBe(3);
    } finally {
      await small.close();
    }
  });

  it("filters by operationId", async () => {
    await put(mock.url, SHARED, sharedEvent());
    await put(mock.url, VIEWED, viewedEvent());
    const listing = await (await fetch(`${mock.url}/__mock/events?operationId=reportContentViewed`)).json();
    expect(listing.events.map((e: { operationId: string }) => e.operationId)).toEqual(["reportContentViewed"]);
  });

  it("says so when the operationId filter names no operation", async () => {
    const response = await fetch(`${mock.url}/__mock/events?operationId=bogus`);
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([
      `operationId: no operation "bogus"; the operations are ${model.operations.map((o) => o.operationId).join(", ")}`,
    ]);
  });
});

describe("outside the spec", () => {
  it("an unknown path gets 404 and names what the mock serves", async () => {
    const response = await fetch(`${mock.url}/v2/calls`, { method: "PUT", headers: { Authorization: basic() } });
    expect(response.status).toBe(404);
    expect((await response.json()).errors[0]).toMatch(/serves PUT \/v2\/customer-engagement\/content\/shared/);
  });

  it("rejects invalid options with a clear error", async () => {
    await expect(startMockServer({ port: -1 })).rejects.toThrow(/port/);
    await expect(startMockServer({ ratePerSecond: 1.5 })).rejects.toThrow(/ratePerSecond/);
  });

  it("every option or spec it cannot use is a MockConfigError naming the option and the problem", async () => {
    const cases: Array<[Parameters<typeof startMockServer>[0], RegExp]> = [
      [{ port: 70_000 }, /^startMockServer: `port` must be at most 65535, got 70000\.$/],
      [{ dailyLimit: -1 }, /^startMockServer: `dailyLimit` must be a non-negative integer, got -1\.$/],
      [{ journalLimit: Number.NaN }, /^startMockServer: `journalLimit` must be a non-negative integer, got null\.$/],
      [{ host: "" }, /^startMockServer: `host` must be an address/],
      [{ port: 0, upstream: "ftp://example.invalid" }, /^startMockServer: `upstream`: upstream must use http or https/],
      [{ port: 0, faults: { rules: ["status:404"] } }, /^startMockServer: `faults`: fault rule "status:404": status needs one of 500, 502, 503, 504/],
      [{ port: 0, specPath: "/nonexistent/openapi.json" }, /^spec \/nonexistent\/openapi\.json: cannot read the OpenAPI document/],
    ];
    for (const [options, message] of cases) {
      const error = await startMockServer(options).then(
        (started) => started.close().then(() => undefined),
        (thrown: unknown) => thrown,
      );
      expect(error, JSON.stringify(options)).toBeInstanceOf(MockConfigError);
      expect((error as Error).name).toMatch(/^(MockConfigError|FaultScenarioError)$/);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("says clearly when the port is taken (not a MockConfigError: the setting is fine, the machine is busy)", async () => {
    const error = await startMockServer({ port: mock.port }).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toMatch(/already in use/);
    expect(error).not.toBeInstanceOf(MockConfigError);
  });
});
