// The tests of each profile, as data: a name, the requests it plans to send and the run itself. The plan
// (plan.ts) and the test file (test/contract/contract.test.ts) are both made from these definitions, so the
// printed plan is the suite that runs.
//   full   every documented example, a body breaking each rule, malformed JSON, missing and bad credentials,
//          replays, Prefer: code=500, CONTRACT_RUNS generated valid and one-rule-broken bodies, and a burst per
//          operation: thorough, about 530 requests at the default 100 runs.
//   smoke  every documented (operation, status) pair with as few requests as it can: the examples, one edited
//          replay, one body per rule, malformed JSON, one missing and one bad credential, 500 if Prefer is
//          honoured, one generated body, and one burst shared by both operations (about 40 requests).
import fc from "fast-check";
import { expect } from "vitest";
import { requestBodies } from "./arbitraries.js";
import { checkResponse } from "./checks.js";
import type { Config } from "./config.js";
import type { Coverage } from "./coverage.js";
import { candidates, RULES, type Mutation, type Rule } from "./mutations.js";
import { retryAfterMs, type Sender, type Sent } from "./sender.js";
import { operations, type Operation } from "./spec-model.js";
import type { Target } from "./target.js";

export const REPORTING_SYSTEM = "contract-tests";
const FULL_BURST_LIMIT = 100;
const SMOKE_BURST_LIMIT = 30;
const WAVE = 10;
const BAD_CREDENTIALS = [
  `Basic ${Buffer.from("contract-tests-key-without-secret").toString("base64")}`,
  "Basic not-base64-at-all!",
  "Bearer",
];

export interface SuiteContext {
  config: Config;
  target: Target;
  sender: Sender;
  coverage: Coverage;
  /** Tags an event as the suite's: reportingSystem "contract-tests" and a unique eventId with the run's prefix. */
  tagged<T extends Record<string, unknown>>(body: T): T;
  /** State shared by the tests of one operation (e.g. the event the 409 test replays). */
  state: Map<string, unknown>;
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

/** The rules that can be broken somewhere in the richest example. */
function breakableRules(op: Operation): Rule[] {
  const base = { ...richestExample(op), reportingSystem: REPORTING_SYSTEM, eventId: "plan" };
  return RULES.filter((rule) => candidates(base, op.requestSchema, rule).length > 0);
}

function expectStatus(ctx: SuiteContext, op: Operation, sent: Sent, status: number, how: string): void {
  ctx.coverage.record(op.operationId, status, how, checkResponse(op, sent, status));
}

const preferTest = (op: Operation, supportsPrefer: boolean): TestDefinition => ({
  name: "500: forced with Prefer: code=500 where the target supports it",
  planned: supportsPrefer ? 1 : 0,
  ...(supportsPrefer
    ? {}
    : { skip: { reason: "the target does not declare Prefer support (set CONTRACT_PREFER=true if it honours Prefer: code=NNN)", statuses: [500] } }),
  async run(ctx) {
    const sent = await ctx.sender.send(op, { body: ctx.tagged(richestExample(op)), intent: "valid", prefer: "code=500" });
    expectStatus(ctx, op, sent, 500, "Prefer: code=500");
  },
});

const examplesTest = (op: Operation): TestDefinition => ({
  name: "200: every documented request example is accepted",
  planned: Object.keys(op.examples).length,
  async run(ctx) {
    const names = Object.keys(op.examples);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const event = ctx.tagged(op.examples[name]);
      const sent = await ctx.sender.send(op, { body: event, intent: "valid" });
      expectStatus(ctx, op, sent, 200, `documented examples (${names.join(", ")})`);
      if (!ctx.state.has("accepted")) ctx.state.set("accepted", event);
    }
  },
});

