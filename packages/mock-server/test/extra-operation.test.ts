// A new operation is a spec change only: a copy of the bundled spec gains an operation (a new path, its own
// x-gong-event duplicate rule, named examples), and the mock serves it, with no TypeScript changed: 200, 400,
// 401, 409, 429 (at the copy's own x-gong-rate-limits), the journal. Operations that share a duplicateKeyScope
// share one key space (the mock's behaviour, our reading of Gong); one with a scope of its own does not.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpecModel, type SpecModel } from "@gong-engage/spec-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../src/index.js";
import { basic, put, SHARED, sharedEvent, spec, VIEWED, viewedEvent } from "./helpers.js";

const DEMO = "/v9/demo-interaction";
const FOLLOW_UP = "/v9/demo-follow-up";
const AUDIT = "/v9/demo-audit";
const PER_DAY = 3;

/**
 * The bundled spec plus three operations keyed on eventId, and limits of its own: reportDemoInteraction and
 * reportDemoFollowUp share the duplicateKeyScope "demo-interaction"; reportDemoAudit has "demo-audit" to itself.
 */
function specWithDemoOperations(): Record<string, unknown> {
  const document = structuredClone(spec);
  document["x-gong-rate-limits"] = { perSecond: 1000, perDay: PER_DAY };
  document.paths[DEMO] = demoOperation("reportDemoInteraction", "demo", "demo-interaction");
  document.paths[FOLLOW_UP] = demoOperation("reportDemoFollowUp", "demo-follow-up", "demo-interaction");
  document.paths[AUDIT] = demoOperation("reportDemoAudit", "demo-audit", "demo-audit");
  return document;
}

function demoOperation(operationId: string, alias: string, duplicateKeyScope: string): Record<string, unknown> {
  const errorResponses = Object.fromEntries(["400", "401", "409", "429", "500"].map((status) => [status, spec.paths[SHARED].put.responses[status]]));
  return {
    post: {
      tags: ["Demo"],
      summary: `Report a ${alias}`,
      description: "A test operation: added to a copy of the spec only.",
      operationId,
      "x-gong-event": { alias, eventIdField: "eventId", duplicateKey: ["eventId"], duplicateKeyScope },
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["eventId", "happenedAt", "kind"],
              properties: {
                eventId: { type: "string", minLength: 1 },
                happenedAt: { type: "string", format: "date-time" },
                kind: { type: "string", enum: ["CLICK", "VISIT"] },
              },
            },
            examples: { DemoClick: { summary: "A click", value: { eventId: "demo-1", happenedAt: "2026-01-02T03:04:05Z", kind: "CLICK" } } },
          },
        },
      },
      responses: {
        "200": {
          description: "Accepted",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["requestId"],
                // x-faker: Prism's extension for dynamic responses, filled from faker (which the mock loads only then).
                properties: { requestId: { type: "string", minLength: 1 }, note: { type: "string", "x-faker": "lorem.word" } },
              },
              examples: { DemoAccepted: { value: { requestId: "demo-request" } } },
            },
          },
        },
        ...errorResponses,
      },
    },
  };
}

let dir: string;
let model: SpecModel;
let mock: MockServer;
let keys = 0;
const fresh = () => ({ Authorization: basic(`demo-key-${++keys}`, "secret") });
const demo = (body: unknown, headers: Record<string, string> = fresh()) => put(mock.url, DEMO, body, headers, "POST", model);
const event = (eventId: string, extra: Record<string, unknown> = {}) => ({ eventId, happenedAt: "2026-01-02T03:04:05Z", kind: "VISIT", ...extra });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gong-mock-extra-op-"));
  const specPath = join(dir, "openapi.json");
  writeFileSync(specPath, JSON.stringify(specWithDemoOperations()));
  model = loadSpecModel(specPath);
  mock = await startMockServer({ port: 0, specPath });
});
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an operation added to the spec only", () => {
  it("is served, with the limits of the copy's x-gong-rate-limits", () => {
    expect(mock.operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining([`POST ${DEMO}`, `POST ${FOLLOW_UP}`, `POST ${AUDIT}`]));
    expect(mock.rateLimits).toEqual({ perSecond: 1000, perDay: PER_DAY });
  });

  it("200 for its example, without an id of Gong's (no resultIdField), journaled", async () => {
    const accepted = await demo(model.operation("reportDemoInteraction")!.examples.DemoClick);
    expect(accepted.status).toBe(200);
    expect(Object.keys(accepted.json)).toEqual(["requestId"]);
    const listing = await (await fetch(`${mock.url}/__mock/events?operationId=reportDemoInteraction`)).json();
    expect(listing.events).toEqual([
      expect.objectContaining({
        operationId: "reportDemoInteraction",
        endpoint: `POST ${DEMO}`,
        body: { eventId: "demo-1", happenedAt: "2026-01-02T03:04:05Z", kind: "CLICK" },
      }),
    ]);
  });

  it("Prefer: dynamic=true fills an x-faker field from Prism's faker", async () => {
    const dynamic = await demo(event("demo-dynamic"), { ...fresh(), Prefer: "dynamic=true" });
    expect(dynamic.status).toBe(200);
    expect(dynamic.json.note).toMatch(/^[a-z]+$/);
  });

  it("400 naming each failing field", async () => {
    const refused = await demo({ eventId: "", happenedAt: "2026-02-30T00:00:00Z", kind: "TAP" });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      "eventId: must NOT have fewer than 1 characters",
      expect.stringMatching(/^happenedAt: must be a real ISO-8601 date-time/),
      'kind: must be one of: "CLICK", "VISIT"',
    ]);
  });

  it("401 without credentials", async () => {
    const refused = await demo(event("demo-401"), {});
    expect(refused.status).toBe(401);
  });

  it("409 for a replayed eventId, in the key space its duplicateKeyScope names", async () => {
    expect((await demo(event("demo-409"))).status).toBe(200);
    expect((await demo(event("demo-409", { kind: "CLICK" }))).status).toBe(409);
    // Same scope, other operation: a duplicate.
    expect((await put(mock.url, FOLLOW_UP, event("demo-409"), fresh(), "POST", model)).status).toBe(409);
    // Same key fields, a scope of its own: a new event there, then a duplicate there.
    expect((await put(mock.url, AUDIT, event("demo-409"), fresh(), "POST", model)).status).toBe(200);
    expect((await put(mock.url, AUDIT, event("demo-409"), fresh(), "POST", model)).status).toBe(409);
    // The legacy operations' scope is another key space again, and is shared by both of them.
    const shared = sharedEvent({ eventId: "demo-409" });
    expect((await put(mock.url, SHARED, shared, fresh(), "PUT", model)).status).toBe(200);
    const replayOnViewed = viewedEvent({ reportingSystem: shared.reportingSystem, eventId: shared.eventId });
    expect((await put(mock.url, VIEWED, replayOnViewed, fresh(), "PUT", model)).status).toBe(409);
  });

  it("429 with Retry-After past the copy's daily limit per credential", async () => {
    const credential = fresh();
    for (let i = 0; i < PER_DAY; i++) expect((await demo(event(`demo-429-${i}`), credential)).status).toBe(200);
    const limited = await demo(event("demo-429-over"), credential);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.json.errors).toEqual([`API request limit exceeded (${PER_DAY} calls per day per credential)`]);
    expect((await demo(event("demo-429-other"))).status).toBe(200); // another credential has its own budget
  });
});
