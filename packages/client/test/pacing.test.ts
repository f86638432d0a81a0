// Pacing: the schedule on its own (a fake clock), then a client against a real loopback server: concurrent
// calls spread to 3 per second, a quota that would make a call wait too long refuses it without sending, and a
// 429's Retry-After holds every call of the client back.
import { afterEach, describe, expect, it } from "vitest";
import { createEngagementClient, GongApiError } from "../src/index.js";
import { Pacer } from "../src/pacing.js";
import { sharedEvent } from "./events.js";
import { fail, ok, scriptedServer, type ScriptedServer } from "./scripted-server.js";

describe("Pacer: the foreseen waits (fake clock)", () => {
  const clock = (start = Date.UTC(2026, 10, 25, 12, 0, 0)) => {
    const c = { now: start, fn: () => c.now };
    return c;
  };
  const wait = (r: ReturnType<Pacer["reserve"]>) => (r.ok ? r.estimatedWaitMs : -1);

  it("lets perSecond calls go at once, then foresees each next one a window after the one perSecond before it", () => {
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, clock().fn);
    expect(Array.from({ length: 7 }, () => wait(pacer.reserve(60_000)))).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it("counts the UTC day, and refuses (booking nothing) when the next turn is past maxWaitMs", () => {
    const c = clock(Date.UTC(2026, 10, 25, 23, 59, 0));
    const pacer = new Pacer({ perSecond: 0, perDay: 2 }, c.fn);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 60_000, limit: "2 calls per UTC day" });
    expect(wait(pacer.reserve(60_000))).toBe(60_000); // the first turn of the next day
    c.now = Date.UTC(2026, 10, 26, 0, 0, 1);
    expect(wait(pacer.reserve(1000))).toBe(0);
    expect(pacer.reserve(1000).ok).toBe(false);
  });

  it("a Retry-After pauses every later turn", () => {
    const pacer = new Pacer({ perSecond: 3, perDay: 0 }, clock().fn);
    pacer.pauseFor(5);
    expect(wait(pacer.reserve(10_000))).toBe(5000);
    expect(pacer.reserve(1000)).toEqual({ ok: false, waitMs: 5000, limit: "Gong's Retry-After" });
  });

  it("refuses bad limits", () => {
    expect(() => new Pacer({ perSecond: -1 })).toThrow(/rateLimit\.perSecond` must be a non-negative integer/);
    expect(() => new Pacer({ perDay: 1.5 })).toThrow(/rateLimit\.perDay/);
  });
});

describe("Pacer: the line (real time)", () => {
  it("starts attempt i a full window after attempt i - perSecond was answered, first come first served", async () => {
    const pacer = new Pacer({ perSecond: 2, perDay: 0 });
    const starts: number[] = [];
    const answers: number[] = [];
    const latency = [150, 10, 10, 10, 10];
    await Promise.all(
      latency.map(async (ms, i) => {
        const permit = pacer.reserve(60_000);
        if (!permit.ok) throw new Error("refused");
        await permit.ready();
        starts[i] = Date.now();
        await new Promise((resolve) => setTimeout(resolve, ms)); // the server's answer takes this long
        answers[i] = Date.now();
        permit.answered();
      }),
    );
    expect([...starts].sort((a, b) => a - b)).toEqual(starts); // in order of arrival
    for (let i = 2; i < starts.length; i++) expect(starts[i]! - answers[i - 2]!).toBeGreaterThanOrEqual(999);
  });

  it("an abort while waiting leaves the line and lets the others go", async () => {
    const pacer = new Pacer({ perSecond: 1, perDay: 0 });
    const first = pacer.reserve(60_000);
    const second = pacer.reserve(60_000);
    const third = pacer.reserve(60_000);
    if (!first.ok || !second.ok || !third.ok) throw new Error("refused");
    await first.ready();
    first.answered();
    const controller = new AbortController();
    const waiting = second.ready(controller.signal);
    controller.abort(new Error("caller gave up"));
    await expect(waiting).rejects.toThrow("caller gave up");
    const started = Date.now();
    await third.ready();
    expect(Date.now() - started).toBeLessThan(1_500);
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