const rulesTest = (op: Operation, withMalformed: boolean): TestDefinition => {
  const breakers = breakableRules(op);
  return {
    name: `400: a body breaking each rule of the request schema is refused${withMalformed ? ", and malformed JSON" : ""}`,
    planned: breakers.length + (withMalformed ? 1 : 0),
    async run(ctx) {
      const tried: string[] = [];
      for (const rule of breakers) {
        const [first] = candidates(ctx.tagged(richestExample(op)), op.requestSchema, rule);
        const mutation = first!();
        const sent = await ctx.sender.send(op, { body: mutation.body, intent: "invalid" });
        expectStatus(ctx, op, sent, 400, "invalid bodies");
        tried.push(`${rule} (${mutation.field})`);
      }
      if (withMalformed) {
        const sent = await ctx.sender.send(op, { body: '{"reportingSystem": "contract-tests", ', intent: "malformed" });
        expectStatus(ctx, op, sent, 400, "malformed JSON");
        tried.push("malformed JSON");
      }
      console.log(`${op.operationId}: 400 for ${tried.join(", ")}`);
      expect(breakers.length).toBeGreaterThanOrEqual(4);
    },
  };
};

const credentialsTest = (op: Operation, bad: string[]): TestDefinition => ({
  name: `401: missing${bad.length ? " and bad" : ""} credentials are refused`,
  planned: 1 + bad.length,
  async run(ctx) {
    const sent = await ctx.sender.send(op, { body: ctx.tagged(richestExample(op)), intent: "valid", authorization: null });
    expectStatus(ctx, op, sent, 401, "missing credentials");
    for (const authorization of bad) {
      const refused = await ctx.sender.send(op, { body: ctx.tagged(richestExample(op)), intent: "valid", authorization });
      expectStatus(ctx, op, refused, 401, "bad credentials");
    }
  },
});

