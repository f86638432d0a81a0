// One definition of valid: for every body, the client's validation before sending accepts it if and only if
// the mock accepts it (anything but 400), and the contract suite's own validator agrees with both. Bodies are
// generated from the spec: valid ones, ones with exactly one rule broken, and the edge cases of the formats
// that once split them (non-ASCII and unencoded URLs, impossible dates, offsets, lowercase t/z, leap seconds).
import { type OperationId, validateEvent } from "@gong-engage/client";
import { type MockServer, startMockServer } from "@gong-engage/mock-server";
import { bundledSpecModel, type SpecOperation as Operation } from "@gong-engage/spec-model";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestBodies } from "../../src/arbitraries.js";
import { exchange } from "../../src/http-exchange.js";
import { candidates, RULES, sitesOf } from "../../src/mutations.js";

const model = bundledSpecModel();
const { operations, document } = model;
const schemaOf = (operation: Operation) => operation.requestSchema;

const RUNS = Number(process.env.AGREEMENT_RUNS ?? 600);

const EDGE_URLS = [
  "https://example.com/提案.pdf",
  "https://example.com/%E6%8F%90%E6%A1%88.pdf",
  "https://example.com/a|b",
  "https://example.com/a b",
  "https://example.com/a%20b",
  "https://example.com/{id}",
  "https://example.com/a\\b",
  "https://example.com/%zz",
  "http://例え.jp/",
  "http://xn--r8jz45g.jp/",
  "https://user@example.com:8080/x?y=1#top",
  "https://[::1]:8443/x",
  "HTTPS://EXAMPLE.COM/X",
  "mailto:someone@example.com",
  "urn:isbn:0451450523",
  "/relative/path",
  "example.com/doc",
  "https://",
  "",
];

const EDGE_DATES = [
  "2021-02-30T08:00:00Z",
  "2021-02-29T08:00:00Z",
  "2020-02-29T08:00:00Z",
  "2021-08-01T25:00:00Z",
  "2021-08-01T24:00:00Z",
  "2021-08-01T08:60:00Z",
  "2021-13-01T08:00:00Z",
  "2021-8-1T08:00:00Z",
  "2021-08-01T08:00:00+05:30",
  "2021-08-01T08:00:00-00:00",
  "2021-08-01T08:00:00+0530",
  "2021-08-01T08:00:00+05",
  "2021-08-01T08:00:00+24:00",
  "2021-08-01T08:00:00+23:59",
  "2021-08-01t08:00:00z",
  "2021-08-01T08:00:00z",
  "2021-08-01 08:00:00Z",
  "2021-08-01T08:00:00",
  "2021-08-01T08:00:00.123456789Z",
  "2021-08-01T08:00Z",
  "2021-12-31T23:59:60Z",
  "2021-12-31T23:59:60+01:00",
  "2022-01-01T00:59:60+01:00",
  "2021-08-01",
  "",
];

// Built once: fast-check builds its URL arbitraries' character tables when they are made.
const webUrls = fc.webUrl({ withQueryParameters: true, withFragments: true });

/** A valid body with one date-time or URL field replaced by an edge case. */
function edgeCase(operation: Operation): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(requestBodies(document, schemaOf(operation)), fc.nat(), fc.constantFrom(...EDGE_URLS), fc.constantFrom(...EDGE_DATES), webUrls)
    .map(([body, pick, url, date, webUrl]) => {
      const sites = sitesOf(document, body, schemaOf(operation)).filter(
        (s) => s.path.length && (s.schema?.format === "uri" || s.schema?.format === "date-time"),
      );
      const site = sites[pick % sites.length]!;
      const parent = site.path.slice(0, -1).reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, body);
      parent[site.path.at(-1)!] = site.schema.format === "date-time" ? date : pick % 3 === 0 ? webUrl : url;
      return body;
    });
}

/** A valid body with exactly one rule broken (any rule the body allows). */
function mutated(operation: Operation): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(requestBodies(document, schemaOf(operation)), fc.constantFrom(...RULES), fc.nat()).map(([body, rule, pick]) => {
    const options = candidates(document, body, schemaOf(operation), rule);
    return options.length ? options[pick % options.length]!().body : body;
  });
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 0, journalLimit: 10 });
});
afterAll(() => mock.close());

