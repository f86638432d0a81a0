// Pacing: the schedule on its own (a fake clock), then a client against a real loopback server: concurrent
// calls spread to 3 per second, a quota that would make a call wait too long refuses it without sending, and a
// 429's Retry-After holds every call of the client back.
import { afterEach, describe, expect, it } from "vitest";
import { createEngagementClient, GongApiError } from "../src/index.js";
import { Pacer } from "../src/pacing.js";
import { sharedEvent } from "./events.js";
import { fail, ok, scriptedServer, type ScriptedServer } from "./scripted-server.js";

describe("Pacer (fake clock)", () => {
  const clock = (start = Date.UTC(2026, 10, 25, 12, 0, 0)) => {
    const c = { now: start, fn: () => c.now };
    return c;
  };

  it("lets perSecond calls go at once, then books each next one a window after the one perSecond before it", () => {
    const c = clock();
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, c.fn);
    const waits = Array.from({ length: 7 }, () => (pacer.reserve(60_000) as { waitMs: number }).waitMs);
    expect(waits).toEqual([0, 0, 0, 1025, 1025, 1025, 2050]);
  });

  it("never books more than perSecond slots inside any window, however calls arrive", () => {
    const c = clock();
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, c.fn);
    const slots: number[] = [];
    for (let i = 0; i < 200; i++) {
      c.now += Math.floor((i * 7919) % 613); // irregular arrivals
      const r = pacer.reserve(600_000);
      if (r.ok) slots.push(c.now + r.waitMs);
    }
    for (let i = 3; i < slots.length; i++) expect(slots[i]! - slots[i - 3]!).toBeGreaterThan(1000);
  });

  it("counts the UTC day, and refuses (booking nothing) when the next slot is past maxWaitMs", () => {
    const c = clock(Date.UTC(2026, 10, 25, 23, 59, 0));
    const pacer = new Pacer({ perSecond: 0, perDay: 2 }, c.fn);
    expect(pacer.reserve(1000)).toEqual({ ok: true, waitMs: 0 });
    expect(pacer.reserve(1000)).toEqual({ ok: true, waitMs: 0 });
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 60_000, limit: "2 calls per UTC day" });
    expect(pacer.stats().today).toBe(2);
    expect(pacer.reserve(60_000)).toEqual({ ok: true, waitMs: 60_000 }); // the first slot of the next day
    c.now = Date.UTC(2026, 10, 26, 0, 0, 1);
    expect(pacer.reserve(1000)).toEqual({ ok: true, waitMs: 0 });
    expect(pacer.reserve(1000).ok).toBe(false);
  });

  it("a Retry-After pauses every later slot", () => {
    const c = clock();
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, c.fn);
    pacer.pauseFor(5);
    expect(pacer.reserve(10_000)).toEqual({ ok: true, waitMs: 5000 });
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 5000, limit: "Gong's Retry-After" });
  });

  it("refuses bad limits", () => {
    expect(() => new Pacer({ perSecond: -1 })).toThrow(/rateLimit\.perSecond` must be a non-negative integer/);
    expect(() => new Pacer({ perDay: 1.5 })).toThrow(/rateLimit\.perDay/);
  });
});

describe("a paced client over HTTP", () => {
  let server: ScriptedServer | undefined;
  afterEach(() => server?.close());
  const credentials = { accessKey: "k", accessKeySecret: "s" };

  it("spreads 7 concurrent calls to at most 3 in any second, all of them accepted", async () => {
    server = await scriptedServer(Array.from({ length: 7 }, () => ok()));
    const arrivals: number[] = [];
    const gong = createEngagementClient({
      baseUrl: server.url,
      auth: credentials,
      fetch: (request) => {
        arrivals.push(Date.now());
        return fetch(request);
      },
    });
    const results = await Promise.all(Array.from({ length: 7 }, () => gong.reportContentShared(sharedEvent())));
    expect(results.every((r) => r.alreadyReported === false)).toBe(true);
    expect(server.received).toHaveLength(7);
    arrivals.sort((a, b) => a - b);
    for (let i = 3; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 3]!).toBeGreaterThanOrEqual(1000);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeLessThan(4_000); // about 2.05 s: paced, not stalled
  });

  it("refuses at once with QUOTA_EXHAUSTED, sending nothing, when the day's quota is used up", async () => {
    server = await scriptedServer([ok(), ok(), ok()]);
    const gong = createEngagementClient({ baseUrl: server.url, auth: credentials, rateLimit: { perSecond: 10, perDay: 2 } });
    await gong.reportContentShared(sharedEvent());
    await gong.reportContentShared(sharedEvent());
    const started = Date.now();
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(200);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error).toMatchObject({ code: "QUOTA_EXHAUSTED", attempts: 0, mayHaveLanded: false });
    const toMidnight = Math.ceil((Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000 - Date.now()) / 1000);
    expect(Math.abs(error.retryAfter - toMidnight)).toBeLessThanOrEqual(2);
    expect(error.message).toMatch(/not sent: 2 calls per UTC day allows the next call in \d+s/);
    expect(server.received).toHaveLength(2);
  });

  it("a 429's Retry-After holds back the client's other calls; one longer than maxWaitMs refuses them without sending", async () => {
    server = await scriptedServer([fail(429, ["limit"], { "Retry-After": "1" }), ok(), ok()]);
    const gong = createEngagementClient({ baseUrl: server.url, auth: credentials, rateLimit: { perSecond: 100 } });
    const started = Date.now();
    const first = gong.reportContentShared(sharedEvent());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = gong.reportContentShared(sharedEvent());
    await Promise.all([first, second]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server.received).toHaveLength(3);

    server.close();
    server = await scriptedServer([fail(429, ["daily limit"], { "Retry-After": "10083" })]);
    const daily = createEngagementClient({ baseUrl: server.url, auth: credentials });
    await expect(daily.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "HTTP_ERROR", status: 429, retryAfter: 10083, attempts: 1 });
    const next = await daily.reportContentShared(sharedEvent()).catch((e) => e);
    expect(next).toMatchObject({ code: "QUOTA_EXHAUSTED", attempts: 0 });
    expect(next.retryAfter).toBeGreaterThan(10_000);
    expect(next.message).toMatch(/Gong's Retry-After/);
    expect(server.received).toHaveLength(1);
  });

  it("rateLimit: false sends at once", async () => {
    server = await scriptedServer(Array.from({ length: 6 }, () => ok()));
    const gong = createEngagementClient({ baseUrl: server.url, auth: credentials, rateLimit: false });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => gong.reportContentShared(sharedEvent())));
    expect(Date.now() - started).toBeLessThan(900);
  });
});