/** Sends waves of concurrent requests (operations interleaved) until each operation got a 429, up to `limit`. */
async function burst(ctx: SuiteContext, ops: Operation[], limit: number): Promise<void> {
  const statuses = new Map<string, Map<number, number>>();
  const limited = new Map<string, Sent>();
  let sentCount = 0;
  while (limited.size < ops.length && sentCount < limit) {
    const size = Math.min(WAVE, limit - sentCount, ctx.sender.remaining());
    if (size <= 0) break;
    const wave = Array.from({ length: size }, (_, i) => ops[i % ops.length]!);
    sentCount += size;
    const answers = await Promise.all(
      wave.map(async (op) => [op, await ctx.sender.send(op, { body: ctx.tagged(richestExample(op)), intent: "valid", paced: false, retryOn429: false })] as const),
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
  for (const [id, counts] of statuses) console.log(`${id}: burst statuses ${JSON.stringify(Object.fromEntries(counts))}`);
  for (const op of ops) {
    const sent = limited.get(op.operationId);
    expect(sent, `${op.operationId}: no 429 within ${sentCount} burst requests${sentCount >= limit ? "" : " (the request budget ran out)"}`).toBeDefined();
    expectStatus(ctx, op, sent!, 429, `burst of up to ${limit}`);
  }
  const longest = Math.max(...[...limited.values()].map((sent) => retryAfterMs(sent.headers)));
  await ctx.sender.cooldown(longest / 1000);
}

function fullTests(op: Operation, config: Config, supportsPrefer: boolean): TestDefinition[] {
  const runs = config.runs;
  return [
    examplesTest(op),
    rulesTest(op, false),
    {
      name: "400: malformed JSON is refused",
      planned: 1,
      async run(ctx) {
        const sent = await ctx.sender.send(op, { body: '{"reportingSystem": "contract-tests", ', intent: "malformed" });
        expectStatus(ctx, op, sent, 400, "malformed JSON");
      },
    },
    credentialsTest(op, BAD_CREDENTIALS),
    {
      name: "409: a replayed event (same reportingSystem and eventId) is refused with 409, every time",
      planned: 3,
      async run(ctx) {
        const event = ctx.tagged(richestExample(op));
        expectStatus(ctx, op, await ctx.sender.send(op, { body: event, intent: "valid" }), 200, "first report");
        for (const replay of [event, { ...event, contentTitle: `${String(event.contentTitle)} (edited)` }]) {
          expectStatus(ctx, op, await ctx.sender.send(op, { body: replay, intent: "valid" }), 409, "replayed event");
        }
      },
    },
    preferTest(op, supportsPrefer),
    {
      name: `generated valid bodies are accepted (${runs} runs, fast-check)`,
      planned: runs,
      timeoutMs: 600_000,
      async run(ctx) {
        let tried = 0;
        await fc.assert(
          fc.asyncProperty(requestBodies(op.requestSchema), async (generated) => {
            tried++;
            const sent = await ctx.sender.send(op, { body: ctx.tagged(generated), intent: "valid" });
            expectStatus(ctx, op, sent, 200, `${runs} generated bodies`);
          }),
          { numRuns: runs, seed: config.seed, endOnFailure: true },
        );
        console.log(`${op.operationId}: ${tried} generated valid bodies accepted (seed ${config.seed})`);
      },
    },
    {
      name: `generated bodies with exactly one rule broken get 400, never 200 or 5xx (${runs} runs)`,
      planned: runs,
      timeoutMs: 600_000,
      async run(ctx) {
        const counts = new Map<Rule, number>();
        const mutated = fc
          .tuple(requestBodies(op.requestSchema), fc.constantFrom(...RULES), fc.nat())
          .map(([body, rule, pick]): Mutation | undefined => {
            // The chosen rule, or the next one that has a place to break in this body.
            for (let i = 0; i < RULES.length; i++) {
              const r = RULES[(RULES.indexOf(rule) + i) % RULES.length]!;
              const options = candidates(ctx.tagged(body), op.requestSchema, r);
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
        console.log(`${op.operationId}: generated invalid bodies by rule: ${[...counts].map(([r, n]) => `${r} ${n}`).join(", ")}`);
      },
    },
    {
      name: `429: a burst (at most ${FULL_BURST_LIMIT} requests) is answered with 429 and an integer Retry-After`,
      planned: FULL_BURST_LIMIT,
      timeoutMs: 120_000,
      run: (ctx) => burst(ctx, [op], FULL_BURST_LIMIT),
    },
  ];
}

function smokeTests(op: Operation, index: number, supportsPrefer: boolean, seed: number): TestDefinition[] {
  return [
    examplesTest(op),
    {
      name: "409: the accepted example, edited and sent again, is refused",
      planned: 1,
      async run(ctx) {
        const accepted = ctx.state.get("accepted") as Record<string, unknown> | undefined;
        expect(accepted, "the 200 test accepted no example to replay").toBeDefined();
        const replay = { ...accepted!, contentTitle: `${String(accepted!.contentTitle)} (edited)` };
        expectStatus(ctx, op, await ctx.sender.send(op, { body: replay, intent: "valid" }), 409, "edited replay of an accepted example");
      },
    },
    rulesTest(op, true),
    credentialsTest(op, [BAD_CREDENTIALS[index % BAD_CREDENTIALS.length]!]),
    preferTest(op, supportsPrefer),
    {
      name: "200: a generated valid body is accepted",
      planned: 1,
      async run(ctx) {
        const [generated] = fc.sample(requestBodies(op.requestSchema), { numRuns: 1, seed: seed + index });
        const sent = await ctx.sender.send(op, { body: ctx.tagged(generated!), intent: "valid" });
        expectStatus(ctx, op, sent, 200, "a generated body");
      },
    },
  ];
}

/** The tests of the configured profile. */
export function suiteFor(config: Config): SuiteDefinition {
  const supportsPrefer = !config.baseUrl || config.prefer;
  if (config.profile === "full") {
    return { perOperation: operations.map((operation) => ({ operation, tests: fullTests(operation, config, supportsPrefer) })), shared: [] };
  }
  return {
    perOperation: operations.map((operation, i) => ({ operation, tests: smokeTests(operation, i, supportsPrefer, config.seed) })),
    shared: [
      {
        name: `429: one burst for all operations, in waves of ${WAVE} (at most ${SMOKE_BURST_LIMIT}), is answered with 429 and an integer Retry-After`,
        planned: WAVE,
        timeoutMs: 120_000,
        run: (ctx) => burst(ctx, operations, SMOKE_BURST_LIMIT),
      },
    ],
  };
}
