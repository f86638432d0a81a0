// The tests of each profile, as data: a name, the requests it plans to send and the run itself. The plan
// (plan.ts) and the test file (test/contract/contract.test.ts) are both made from these definitions, so the
// printed plan is the suite that runs.
//   full   every documented example, a body breaking each rule, malformed JSON, missing and bad credentials,
//          replays to the same operation, Prefer: code=500, CONTRACT_RUNS generated valid and one-rule-broken bodies, and a burst per
//          operation: thorough, about 530 requests at the default 100 runs.
//   smoke  every documented (operation, status) pair with as few requests as it can: the examples, one edited
//          replay to the same operation, one body per rule, malformed JSON, one missing and one bad credential,
//          500 if Prefer is honoured, one generated body, and one burst shared by all operations (37 requests
//          for the two operations of today's spec, preflight included).
// Which fields are tagged, which field is the event id and which are in the duplicate key come from the spec
// (x-gong-event); the suite only ever asserts a 409 for a replay to the operation that accepted the event.

import type { SpecOperation as Operation, SpecModel } from "@gong-engage/spec-model";
import fc from "fast-check";
import { expect } from "vitest";
import { flatten, type Json, requestBodies } from "./arbitraries.js";
import { expectResponse } from "./checks.js";
import type { Config } from "./config.js";
import type { Coverage } from "./coverage.js";
import { candidates, type Mutation, RULES, type Rule } from "./mutations.js";
import { retryAfterMs, type Sender, type Sent } from "./sender.js";
import type { Target } from "./target.js";

/** The value the suite writes into the other plain-text fields of an operation's duplicate key (x-gong-event). */
export const SUITE_TAG = "contract-tests";
/** A body that is not JSON (the 400 for malformed JSON). */
const MALFORMED_JSON = '{"contract-tests": ';
const FULL_BURST_LIMIT = 100;
const SMOKE_BURST_LIMIT = 30;
const WAVE = 10;
const BAD_CREDENTIALS = [`Basic ${Buffer.from("contract-tests-key-without-secret").toString("base64")}`, "Basic not-base64-at-all!", "Bearer"];

export interface SuiteContext {
  config: Config;
  model: SpecModel;
  target: Target;
  sender: Sender;
  coverage: Coverage;
  /** Tags an event as the suite's: a unique event id with the run's prefix (see tagEvent). */
  tagged(op: Operation, body: unknown): Record<string, unknown>;
  /** State of one operation's tests (e.g. the event its 409 test replays). */
  state(op: Operation): Map<string, unknown>;
  /** Where the tests' notes go (the console in the suite, a buffer in the self-checks). */
  log(line: string): void;
}

/**
 * The suite's event: its event id field (x-gong-event.eventIdField) set to `eventId`, and the other plain-text
 * fields of its duplicate key set to SUITE_TAG, so that the suite's events are easy to find in the target and
 * never collide with anyone else's.
 */
export function tagEvent(model: SpecModel, op: Operation, body: unknown, eventId: string): Record<string, unknown> {
  const event = { ...(body as Record<string, unknown>) };
  const schema = flatten(model.document, op.requestSchema);
  for (const field of op.event.duplicateKey) {
    if (field === op.event.eventIdField) continue;
    const property = flatten(model.document, schema?.properties?.[field]);
    if (property?.type === "string" && !property.enum && !property.format) event[field] = SUITE_TAG;
  }
  if (op.event.eventIdField) event[op.event.eventIdField] = eventId;
  return event;
}

/**
 * The same event with a field outside its duplicate key changed: a top-level plain-text field (no enum, no
 * format) the event carries. Gong documents that the same event reported again is refused, edited or not.
 */
export function editedReplay(model: SpecModel, op: Operation, event: Record<string, unknown>): Record<string, unknown> {
  const schema = flatten(model.document, op.requestSchema);
  const key = new Set([...op.event.duplicateKey, op.event.eventIdField]);
  const field = Object.keys(event).find((name) => {
    const property: Json = flatten(model.document, schema?.properties?.[name]);
    return !key.has(name) && typeof event[name] === "string" && property?.type === "string" && !property.enum && !property.format;
  });
  return field ? { ...event, [field]: `${String(event[field])} (edited)` } : { ...event };
}

export interface TestDefinition {
  name: string;
  /** Requests it will send (for a burst: the most it may send). */
  planned: number;
  /** Skipped, with this reason (recorded in the coverage report). */
  skip?: { reason: string; statuses: number[] };
  timeoutMs?: number;
  run(ctx: SuiteContext): Promise<void>;
}

