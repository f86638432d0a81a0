// The validating proxy (--upstream): forwards unchanged, answers the upstream's exact bytes, and names every
// way the upstream's answer departs from the spec. Two upstreams: the mock itself (conforming: zero
// violations over every documented status) and a small server that is wrong on purpose.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../src/index.js";
import { basic, eventFor, model, SHARED, sharedEvent, VIEWED, viewedEvent } from "./helpers.js";

const SECRET = "s3cret-Pa55word-XYZ";
const TOKEN = "tok-9f8e7d6c5b4a";
const AUTH = basic("proxy-key", SECRET);
const credentialTraces = [SECRET, TOKEN, AUTH, AUTH.slice("Basic ".length)];

async function send(url: string, path: string, body: unknown, headers: Record<string, string> = { Authorization: AUTH }, method = "PUT") {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

function expectNoCredentials(...outputs: unknown[]) {
  const text = outputs.map((o) => (typeof o === "string" ? o : JSON.stringify(o, (_, v) => (typeof v === "bigint" ? String(v) : v)))).join("\n");
  for (const trace of credentialTraces) expect(text).not.toContain(trace);
}

describe("the mock as its own upstream", () => {
  let upstream: MockServer;
  let proxy: MockServer;
  const logs: string[] = [];

  beforeAll(async () => {
    upstream = await startMockServer({ port: 0, ratePerSecond: 0 });
    proxy = await startMockServer({ port: 0, upstream: upstream.url, log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it("has zero violations over every documented status of every operation of the spec, and journals what the upstream accepted", async () => {
    const seen = new Map<string, Set<number>>();
    for (const operation of model.operations) {
      const statuses = new Set<number>();
      seen.set(operation.operationId, statuses);
      const call = async (body: unknown, headers?: Record<string, string>) =>
        statuses.add((await send(proxy.url, operation.path, body, headers, operation.method)).status);
      const event = eventFor(operation);
      await call(event); // 200
      await call(event); // 409, a replay
      await call({}); // 400: every operation has required fields
      await call(eventFor(operation), {}); // 401
      await call(eventFor(operation), { Authorization: `Bearer ${TOKEN}` }); // 200 by Bearer
      for (const code of [429, 500]) await call(eventFor(operation), { Authorization: AUTH, Prefer: `code=${code}` });
      await call(eventFor(operation), { Authorization: AUTH, Prefer: "code=200, dynamic=true" }); // 200, not recorded
    }
    for (const operation of model.operations) {
      expect([...seen.get(operation.operationId)!].sort(), operation.operationId).toEqual([...operation.statuses].sort());
    }
    const operations = model.operations.length;
    expect(operations).toBeGreaterThan(0); // the loop above ran
    expect(proxy.violations()).toEqual([]);
    const violations = await (await fetch(`${proxy.url}/__mock/violations`)).json();
    expect(violations).toMatchObject({ upstream: upstream.url, exchanges: 8 * operations, withViolations: 0, violations: [] });
    // Every 200 the upstream gave is journaled by the proxy, marked as the upstream's; the events the upstream
    // recorded are among them (Prefer: dynamic answers 200 without recording anything).
    expect(proxy.journal().map((e) => e.via)).toEqual(Array(3 * operations).fill("upstream"));
    expect(proxy.journal().map((e) => e.body)).toEqual(expect.arrayContaining(upstream.journal().map((e) => e.body)));
    expect(upstream.journal()).toHaveLength(2 * operations);
    expect(new Set(upstream.journal().map((e) => e.operationId))).toEqual(new Set(model.operations.map((o) => o.operationId)));
  });

  it("passes the caller's credentials through unchanged and never writes them down", async () => {
    const strict = await startMockServer({
      port: 0,
      ratePerSecond: 0,
      credentials: { accessKeys: [{ accessKey: "proxy-key", accessKeySecret: SECRET }], bearerTokens: ["another-token"] },
    });
    const lines: string[] = [];
    const checking = await startMockServer({ port: 0, upstream: strict.url, log: (line) => lines.push(line) });
    try {
      expect((await send(checking.url, SHARED, sharedEvent())).status).toBe(200);
      expect((await send(checking.url, SHARED, sharedEvent(), { Authorization: basic("proxy-key", "wrong") })).status).toBe(401);
      expect((await send(checking.url, VIEWED, viewedEvent(), { Authorization: `Bearer ${TOKEN}` })).status).toBe(401);
      const events = await (await fetch(`${checking.url}/__mock/events`)).text();
      const violations = await (await fetch(`${checking.url}/__mock/violations`)).text();
      expect(lines.filter((line) => line.startsWith("PUT "))).toHaveLength(3);
      expectNoCredentials(lines.join("\n"), events, violations, checking.journal(), checking.violations());
    } finally {
      await checking.close();
      await strict.close();
    }
    expectNoCredentials(logs.join("\n"), proxy.journal());
  });
});

describe("a wrong upstream", () => {
  // Answers each request by its X-Answer header with something the spec does not allow.
  const answers: Record<string, { status: number; headers: Record<string, string>; body: string }> = {
    "float-id": { status: 200, headers: { "Content-Type": "application/json" }, body: '{"requestId":"r-1","integrationId":4.5e18}' },
    undocumented: { status: 418, headers: { "Content-Type": "application/json" }, body: '{"requestId":"r-2","errors":["teapot"]}' },
    "no-retry-after": { status: 429, headers: { "Content-Type": "application/json" }, body: '{"requestId":"r-3","errors":["slow down"]}' },
    "no-request-id": { status: 200, headers: { "Content-Type": "application/json" }, body: '{"integrationId":7390000000000000001}' },
    "accepts-bad-body": { status: 200, headers: { "Content-Type": "application/json" }, body: '{"requestId":"r-5","integrationId":7390000000000000002}' },
    "odd-bytes": {
      status: 200,
      headers: { "Content-Type": "application/json; charset=utf-8", "X-Upstream": "yes" },
      body: '{ "requestId" : "r-6",\n  "integrationId": 7390000000000000003 }\n',
    },
  };
  let upstream: Server;
  let proxy: MockServer;
  const received: IncomingHttpHeaders[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on("end", () => {
        const answer = answers[String(req.headers["x-answer"])]!;
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    proxy = await startMockServer({ port: 0, upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const via = (answer: string, body: unknown = sharedEvent()) => send(proxy.url, SHARED, body, { Authorization: AUTH, "X-Answer": answer });
  const lastViolations = () =>
    proxy
      .violations()
      .at(-1)!
      .violations.map((v) => `${v.where}: ${v.problem}`);

  it("names a float integrationId", async () => {
    expect((await via("float-id")).status).toBe(200);
    expect(lastViolations()).toEqual([expect.stringMatching(/^response\.body\.integrationId: not an exact int64 JSON integer: written 4\.5e18$/)]);
  });

  it("names an undocumented status", async () => {
    expect((await via("undocumented")).status).toBe(418);
    expect(lastViolations()).toEqual([
      expect.stringMatching(/^response\.status: 418 is not documented for reportContentShared \(documented: 200, 400, 401, 409, 429, 500\)$/),
    ]);
  });

  it("names a 429 without Retry-After", async () => {
    expect((await via("no-retry-after")).status).toBe(429);
    expect(lastViolations()).toEqual(["response.header Retry-After: missing; the spec requires it on 429"]);
  });

  it("names a 200 without requestId", async () => {
    expect((await via("no-request-id")).status).toBe(200);
    expect(lastViolations()).toEqual(["response.body.requestId: is required"]);
  });

  it("names a 200 to a body the spec calls invalid", async () => {
    expect((await via("accepts-bad-body", { ...sharedEvent(), eventTimestamp: "yesterday" })).status).toBe(200);
    expect(lastViolations()).toEqual([expect.stringMatching(/^response\.status: 200 to a body the spec calls invalid \(.*\); the spec answers 400$/)]);
  });

  it("returns the upstream's answer byte for byte, forwards the request unchanged, and lists each violation with its exchange", async () => {
    const answer = await via("odd-bytes");
    expect(answer.bytes.toString("utf8")).toBe(answers["odd-bytes"]!.body);
    expect(answer.headers.get("x-upstream")).toBe("yes");
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(received.at(-1)).toMatchObject({ authorization: AUTH, "x-answer": "odd-bytes", "content-type": "application/json" });

    const listed = await (await fetch(`${proxy.url}/__mock/violations`)).json();
    expect(listed.exchanges).toBe(6);
    expect(listed.withViolations).toBe(5);
    expect(listed.violations.map((v: { exchange: number; status: number }) => [v.exchange, v.status])).toEqual([
      [1, 200],
      [2, 418],
      [3, 429],
      [4, 200],
      [5, 200],
    ]);
    expect(listed.violations[1]).toMatchObject({ operationId: "reportContentShared", path: SHARED, requestId: "r-2" });
    expect(logs.filter((line) => line.includes("SPEC VIOLATIONS"))).toHaveLength(5);
    expectNoCredentials(logs.join("\n"), listed, proxy.journal());
  });

  it("answers 502 naming the upstream when it cannot be reached", async () => {
    const dead = await startMockServer({ port: 0, upstream: "http://127.0.0.1:9" });
    try {
      const answer = await send(dead.url, SHARED, sharedEvent());
      expect(answer.status).toBe(502);
      expect(answer.bytes.toString()).toMatch(/upstream http:\/\/127\.0\.0\.1:9 did not answer/);
    } finally {
      await dead.close();
    }
  });

  it("refuses an upstream that is not an http(s) URL, or that carries credentials", async () => {
    await expect(startMockServer({ port: 0, upstream: "api.gong.io" })).rejects.toThrow(/`upstream`: .*absolute http\(s\) URL/);
    await expect(startMockServer({ port: 0, upstream: "https://key:secret@api.gong.io" })).rejects.toThrow(/must not carry credentials/);
  });
});