async function mockAccepts(operation: Operation, body: unknown): Promise<{ accepted: boolean; status: number; errors: string[] }> {
  const response = await exchange(`${mock.url}${operation.path}`, {
    method: operation.method,
    headers: { "Content-Type": "application/json", Authorization: "Bearer agreement" },
    body: JSON.stringify(body),
    timeoutMs: 30_000,
  });
  const answer = JSON.parse(response.text) as { errors?: string[] };
  expect([200, 400, 409], `mock answered ${response.status}`).toContain(response.status);
  return { accepted: response.status !== 400, status: response.status, errors: answer.errors ?? [] };
}

describe.each(operations.map((o) => [o.operationId, o] as const))("%s: the client accepts a body if and only if the mock does", (operationId, operation) => {
  it(`over ${RUNS} generated bodies (valid, one rule broken, format edge cases), the contract suite's validator agreeing`, async () => {
    const tally = { bodies: 0, accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof(requestBodies(document, schemaOf(operation)), mutated(operation), edgeCase(operation)), async (body) => {
        const issues = validateEvent(operationId as OperationId, body);
        const mock = await mockAccepts(operation, body);
        const suite = operation.validateRequest(body).length === 0;
        tally.bodies++;
        tally[mock.accepted ? "accepted" : "refused"]++;
        expect(
          { client: issues.length === 0, suite },
          `body ${JSON.stringify(body)}\nclient: ${issues.map((i) => `${i.field}: ${i.problem}`).join("; ") || "valid"}\nmock ${mock.status}: ${mock.errors.join("; ")}`,
        ).toEqual({ client: mock.accepted, suite: mock.accepted });
      }),
      { numRuns: RUNS, seed: Number(process.env.AGREEMENT_SEED ?? 20261125) },
    );
    console.log(`${operationId}: ${tally.bodies} bodies, ${tally.accepted} accepted by both, ${tally.refused} refused by both`);
    expect(tally.bodies).toBeGreaterThanOrEqual(500);
    expect(tally.accepted).toBeGreaterThan(RUNS / 10);
    expect(tally.refused).toBeGreaterThan(RUNS / 10);
  });

  it("every edge case, one by one, in each date-time and URL field", async () => {
    const base = Object.values(operation.examples)[0] as Record<string, unknown>;
    const sites = sitesOf(document, base, schemaOf(operation)).filter(
      (s) => s.path.length === 1 && (s.schema?.format === "uri" || s.schema?.format === "date-time"),
    );
    expect(sites.length).toBeGreaterThan(0);
    for (const site of sites) {
      for (const value of site.schema.format === "uri" ? EDGE_URLS : EDGE_DATES) {
        const body = { ...structuredClone(base), [site.path[0]!]: value, eventId: `edge-${Math.random()}` };
        const issues = validateEvent(operationId as OperationId, body);
        const answer = await mockAccepts(operation, body);
        expect(
          issues.length === 0,
          `${String(site.path[0])} = ${JSON.stringify(value)}: client ${issues.length ? "refuses" : "accepts"}, mock ${answer.status}`,
        ).toBe(answer.accepted);
        if (issues.length) {
          expect(issues.map((i) => i.field)).toContain(String(site.path[0]));
          if (site.schema.format === "uri") expect(issues[0]!.problem).toMatch(/absolute, percent-encoded URL/);
        }
      }
    }
  });
});

it("the known disagreements of the past get one verdict from both (impossible date-times refused; URL fields take any text)", async () => {
  const shared = operations.find((o) => o.operationId === "reportContentShared")!;
  const base = Object.values(shared.examples)[0] as Record<string, unknown>;
  for (const [field, value, refused] of [
    ["contentUrl", "https://example.com/提案.pdf", false],
    ["contentUrl", "https://example.com/a|b", false],
    ["eventTimestamp", "2021-02-30T08:00:00Z", true],
    ["eventTimestamp", "2021-08-01T25:00:00Z", true],
  ] as const) {
    const body = { ...base, [field]: value, eventId: `past-${field}-${value}` };
    expect(validateEvent("reportContentShared", body).map((i) => i.field)).toEqual(refused ? [field] : []);
    expect((await mockAccepts(shared, body)).status).toBe(refused ? 400 : 200);
  }
});
