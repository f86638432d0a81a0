// The contract suite: does this server implement the spec? Operations and their documented statuses are read
// from the spec at run time; each status has a way to elicit it, and every response is checked against the
// spec. The last test fails, naming the gap, if a documented (operation, status) pair was not elicited and
// checked. Run against the project's mock by default, or any server with CONTRACT_BASE_URL (see README).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestBodies } from "../../src/arbitraries.js";
import { checkResponse } from "../../src/checks.js";
import { Coverage } from "../../src/coverage.js";
import { candidates, RULES, type Mutation, type Rule } from "../../src/mutations.js";
import { Sender, retryAfterMs, type Sent } from "../../src/sender.js";
import { operations, type Operation } from "../../src/spec-model.js";
import { openTarget, type Target } from "../../src/target.js";

const RUNS = integerFromEnv("CONTRACT_RUNS", 100, 1);
const SEED = integerFromEnv("CONTRACT_SEED", 20261123, 0);
const BURST_LIMIT = 100;
const REPORTING_SYSTEM = "contract-tests";
const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
let eventCounter = 0;

/** Tags an event as the suite's: reportingSystem "contract-tests" and a unique eventId. */
const tagged = <T extends Record<string, unknown>>(body: T): T => ({
  ...body,
  reportingSystem: REPORTING_SYSTEM,
  eventId: `ct-${runId}-${++eventCounter}`,
});

function integerFromEnv(name: string, fallback: number, min: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`${name} must be an integer >= ${min}, got "${value}"`);
  return Number(value);
}

let target: Target;
let sender: Sender;
const coverage = new Coverage();

beforeAll(async () => {
  target = await openTarget();
  sender = new Sender(target);
  console.log(
    `contract suite: target ${target.label}; pace ${target.ratePerSecond} req/s; ${RUNS} generated inputs per property; seed ${SEED}`,
  );
});
afterAll(async () => {
  console.log(`contract suite: ${sender?.requestsSent ?? 0} requests sent`);
  await target?.close();
});

/** The richest documented example of the operation: the base for targeted negative tests. */
const richestExample = (op: Operation) =>
  Object.values(op.examples).sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0] as Record<string, unknown>;

function expectStatus(op: Operation, sent: Sent, status: number, how: string): void {
  const checks = checkResponse(op, sent, status);
  coverage.record(op.operationId, status, how, checks);
}

