// The users' promise, proven end to end: 1,000 events through the client's reportMany against the mock while
// it loses responses, resets connections and answers 503 (before and after recording the event). Every event
// ends in the mock's journal exactly once, and every outcome is accepted or already reported: zero lost, zero
// duplicated. The figures are printed as a table.
import { createEngagementClient, type ReportOutcome } from "@gong-engage/client";
import { type MockServer, startMockServer } from "@gong-engage/mock-server";
import { bundledSpecModel } from "@gong-engage/spec-model";
import { afterAll, beforeAll, expect, it } from "vitest";

const { operations } = bundledSpecModel();

const EVENTS = 1_000;
const SEED = 20261125;
const RULES = ["drop-response,fraction=0.1", "reset-before,fraction=0.1", "status:503,fraction=0.1", "status:503,after-processing,fraction=0.05"];

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 0, journalLimit: EVENTS * 2, faults: { seed: SEED, rules: RULES } });
});
afterAll(() => mock.close());

const example = (operationId: string) => Object.values(operations.find((o) => o.operationId === operationId)!.examples)[0] as Record<string, unknown>;

it(`${EVENTS} events through reportMany under drop-response, reset-before and 503 faults: none lost, none duplicated`, async () => {
  const run = `faults-${Date.now()}`;
  const gong = createEngagementClient({
    baseUrl: mock.url,
    auth: { accessKey: "batch", accessKeySecret: "secret" },
    rateLimit: false, // the mock's limits are off here; the quota benchmark runs at 3/s
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    timeoutMs: 5_000,
  });
  function* events() {
    for (let i = 0; i < EVENTS; i++) {
      const operation = i % 2 ? ("viewed" as const) : ("shared" as const);
      const event = { ...example(operation === "shared" ? "reportContentShared" : "reportContentViewed"), eventId: `${run}-${i}` };
      yield { operation, event } as never;
    }
  }

  const outcomes: ReportOutcome[] = [];
  for await (const outcome of gong.reportMany(events(), { concurrency: 10 })) outcomes.push(outcome);

  const count = (predicate: (o: ReportOutcome) => boolean) => outcomes.filter(predicate).length;
  const journal = mock.journal().filter((e) => String((e.body as { eventId?: string }).eventId).startsWith(run));
  const perEvent = new Map<string, number>();
  for (const entry of journal) {
    const id = String((entry.body as { eventId: string }).eventId);
    perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
  }
  const injected = (mock.faults() as { injected: Record<string, number>; requests: number }).injected;
  const table = [
    ["events sent", EVENTS],
    ["requests to the mock", (mock.faults() as { requests: number }).requests],
    ...Object.entries(injected).map(([fault, n]) => [`  fault ${fault}`, n]),
    ["outcome accepted", count((o) => o.status === "accepted")],
    ["outcome already-reported (landed-earlier)", count((o) => o.status === "already-reported" && o.reason === "landed-earlier")],
    ["outcome already-reported (reported-before)", count((o) => o.status === "already-reported" && o.reason === "reported-before")],
    ["outcome failed", count((o) => o.status === "failed")],
    ["outcome invalid / not-attempted", count((o) => o.status === "invalid" || o.status === "not-attempted")],
    ["events in the journal", perEvent.size],
    ["  of them exactly once", [...perEvent.values()].filter((n) => n === 1).length],
    ["lost (in no outcome's success and not journaled)", EVENTS - perEvent.size],
    ["duplicated (journaled twice or more)", [...perEvent.values()].filter((n) => n > 1).length],
  ] as const;
  console.log(
    `\nreportMany under faults (seed ${SEED}: ${RULES.join("; ")})\n${table.map(([k, v]) => `  ${String(k).padEnd(50)} ${String(v).padStart(6)}`).join("\n")}`,
  );

  expect(outcomes).toHaveLength(EVENTS);
  expect(new Set(outcomes.map((o) => o.index)).size).toBe(EVENTS);
  expect(count((o) => o.status === "accepted" || o.status === "already-reported")).toBe(EVENTS);
  expect(count((o) => o.status === "already-reported" && o.reason === "reported-before")).toBe(0);
  expect(perEvent.size).toBe(EVENTS);
  expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
  // The faults really happened, in numbers that matter.
  expect(injected["drop-response"]).toBeGreaterThan(50);
  expect(injected["reset-before"]).toBeGreaterThan(50);
  expect(injected["status:503"]).toBeGreaterThan(50);
  expect(count((o) => o.status === "already-reported" && o.reason === "landed-earlier")).toBeGreaterThan(50);
  // Each accepted outcome carries the integrationId the mock wrote for that very event.
  const byId = new Map(journal.map((e) => [String((e.body as { eventId: string }).eventId), e.response.integrationId]));
  for (const o of outcomes) if (o.status === "accepted" && "integrationId" in o) expect(o.integrationId).toBe(byId.get(o.eventId!));
  expect(outcomes.filter((o) => o.status === "accepted" && !("integrationId" in o))).toEqual([]);
});
