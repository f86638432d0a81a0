// The suite's sender against a stand-in with a rate limit (a sliding one-second window counted on arrival): paced
// requests (the client's Pacer) stay under it, a burst goes out at once and its 429s come back as they are, and
// the request budget stops request n + 1 before it is sent. Counts only, no timings.

import { bundledSpecModel } from "@gong-engage/spec-model";
import { describe, expect, it } from "vitest";
import { BudgetExhausted, Sender } from "../../src/sender.js";
import { richestExample, tagEvent } from "../../src/suites.js";
import type { Target } from "../../src/target.js";
import { type IndependentServer, startIndependentServer } from "./independent-server.js";

const model = bundledSpecModel();
const op = model.operations[0]!;
const LIMIT = 3;
let counter = 0;
const event = () => tagEvent(model, op, richestExample(op), `sender-test-${Date.now().toString(36)}-${++counter}`);

async function withStandIn(run: (server: IndependentServer, target: Target) => Promise<void>): Promise<void> {
  const server = await startIndependentServer({ ratePerSecond: LIMIT });
  const target: Target = {
    baseUrl: server.url,
    label: server.url,
    authorization: `Basic ${Buffer.from("sender-test:sender-test-secret").toString("base64")}`,
    ratePerSecond: LIMIT,
    perDay: 0,
    supportsPrefer: false,
    inProcess: false,
    close: async () => {},
  };
  try {
    await run(server, target);
  } finally {
    await server.close();
  }
}

describe.concurrent("the suite's sender", () => {
  it("paces with the client's pacer: three times the limit in a row, each sent once, none answered 429", async () => {
    await withStandIn(async (server, target) => {
      const sender = new Sender(target);
      for (let i = 0; i < 3 * LIMIT; i++) expect((await sender.send(op, { body: event(), intent: "valid" })).status).toBe(200);
      expect(sender.statuses()).toEqual({ 200: 3 * LIMIT });
      expect(server.received).toBe(3 * LIMIT);
    });
  });

  it("sends a burst outside the pacer and never resends its 429s; after the cooldown a paced request is accepted", async () => {
    await withStandIn(async (server, target) => {
      const sender = new Sender(target);
      const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, () => sender.send(op, { body: event(), intent: "valid", paced: false })));
      expect(burst.every((sent) => sent.status === 200 || sent.status === 429)).toBe(true);
      expect(server.received).toBe(3 * LIMIT);
      expect(sender.requestsSent).toBe(3 * LIMIT);
      sender.cooldown(1);
      expect((await sender.send(op, { body: event(), intent: "valid" })).status).toBe(200);
      expect(server.received).toBe(3 * LIMIT + 1);
    });
  });

  it("spends the request budget and never sends request n + 1", async () => {
    await withStandIn(async (server, target) => {
      const sender = new Sender(target, 2);
      await sender.send(op, { body: event(), intent: "valid" });
      await sender.send(op, { body: event(), intent: "valid" });
      expect(sender.remaining()).toBe(0);
      await expect(sender.send(op, { body: event(), intent: "valid" })).rejects.toThrow(BudgetExhausted);
      await expect(sender.send(op, { body: event(), intent: "valid", paced: false })).rejects.toThrow(/request budget spent/);
      expect(server.received).toBe(2);
      expect(sender.requestsSent).toBe(2);
    });
  });
});