for (const op of operations) {
  describe(`${op.operationId} (${op.method} ${op.path})`, () => {
    it("200: every documented request example is accepted", async () => {
      const names = Object.keys(op.examples);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const sent = await sender.send(op, { body: tagged(op.examples[name]), intent: "valid" });
        expectStatus(op, sent, 200, `documented examples (${names.join(", ")})`);
      }
    });

    it("400: a body breaking each rule of the request schema is refused", async () => {
      const base = tagged(richestExample(op));
      const tried: string[] = [];
      for (const rule of RULES) {
        const [first] = candidates(base, op.requestSchema, rule);
        if (!first) continue;
        const mutation = first();
        const sent = await sender.send(op, { body: mutation.body, intent: "invalid" });
        expectStatus(op, sent, 400, "invalid bodies");
        tried.push(`${rule} (${mutation.field})`);
      }
      console.log(`${op.operationId}: 400 for ${tried.join(", ")}`);
      expect(tried.length).toBeGreaterThanOrEqual(4);
    });

    it("400: malformed JSON is refused", async () => {
      const sent = await sender.send(op, { body: '{"reportingSystem": "contract-tests", ', intent: "malformed" });
      expectStatus(op, sent, 400, "malformed JSON");
    });

    it("401: missing credentials are refused", async () => {
      const sent = await sender.send(op, { body: tagged(richestExample(op)), intent: "valid", authorization: null });
      expectStatus(op, sent, 401, "missing credentials");
    });

    it("401: bad credentials are refused", async () => {
      for (const authorization of [
        `Basic ${Buffer.from("contract-tests-key-without-secret").toString("base64")}`,
        "Basic not-base64-at-all!",
        "Bearer",
      ]) {
        const sent = await sender.send(op, { body: tagged(richestExample(op)), intent: "valid", authorization });
        expectStatus(op, sent, 401, "bad credentials");
      }
    });

    it("409: a replayed event (same reportingSystem and eventId) is refused with 409, every time", async () => {
      const event = tagged(richestExample(op));
      expectStatus(op, await sender.send(op, { body: event, intent: "valid" }), 200, "first report");
      for (const replay of [event, { ...event, contentTitle: `${String(event.contentTitle)} (edited)` }]) {
        const sent = await sender.send(op, { body: replay, intent: "valid" });
        expectStatus(op, sent, 409, "replayed event");
      }
    });

    it("500: forced with Prefer: code=500 where the target supports it", async (context) => {
      if (!target.supportsPrefer) {
        const reason = "the target does not declare Prefer support (set CONTRACT_PREFER=true if it honours Prefer: code=NNN)";
        coverage.skip(op.operationId, 500, reason);
        context.skip(reason);
        return;
      }
      const sent = await sender.send(op, { body: tagged(richestExample(op)), intent: "valid", prefer: "code=500" });
      expectStatus(op, sent, 500, "Prefer: code=500");
    });

    it(`generated valid bodies are accepted (${RUNS} runs, fast-check)`, async () => {
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(requestBodies(op.requestSchema), async (generated) => {
          tried++;
          const sent = await sender.send(op, { body: tagged(generated), intent: "valid" });
          expectStatus(op, sent, 200, `${RUNS} generated bodies`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      console.log(`${op.operationId}: ${tried} generated valid bodies accepted (seed ${SEED})`);
    }, 600_000);

    it(`generated bodies with exactly one rule broken get 400, never 200 or 5xx (${RUNS} runs)`, async () => {
      const counts = new Map<Rule, number>();
      const mutated = fc
        .tuple(requestBodies(op.requestSchema), fc.constantFrom(...RULES), fc.nat())
        .map(([body, rule, pick]): Mutation | undefined => {
          // The chosen rule, or the next one that has a place to break in this body.
          for (let i = 0; i < RULES.length; i++) {
            const r = RULES[(RULES.indexOf(rule) + i) % RULES.length]!;
            const options = candidates(tagged(body), op.requestSchema, r);
            if (options.length) return options[pick % options.length]!();
          }
          return undefined;
        })
        .filter((m): m is Mutation => m !== undefined);
      await fc.assert(
        fc.asyncProperty(mutated, async (mutation) => {
          counts.set(mutation.rule, (counts.get(mutation.rule) ?? 0) + 1);
          const sent = await sender.send(op, { body: mutation.body, intent: "invalid" });
          expect(sent.status, `${mutation.rule} at ${mutation.field}: got ${sent.status} ${sent.text.slice(0, 200)}`).toBe(400);
          expectStatus(op, sent, 400, `${RUNS} generated invalid bodies`);
        }),
        { numRuns: RUNS, seed: SEED + 1, endOnFailure: true },
      );
      console.log(`${op.operationId}: generated invalid bodies by rule: ${[...counts].map(([r, n]) => `${r} ${n}`).join(", ")}`);
    }, 600_000);

    it(`429: a burst (at most ${BURST_LIMIT} requests) is answered with 429 and an integer Retry-After`, async () => {
      const statuses = new Map<number, number>();
      let limited: Sent | undefined;
      for (let sentCount = 0; sentCount < BURST_LIMIT && !limited; sentCount += 10) {
        const wave = await Promise.all(
          Array.from({ length: Math.min(10, BURST_LIMIT - sentCount) }, () =>
            sender.send(op, { body: tagged(richestExample(op)), intent: "valid", paced: false, retryOn429: false }),
          ),
        );
        for (const sent of wave) {
          statuses.set(sent.status, (statuses.get(sent.status) ?? 0) + 1);
          if (sent.status === 429) limited ??= sent;
          else expectStatus(op, sent, 200, "burst (accepted part)");
        }
      }
      console.log(`${op.operationId}: burst statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      expect(limited, `no 429 within ${BURST_LIMIT} requests`).toBeDefined();
      expectStatus(op, limited!, 429, `burst of up to ${BURST_LIMIT}`);
      await sender.cooldown(retryAfterMs(limited!.headers) / 1000);
    }, 120_000);
  });
}

describe("coverage", () => {
  it("every documented (operation, status) pair is elicited and checked", () => {
    console.log(coverage.format());
    const gaps = coverage.gaps();
    expect(gaps, `no test elicits and checks: ${gaps.join(", ")}`).toEqual([]);
  });
});