export interface SuiteDefinition {
  /** Per operation, in spec order. */
  perOperation: Array<{ operation: Operation; tests: TestDefinition[] }>;
  /** Tests that span operations (the smoke profile's shared burst). */
  shared: TestDefinition[];
}

/** The richest documented example of the operation: the base for targeted tests. */
export const richestExample = (op: Operation) =>
  Object.values(op.examples).sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0] as Record<string, unknown>;

const requestSchema = (_model: SpecModel, op: Operation): Json => op.requestSchema;

/** The rules that can be broken somewhere in the richest example. */
function breakableRules(model: SpecModel, op: Operation): Rule[] {
  const base = tagEvent(model, op, richestExample(op), "plan");
  return RULES.filter((rule) => candidates(model.document, base, requestSchema(model, op), rule).length > 0);
}

function expectStatus(ctx: SuiteContext, op: Operation, sent: Sent, status: number, how: string): void {
  ctx.coverage.record(op.operationId, status, how, expectResponse(op, sent, status));
}

const preferTest = (op: Operation, supportsPrefer: boolean): TestDefinition => ({
  name: "500: forced with Prefer: code=500 where the target supports it",
  planned: supportsPrefer ? 1 : 0,
  ...(supportsPrefer
    ? {}
    : { skip: { reason: "the target does not declare Prefer support (set CONTRACT_PREFER=true if it honours Prefer: code=NNN)", statuses: [500] } }),
  async run(ctx) {
    const sent = await ctx.sender.send(op, { body: ctx.tagged(op, richestExample(op)), intent: "valid", prefer: "code=500" });
    expectStatus(ctx, op, sent, 500, "Prefer: code=500");
  },
});

const examplesTest = (op: Operation): TestDefinition => ({
  name: "200: every documented request example is accepted",
  planned: Object.keys(op.examples).length,
  async run(ctx) {
    const names = Object.keys(op.examples);
    expect(names.length, `${op.operationId} documents no request example`).toBeGreaterThan(0);
    for (const name of names) {
      const event = ctx.tagged(op, op.examples[name]);
      const sent = await ctx.sender.send(op, { body: event, intent: "valid" });
      expectStatus(ctx, op, sent, 200, `documented examples (${names.join(", ")})`);
      if (!ctx.state(op).has("accepted")) ctx.state(op).set("accepted", event);
    }
  },
});

const malformedTest = (op: Operation): TestDefinition => ({
  name: "400: malformed JSON is refused",
  planned: 1,
  async run(ctx) {
    const sent = await ctx.sender.send(op, { body: MALFORMED_JSON, intent: "malformed" });
    expectStatus(ctx, op, sent, 400, "malformed JSON");
  },
});

const rulesTest = (model: SpecModel, op: Operation, withMalformed: boolean): TestDefinition => {
  const breakers = breakableRules(model, op);
  return {
    name: `400: a body breaking each rule of the request schema is refused${withMalformed ? ", and malformed JSON" : ""}`,
    planned: breakers.length + (withMalformed ? 1 : 0),
    async run(ctx) {
      const tried: string[] = [];
      for (const rule of breakers) {
        const [first] = candidates(model.document, ctx.tagged(op, richestExample(op)), requestSchema(model, op), rule);
        const mutation = first!();
        const sent = await ctx.sender.send(op, { body: mutation.body, intent: "invalid" });
        expectStatus(ctx, op, sent, 400, "invalid bodies");
        tried.push(`${rule} (${mutation.field})`);
      }
      if (withMalformed) {
        const sent = await ctx.sender.send(op, { body: MALFORMED_JSON, intent: "malformed" });
        expectStatus(ctx, op, sent, 400, "malformed JSON");
        tried.push("malformed JSON");
      }
      ctx.log(`${op.operationId}: 400 for ${tried.join(", ")}`);
      expect(breakers.length, `${op.operationId}: fewer than 4 rules of its request schema can be broken in its examples`).toBeGreaterThanOrEqual(
        Math.min(4, RULES.length),
      );
    },
  };
};

const credentialsTest = (op: Operation, bad: string[]): TestDefinition => ({
  name: `401: missing${bad.length ? " and bad" : ""} credentials are refused`,
  planned: 1 + bad.length,
  async run(ctx) {
    const sent = await ctx.sender.send(op, { body: ctx.tagged(op, richestExample(op)), intent: "valid", authorization: null });
    expectStatus(ctx, op, sent, 401, "missing credentials");
    for (const authorization of bad) {
      const refused = await ctx.sender.send(op, { body: ctx.tagged(op, richestExample(op)), intent: "valid", authorization });
      expectStatus(ctx, op, refused, 401, "bad credentials");
    }
  },
});

/**
 * 409, as Gong documents it ("Event was already reported in the past"): an event this operation accepted, sent
 * to the same operation again. Whether a replay to another operation is a duplicate is our reading
 * (x-gong-event.duplicateKeyScope), so it is never asserted here.
 */
const replayTest = (model: SpecModel, op: Operation, fresh: boolean): TestDefinition => ({
  name: fresh
    ? "409: an accepted event sent again to the same operation is refused with 409, every time (as sent, and edited)"
    : "409: the accepted example, edited and sent again to the same operation, is refused",
  planned: fresh ? 3 : 1,
  async run(ctx) {
    let event = ctx.state(op).get("accepted") as Record<string, unknown> | undefined;
    if (fresh) {
      event = ctx.tagged(op, richestExample(op));
      expectStatus(ctx, op, await ctx.sender.send(op, { body: event, intent: "valid" }), 200, "first report");
    }
    expect(event, `${op.operationId}: the 200 test accepted no example to replay`).toBeDefined();
    const replays = fresh ? [event!, editedReplay(model, op, event!)] : [editedReplay(model, op, event!)];
    for (const replay of replays) {
      const sent = await ctx.sender.send(op, { body: replay, intent: "valid" });
      expectStatus(ctx, op, sent, 409, fresh ? "the same event sent again to the same operation" : "edited replay of an accepted example");
    }
  },
});

/**
 * Sends waves of concurrent requests (operations interleaved) until each operation got a 429, up to `limit`.
 * Each wave is WAVE larger than the one before (10, 20, 30, ...): a server that answers more slowly than its
 * own limit still meets a wave that arrives at once. The first wave is already larger than the pace the suite
 * keeps (the target's calls per second): against a server limiting at 40/s, waves of 10, 20, 30 and 40 could
 * each stay within the limit if each took over a second to answer (a loaded machine), and meet no 429 at all.
 * With `twice`, the full profile's burst (its whole budget planned), it is over twice the pace: a wave of 41 whose
 * requests the server takes in over a second can also miss the limit; 81 at once need over two.
 */
async function burst(ctx: SuiteContext, ops: Operation[], limit: number, twice = false): Promise<void> {
  const statuses = new Map<string, Map<number, number>>();
  const limited = new Map<string, Sent>();
  let sentCount = 0;
  const firstWave = Math.max(WAVE, (twice ? 2 : 1) * Math.floor(ctx.target.ratePerSecond) + 1);
  for (let waveSize = firstWave; limited.size < ops.length && sentCount < limit; waveSize += WAVE) {
    const size = Math.min(waveSize, limit - sentCount, ctx.sender.remaining());
    if (size <= 0) break;
    const wave = Array.from({ length: size }, (_, i) => ops[i % ops.length]!);
    sentCount += size;
    const answers = await Promise.all(
      wave.map(async (op) => [op, await ctx.sender.send(op, { body: ctx.tagged(op, richestExample(op)), intent: "valid", paced: false })] as const),
    );
    for (const [op, sent] of answers) {
      const counts = statuses.get(op.operationId) ?? new Map<number, number>();
      counts.set(sent.status, (counts.get(sent.status) ?? 0) + 1);
      statuses.set(op.operationId, counts);
      if (sent.status === 429) {
        if (!limited.has(op.operationId)) limited.set(op.operationId, sent);
      } else {
        expectStatus(ctx, op, sent, 200, "burst (accepted part)");
      }
    }
  }
  for (const [id, counts] of statuses) ctx.log(`${id}: burst statuses ${JSON.stringify(Object.fromEntries(counts))}`);
  for (const op of ops) {
    const sent = limited.get(op.operationId);
    expect(sent, `${op.operationId}: no 429 within ${sentCount} burst requests${sentCount >= limit ? "" : " (the request budget ran out)"}`).toBeDefined();
    expectStatus(ctx, op, sent!, 429, `burst of up to ${limit}`);
  }
  const longest = Math.max(...[...limited.values()].map((sent) => retryAfterMs(sent.headers)));
  ctx.sender.cooldown(longest / 1000);
}

function fullTests(model: SpecModel, op: Operation, config: Config, supportsPrefer: boolean): TestDefinition[] {
  const runs = config.runs;
  const schema = requestSchema(model, op);
  return [
    examplesTest(op),
    rulesTest(model, op, false),
    malformedTest(op),
    credentialsTest(op, BAD_CREDENTIALS),
    replayTest(model, op, true),
    preferTest(op, supportsPrefer),
    {
      name: `generated valid bodies are accepted (${runs} runs, fast-check)`,
      planned: runs,
      timeoutMs: 600_000,
      async run(ctx) {
        let tried = 0;
        await fc.assert(
          fc.asyncProperty(requestBodies(model.document, schema), async (generated) => {
            tried++;
            const sent = await ctx.sender.send(op, { body: ctx.tagged(op, generated), intent: "valid" });
            expectStatus(ctx, op, sent, 200, `${runs} generated bodies`);
          }),
          { numRuns: runs, seed: config.seed, endOnFailure: true },
        );
        ctx.log(`${op.operationId}: ${tried} generated valid bodies accepted (seed ${config.seed})`);
      },
    },
    {
      name: `generated bodies with exactly one rule broken get 400, never 200 or 5xx (${runs} runs)`,
      planned: runs,
      timeoutMs: 600_000,
      async run(ctx) {
        const counts = new Map<Rule, number>();
        const mutated = fc
          .tuple(requestBodies(model.document, schema), fc.constantFrom(...RULES), fc.nat())
          .map(([body, rule, pick]): Mutation | undefined => {
            // The chosen rule, or the next one that has a place to break in this body.
            for (let i = 0; i < RULES.length; i++) {
              const r = RULES[(RULES.indexOf(rule) + i) % RULES.length]!;
              const options = candidates(model.document, ctx.tagged(op, body), schema, r);
              if (options.length) return options[pick % options.length]!();
            }
            return undefined;
          })
          .filter((m): m is Mutation => m !== undefined);
        await fc.assert(
          fc.asyncProperty(mutated, async (mutation) => {
            counts.set(mutation.rule, (counts.get(mutation.rule) ?? 0) + 1);
            const sent = await ctx.sender.send(op, { body: mutation.body, intent: "invalid" });
            expect(sent.status, `${mutation.rule} at ${mutation.field}: got ${sent.status} ${sent.text.slice(0, 200)}`).toBe(400);
            expectStatus(ctx, op, sent, 400, `${runs} generated invalid bodies`);
          }),
          { numRuns: runs, seed: config.seed + 1, endOnFailure: true },
        );
        ctx.log(`${op.operationId}: generated invalid bodies by rule: ${[...counts].map(([r, n]) => `${r} ${n}`).join(", ")}`);
      },
    },
    {
      name: `429: a burst (at most ${FULL_BURST_LIMIT} requests) is answered with 429 and an integer Retry-After`,
      planned: FULL_BURST_LIMIT,
      timeoutMs: 120_000,
      run: (ctx) => burst(ctx, [op], FULL_BURST_LIMIT, true),
    },
  ];
}

function smokeTests(model: SpecModel, op: Operation, index: number, supportsPrefer: boolean, seed: number): TestDefinition[] {
  return [
    examplesTest(op),
    replayTest(model, op, false),
    rulesTest(model, op, true),
    credentialsTest(op, [BAD_CREDENTIALS[index % BAD_CREDENTIALS.length]!]),
    preferTest(op, supportsPrefer),
    {
      name: "200: a generated valid body is accepted",
      planned: 1,
      async run(ctx) {
        const [generated] = fc.sample(requestBodies(model.document, requestSchema(model, op)), { numRuns: 1, seed: seed + index });
        const sent = await ctx.sender.send(op, { body: ctx.tagged(op, generated!), intent: "valid" });
        expectStatus(ctx, op, sent, 200, "a generated body");
      },
    },
  ];
}

/** The tests of the configured profile, for the operations of `model`. */
export function suiteFor(config: Config, model: SpecModel): SuiteDefinition {
  const operations = model.operations;
  const supportsPrefer = !config.baseUrl || config.prefer;
  if (config.profile === "full") {
    return { perOperation: operations.map((operation) => ({ operation, tests: fullTests(model, operation, config, supportsPrefer) })), shared: [] };
  }
  return {
    perOperation: operations.map((operation, i) => ({ operation, tests: smokeTests(model, operation, i, supportsPrefer, config.seed) })),
    shared: [
      {
        name: `429: one burst for all operations, in waves of ${WAVE}, ${2 * WAVE}, ... (at most ${SMOKE_BURST_LIMIT} in all), is answered with 429 and an integer Retry-After`,
        planned: WAVE,
        timeoutMs: 120_000,
        run: (ctx) => burst(ctx, operations, SMOKE_BURST_LIMIT),
      },
    ],
  };
}
