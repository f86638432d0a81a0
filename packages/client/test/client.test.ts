// The client's behaviour against a real HTTP server on loopback: auth, exact int64, errors, retries that
// honour Retry-After, Gong's 409 semantics, timeouts, aborts and validation before sending.

import { getEventListeners } from "node:events";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEngagementClient, type EngagementClientOptions, GongApiError, GongValidationError, type RetryInfo } from "../src/index.js";
import { digitalInteraction, minimalSharedEvent, sharedEvent, viewedEvent } from "./events.js";
import { accepted, FAKE_TIMERS, type FetchStep, refusedWith, scriptedFetch, settle } from "./scripted-fetch.js";
import { fail, ok, type ScriptedServer, type Step, scriptedServer } from "./scripted-server.js";

const require = createRequire(import.meta.url);
const credentials = { accessKey: "AK-test-key", accessKeySecret: "s3cr3t-value-never-logged" };
let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(steps: Step[], options: Partial<Parameters<typeof createEngagementClient>[0]> = {}) {
  server = await scriptedServer(steps);
  const retries: RetryInfo[] = [];
  const gong = createEngagementClient({
    baseUrl: server.url,
    auth: credentials,
    retry: { baseDelayMs: 1, maxDelayMs: 20 },
    rateLimit: false, // these tests are about single calls; pacing has its own (pacing.test.ts)
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { gong, server, retries };
}

describe("requests", () => {
  it("PUTs the event as JSON to the shared endpoint with Basic auth", async () => {
    const { gong, server } = await clientFor([ok()]);
    const event = sharedEvent();
    await gong.reportContentShared(event);
    const [request] = server.received;
    expect(request!.method).toBe("PUT");
    expect(request!.url).toBe("/v2/customer-engagement/content/shared");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers.accept).toBe("application/json");
    const expected = `Basic ${Buffer.from("AK-test-key:s3cr3t-value-never-logged").toString("base64")}`;
    expect(request!.headers.authorization).toBe(expected);
    expect(JSON.parse(request!.body)).toEqual(event);
  });

  it("sends a Bearer token to the viewed endpoint under a customer-specific base URL", async () => {
    server = await scriptedServer([ok()]);
    const gong = createEngagementClient({ baseUrl: `${server.url}/company-17/`, auth: { bearerToken: "tok-123" } });
    await gong.reportContentViewed(viewedEvent());
    expect(server.received[0]!.url).toBe("/company-17/v2/customer-engagement/content/viewed");
    expect(server.received[0]!.headers.authorization).toBe("Bearer tok-123");
  });

  it("hands the global fetch the URL and init, no Request object of its own (a custom fetch gets a Request)", async () => {
    const { gong, server } = await clientFor([ok(), ok()]);
    const spy = vi.spyOn(globalThis, "fetch");
    try {
      await gong.reportContentShared(sharedEvent());
      const [input, init] = spy.mock.calls[0]!;
      expect(input).toBe(`${server.url}/v2/customer-engagement/content/shared`);
      expect(init).toMatchObject({ method: "PUT" });
      expect(typeof init!.body).toBe("string");
    } finally {
      spy.mockRestore();
    }
    const inputs: unknown[] = [];
    const custom = createEngagementClient({
      baseUrl: server.url,
      auth: credentials,
      rateLimit: false,
      fetch: (request) => {
        inputs.push(request);
        return globalThis.fetch(request);
      },
    });
    await custom.reportContentShared(sharedEvent());
    expect(inputs[0]).toBeInstanceOf(Request);
    expect((inputs[0] as Request).method).toBe("PUT");
  });

  it("encodes non-ASCII access keys as UTF-8 before base64", async () => {
    server = await scriptedServer([ok()]);
    const gong = createEngagementClient({ baseUrl: server.url, auth: { accessKey: "clé", accessKeySecret: "sécret" } });
    await gong.reportContentShared(minimalSharedEvent());
    const header = server.received[0]!.headers.authorization!;
    expect(Buffer.from(header.slice(6), "base64").toString("utf8")).toBe("clé:sécret");
  });
});

describe("exact int64", () => {
  it("reads integrationId beyond 2^53 without rounding", async () => {
    const { gong } = await clientFor([ok("5517027188234206123", "4al018gzaztcr8nbukw")]);
    const result = await gong.reportContentShared(sharedEvent());
    expect(result).toEqual({ requestId: "4al018gzaztcr8nbukw", integrationId: 5517027188234206123n, alreadyReported: false });
  });

  it("keeps the largest int64 and small ids exact, always as bigint", async () => {
    const { gong } = await clientFor([ok("9223372036854775807"), ok("42")]);
    expect((await gong.reportContentShared(sharedEvent())).integrationId).toBe(9223372036854775807n);
    expect((await gong.reportContentShared(sharedEvent())).integrationId).toBe(42n);
  });

  it.each([
    ["an integrationId that is not an exact integer", '{"requestId":"r1","integrationId":5.5e18}', "r1", "integrationId is missing or not an exact integer"],
    ["no integrationId", '{"requestId":"r1"}', "r1", "integrationId is missing or not an exact integer"],
    ["a body that is not JSON", "<html>OK</html>", undefined, "the body is not JSON"],
    ["a JSON null", "null", undefined, "integrationId is missing or not an exact integer"],
    ["an empty body", "", undefined, "the body is not JSON"],
  ])("a 200 with %s rejects with INVALID_RESPONSE, is not retried, and says (flag and message) that the event landed", async (_, body, requestId, problem) => {
    const { gong, server, retries } = await clientFor([{ status: 200, body }, ok()]);
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", status: 200, requestId, attempts: 1, mayHaveLanded: true, errors: [problem] });
    const id = requestId ? ` (requestId ${requestId})` : "";
    expect(error.message).toBe(
      `reportContentShared: Gong answered 200${id}, so the event is recorded, but with an unreadable body: ${problem}; do not resend it`,
    );
    expect(server.received).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it.each([
    ["nested under the same name", '{"extra":{"integrationId":1},"integrationId":9223372036854775807}', 9223372036854775807n],
    ["mentioned inside a string", '{"requestId":"\\"integrationId\\":5","integrationId":9007199254740993}', 9007199254740993n],
    ["with spaces", '{ "integrationId" : 9007199254740995 , "requestId": "r" }', 9007199254740995n],
    ["small", '{"integrationId":42}', 42n],
    ["negative", '{"integrationId":-9007199254740993}', -9007199254740993n],
  ])("reads the exact integrationId when it is %s", async (_, body, id) => {
    const { gong } = await clientFor([{ status: 200, body }]);
    expect((await gong.reportContentShared(sharedEvent())).integrationId).toBe(id);
  });

  it("reads an integrationId that a server sends quoted", async () => {
    const { gong } = await clientFor([{ status: 200, body: '{"requestId":"r1","integrationId":"5517027188234206123"}' }]);
    expect((await gong.reportContentShared(sharedEvent())).integrationId).toBe(5517027188234206123n);
  });
});

describe("errors", () => {
  it.each([400, 401])("%i is never retried and rejects with Gong's messages", async (status) => {
    const { gong, server, retries } = await clientFor([fail(status, ["contentUrl: bad", "second problem"]), ok()]);
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error).toMatchObject({ status, requestId: `req-${status}`, errors: ["contentUrl: bad", "second problem"], attempts: 1 });
    expect(error.message).toContain(String(status));
    expect(error.message).toContain(`req-${status}`);
    expect(error.message).toContain("contentUrl: bad");
    expect(server.received).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it("never puts credentials in the message, stack, JSON form or cause", async () => {
    const { gong } = await clientFor([fail(401)]);
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    const basic = Buffer.from("AK-test-key:s3cr3t-value-never-logged").toString("base64");
    const everything = [error.message, error.stack, JSON.stringify(error), String(error.cause ?? ""), JSON.stringify(Object.entries(error))].join("\n");
    for (const secret of ["s3cr3t-value-never-logged", basic]) expect(everything).not.toContain(secret);
  });

  it("invalid options throw a TypeError naming the option, without echoing secrets", () => {
    expect(() => createEngagementClient({ auth: { accessKey: "k", accessKeySecret: "" } })).toThrow(/auth\.accessKeySecret/);
    expect(() => createEngagementClient({ auth: { bearerToken: " " } })).toThrow(/auth\.bearerToken/);
    expect(() => createEngagementClient({ auth: {} as never })).toThrow(/auth/);
    expect(() => createEngagementClient({ auth: credentials, baseUrl: "api.gong.io" })).toThrow(/baseUrl/);
    expect(() => createEngagementClient({ auth: credentials, baseUrl: "https://k:s3cr3t@api.gong.io" })).toThrow(/must not carry credentials/);
    expect(() => createEngagementClient({ auth: credentials, timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createEngagementClient({ auth: credentials, retry: { maxRetries: 1.5 } })).toThrow(/retry\.maxRetries/);
    const colon = () => createEngagementClient({ auth: { accessKey: "a:b", accessKeySecret: "s3cr3t-value-never-logged" } });
    expect(colon).toThrow("createEngagementClient: `auth.accessKey` must not contain ':' (Basic auth separates key and secret with it).");
  });

  it.each([
    [{ auth: { accessKey: "k", accessKeySecret: "s3cr3t\nX-Evil: 1" } }, "createEngagementClient: `auth.accessKeySecret` must not contain line breaks."],
    [{ auth: { bearerToken: "tok\r\n" } }, "createEngagementClient: `auth.bearerToken` must not contain line breaks."],
    [{ auth: { accessKey: "k" } }, "createEngagementClient: `auth.accessKeySecret` must be a non-empty string."],
    [{ auth: { accessKeySecret: "s" } }, "createEngagementClient: `auth.accessKey` must be a non-empty string."],
    [{ auth: { bearerToken: 42 } }, "createEngagementClient: `auth.bearerToken` must be a non-empty string."],
    [{ auth: { token: "t" } }, "createEngagementClient: `auth` must be { accessKey, accessKeySecret } (Basic) or { bearerToken } (OAuth)."],
    [{ auth: undefined }, "createEngagementClient: `auth` is required: { accessKey, accessKeySecret } (Basic) or { bearerToken } (OAuth)."],
    [{ auth: { bearerToken: "t" }, baseUrl: "ftp://api.gong.io" }, 'createEngagementClient: `baseUrl` must use http or https, got "ftp:".'],
    [
      { auth: { bearerToken: "t" }, baseUrl: "nope" },
      'createEngagementClient: `baseUrl` must be an absolute http(s) URL such as https://api.gong.io, got "nope".',
    ],
    [{ auth: { bearerToken: "t" }, baseUrl: "https://user@api.gong.io" }, "createEngagementClient: `baseUrl` must not carry credentials; pass them in `auth`."],
    [{ auth: { bearerToken: "t" }, baseUrl: "https://api.gong.io/?x=1" }, 'createEngagementClient: `baseUrl` must not have a query or fragment, got "?x=1".'],
    [{ auth: { bearerToken: "t" }, timeoutMs: Number.NaN }, "createEngagementClient: `timeoutMs` must be a non-negative number of milliseconds, got NaN."],
    [{ auth: { bearerToken: "t" }, retry: { maxDelayMs: -1 } }, "createEngagementClient: `retry.maxDelayMs` must be a non-negative number, got -1."],
    [
      { auth: { bearerToken: "t" }, retry: { baseDelayMs: Number.POSITIVE_INFINITY } },
      "createEngagementClient: `retry.baseDelayMs` must be a non-negative number, got Infinity.",
    ],
    [undefined, "createEngagementClient: options are required, at least { auth }."],
  ])("refuses %o: %s", (options, message) => {
    expect(() => createEngagementClient(options as never)).toThrow(new TypeError(message));
    try {
      createEngagementClient(options as never);
    } catch (error) {
      expect(String(error)).not.toContain("s3cr3t");
    }
  });
});

describe("retries", () => {
  it("does not retry a 429 whose Retry-After is longer than maxDelayMs: it rejects at once, saying when", async () => {
    const { gong, server, retries } = await clientFor([fail(429, ["limit"], { "Retry-After": "3600" }), ok()], {
      retry: { maxDelayMs: 25 },
    });
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ code: "HTTP_ERROR", status: 429, retryAfter: 3600, attempts: 1, mayHaveLanded: false });
    expect(retries).toEqual([]);
    expect(server.received).toHaveLength(1);
  });

  it("says 'retry after' once in a 429's message, also when Gong's message says it", async () => {
    const { gong } = await clientFor([fail(429, ["Too many requests, retry after 1 second"], { "Retry-After": "1" })], { retry: false });
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error.message.match(/retry after/gi)).toHaveLength(1);
  });

  it("says when to retry in a 429's message when Gong's message does not", async () => {
    const { gong } = await clientFor([fail(429, ["API request limit exceeded"], { "Retry-After": "1" })], { retry: false });
    const second = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(second.message).toMatch(/^reportContentShared: Gong answered 429 \(requestId req-429\), retry after 1s: API request limit exceeded$/);
  });

  it("gives up after maxRetries with the last 429 and its retryAfter", async () => {
    const limited = () => fail(429, ["API request limit exceeded"], { "Retry-After": "0" });
    const { gong, server } = await clientFor([limited(), limited(), limited()], { retry: { maxRetries: 2 } });
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ status: 429, retryAfter: 0, attempts: 3 });
    expect(server.received).toHaveLength(3);
  });

  it.each([500, 502, 503, 504])("retries %i with capped, jittered exponential back-off", async (status) => {
    const { gong, retries } = await clientFor([fail(status), fail(status), ok()], {
      retry: { baseDelayMs: 8, maxDelayMs: 12 },
    });
    await gong.reportContentShared(sharedEvent());
    expect(retries.map((r) => r.reason)).toEqual([status, status]);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(4);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(8);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(6);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(12);
  });

  it("retries are bounded: 1 + maxRetries requests at most (default 3 retries)", async () => {
    const { gong, server } = await clientFor(Array.from({ length: 10 }, () => fail(503)));
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ status: 503, attempts: 4, code: "HTTP_ERROR" });
    expect(server.received).toHaveLength(4);
  });

  it("mayHaveLanded: true after a lost response or a 5xx to the end, false after a 4xx or a refused connection", async () => {
    const lost = await clientFor([{ drop: true }], { retry: false });
    await expect(lost.gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "NETWORK_ERROR", mayHaveLanded: true });
    await server!.close();
    const overloaded = await clientFor([fail(503), fail(503)], { retry: { maxRetries: 1, baseDelayMs: 1 } });
    const error = await overloaded.gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ status: 503, mayHaveLanded: true });
    expect(error.message).toMatch(/may have been recorded: resend it with the same eventId/);
    await server!.close();
    const refused = await clientFor([fail(400)]);
    await expect(refused.gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 400, mayHaveLanded: false });
    const url = server!.url;
    await server!.close();
    const gone = createEngagementClient({ baseUrl: url, auth: credentials, rateLimit: false, retry: { maxRetries: 1, baseDelayMs: 1 } });
    await expect(gone.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "NETWORK_ERROR", attempts: 2, mayHaveLanded: false });
    server = undefined;
  });

  it("retry: false sends exactly once", async () => {
    const { gong, server } = await clientFor([fail(503), ok()], { retry: false });
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 503 });
    expect(server.received).toHaveLength(1);
  });

  it("retries a dropped connection", async () => {
    const { gong, retries } = await clientFor([{ drop: true }, ok()]);
    await gong.reportContentShared(sharedEvent());
    expect(retries[0]!.reason).toBe("network-error");
  });

  it("reports an unreachable server as NETWORK_ERROR after its retries", async () => {
    const gong = createEngagementClient({
      baseUrl: "http://127.0.0.1:9",
      auth: credentials,
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", attempts: 2, status: undefined });
    expect(error.message).toMatch(/could not reach Gong/);
  });
});

describe("events without an eventId (optional on the legacy endpoints)", () => {
  const anonymous = () => {
    const { eventId: _, ...event } = sharedEvent();
    return event;
  };
  it("are not resent after an outcome that may have recorded them: Gong could not tell the resend from a new event", async () => {
    for (const step of [fail(500), { drop: true } as const]) {
      const { gong, server } = await clientFor([step, ok()]);
      const error = await gong.reportContentShared(anonymous()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GongApiError);
      expect(error).toMatchObject({ attempts: 1, mayHaveLanded: true });
      expect((error as GongApiError).errors.at(-1)).toMatch(/^not resent: the event has no eventId/);
      expect(server.received).toHaveLength(1);
      await server.close();
    }
  });

  it("are still retried after a 429 or a refused connection (nothing was recorded), and with an eventId after a 5xx", async () => {
    const { gong, server } = await clientFor([fail(429, ["slow down"], { "Retry-After": "0" }), ok()]);
    await expect(gong.reportContentShared(anonymous())).resolves.toMatchObject({ alreadyReported: false });
    expect(server.received).toHaveLength(2);
    await server.close();
    const identified = await clientFor([fail(503), ok()]);
    await expect(identified.gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: false });
    expect(identified.server.received).toHaveLength(2);
  });
});

describe("Gong's 409", () => {
  it("a 409 to the first attempt rejects: the caller sent a duplicate", async () => {
    const { gong, server } = await clientFor([fail(409, ["Event was already reported in the past."])]);
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error).toMatchObject({ status: 409, attempts: 1, errors: ["Event was already reported in the past."] });
    expect(server.received).toHaveLength(1);
  });

  it("5xx then 409: the first attempt landed, so the event is reported", async () => {
    const { gong, server } = await clientFor([fail(500), fail(409)]);
    const result = await gong.reportContentShared(sharedEvent());
    expect(result).toEqual({ requestId: "req-409", integrationId: undefined, alreadyReported: true });
    expect(server.received).toHaveLength(2);
  });

  it("timeout then 409: the event is reported", async () => {
    const { gong } = await clientFor([{ hang: true }, fail(409)], { timeoutMs: 1_000 });
    await expect(gong.reportContentViewed(viewedEvent())).resolves.toMatchObject({ alreadyReported: true });
  });

  it("network error then 409: the event is reported", async () => {
    const { gong } = await clientFor([{ drop: true }, fail(409)]);
    await expect(gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: true });
  });

  it("429 then 409: a 429 is a clear refusal, so the 409 is a real duplicate", async () => {
    const { gong } = await clientFor([fail(429, ["limit"], { "Retry-After": "0" }), fail(409)]);
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 409, attempts: 2 });
  });

  it("5xx, 429, then 409: the unknown first attempt still counts", async () => {
    const { gong } = await clientFor([fail(503), fail(429, ["limit"], { "Retry-After": "0" }), fail(409)]);
    await expect(gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: true });
  });
});

describe("timeouts and aborts", () => {
  it("times out a hanging attempt and retries it", async () => {
    const { gong, retries } = await clientFor([{ hang: true }, ok()], { timeoutMs: 1_000 });
    await expect(gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: false });
    expect(retries[0]!.reason).toBe("timeout");
  });

  it("the timeout also covers a body that stops half-way", async () => {
    const { gong, retries } = await clientFor([{ headersThenHang: true }, ok()], { timeoutMs: 1_000 });
    await expect(gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: false });
    expect(retries[0]!.reason).toBe("timeout");
  });

  it("rejects with TIMEOUT when every attempt hangs", async () => {
    const { gong, server } = await clientFor(
      Array.from({ length: 3 }, () => ({ hang: true as const })),
      {
        // Long enough that a loaded machine still delivers each request before its attempt times out.
        timeoutMs: 1_000,
        retry: { maxRetries: 2, baseDelayMs: 1 },
      },
    );
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ code: "TIMEOUT", attempts: 3 });
    expect(server.received).toHaveLength(3);
  });

  it("honours the caller's AbortSignal during a request, without retrying", async () => {
    const { gong, server, retries } = await clientFor([{ hang: true }, ok()], { timeoutMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const call = gong.reportContentShared(sharedEvent(), { signal: controller.signal });
    while (server.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // the request is out
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(server.received).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it("honours the caller's AbortSignal during a Retry-After wait", async () => {
    const controller = new AbortController();
    // The abort comes once the wait has begun: onRetry runs just before it, and the timer fires after.
    const { gong, server } = await clientFor([fail(429, ["limit"], { "Retry-After": "60" }), ok()], {
      retry: { maxDelayMs: 60_000 },
      onRetry: () => void setTimeout(() => controller.abort(), 0),
    });
    await expect(gong.reportContentShared(sharedEvent(), { signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(server.received).toHaveLength(1);
  });

  it("an already-aborted signal sends nothing", async () => {
    const { gong, server } = await clientFor([ok()]);
    await expect(gong.reportContentShared(sharedEvent(), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(server.received).toHaveLength(0);
  });
});

describe("other 5xx and the retry hook", () => {
  it("a proxy's 524 may have been processed: retried, and mayHaveLanded when it is the last answer; 501 is final and known", async () => {
    const retried = await clientFor([fail(524), ok()]);
    await expect(retried.gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: false });
    expect(retried.server.received).toHaveLength(2);
    await retried.server.close();
    const last = await clientFor([fail(524), fail(524)], { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
    await expect(last.gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 524, mayHaveLanded: true, attempts: 2 });
    await last.server.close();
    const unsupported = await clientFor([fail(501), ok()]);
    await expect(unsupported.gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 501, mayHaveLanded: false, attempts: 1 });
  });

  it("an onRetry that throws costs the event nothing: the retry still happens", async () => {
    const { gong, server } = await clientFor([fail(503), ok()], {
      onRetry: () => {
        throw new Error("the logger is down");
      },
    });
    await expect(gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: false });
    expect(server.received).toHaveLength(2);
  });

  it("a timeoutMs beyond what a timer holds (2^31 - 1 ms) does not time out at once", async () => {
    const { gong } = await clientFor([ok()], { timeoutMs: 3_000_000_000 });
    await expect(gong.reportContentShared(sharedEvent())).resolves.toMatchObject({ alreadyReported: false });
  });
});

describe("validation before sending", () => {
  it("an event that cannot be written as JSON (a BigInt in an open field) is invalid, named, and nothing is sent", async () => {
    const { gong, server } = await clientFor([ok()]);
    const event = sharedEvent() as unknown as { crmContext: Array<{ objects: Array<{ fields: Array<{ value: unknown }> }> }> };
    event.crmContext[0]!.objects[0]!.fields[0]!.value = { amount: 12n };
    const error = await gong.reportContentShared(event as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GongValidationError);
    expect((error as GongValidationError).issues).toEqual([{ field: "(event)", problem: expect.stringMatching(/^cannot be written as JSON \(.*BigInt/) }]);
    expect(server.received).toHaveLength(0);
  });

  it("rejects a bad event before any request, naming each failing field", async () => {
    const { gong, server } = await clientFor([ok()]);
    const event = { ...sharedEvent(), contentUrl: 42, eventTimestamp: "2021-02-17" } as Record<string, unknown>;
    delete event.contentTitle;
    (event.recipients as Array<Record<string, unknown>>)[0]!.email = undefined;
    delete (event.recipients as Array<Record<string, unknown>>)[0]!.email;
    const error = await gong.reportContentShared(event as never).catch((e) => e);
    expect(error).toBeInstanceOf(GongValidationError);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { field: "contentTitle", problem: "is required" },
        { field: "contentUrl", problem: "must be a string" },
        { field: "eventTimestamp", problem: expect.stringMatching(/date-time/) },
        { field: "recipients[0].email", problem: "is required" },
      ]),
    );
    expect(error.message).toMatch(/nothing was sent/);
    expect(server.received).toHaveLength(0);
  });

  it("names the allowed values of an enum, read from the spec", async () => {
    const { gong } = await clientFor([]);
    const event = viewedEvent();
    (event as Record<string, unknown>).agentPlatform = "BeOS";
    const error = await gong.reportContentViewed(event).catch((e) => e);
    expect(error.issues).toEqual([{ field: "agentPlatform", problem: expect.stringContaining('"Windows"') }]);
  });

  it("refuses trackingId together with viewer", async () => {
    const { gong } = await clientFor([]);
    const error = await gong.reportContentViewed({ ...viewedEvent(), trackingId: "visitor-1" }).catch((e) => e);
    expect(error.issues).toEqual([{ field: "trackingId", problem: 'must be absent or null when "viewer" is sent' }]);
  });

  it("validate: false sends the event as it is", async () => {
    const { gong, server } = await clientFor([fail(400, ["contentTitle is required"])], { validate: false });
    const event = sharedEvent() as Record<string, unknown>;
    delete event.contentTitle;
    await expect(gong.reportContentShared(event as never)).rejects.toMatchObject({ status: 400 });
    expect(server.received).toHaveLength(1);
  });
});

describe("operations from the spec", () => {
  it("report(aliasOrOperationId, event) goes to that operation; an unknown name rejects, naming the known ones", async () => {
    const { gong, server } = await clientFor([ok("1"), ok("2")]);
    await expect(gong.report("shared", sharedEvent())).resolves.toMatchObject({ integrationId: 1n, alreadyReported: false });
    await expect(gong.report("reportContentViewed", viewedEvent())).resolves.toMatchObject({ integrationId: 2n });
    expect(server.received.map((r) => r.url)).toEqual(["/v2/customer-engagement/content/shared", "/v2/customer-engagement/content/viewed"]);
    const untyped = gong.report as (operation: string, event: unknown) => Promise<unknown>;
    await expect(untyped("posted", sharedEvent())).rejects.toThrow(
      new TypeError(
        'report: `operation` must be one of "shared", "viewed", "digital-interaction" (or an operationId: "reportContentShared", "reportContentViewed", "reportDigitalInteraction"), got "posted".',
      ),
    );
    expect(server.received).toHaveLength(2);
  });

  it("an operation whose answer carries no id for the event resolves with requestId and alreadyReported only", async () => {
    const { gong, server } = await clientFor([
      { status: 200, body: '{"requestId":"r-di"}' },
      { status: 200, body: "[]" },
    ]);
    const event = digitalInteraction();
    await expect(gong.reportDigitalInteraction(event as never)).resolves.toEqual({ requestId: "r-di", alreadyReported: false });
    expect(server.received[0]).toMatchObject({ method: "POST", url: "/v2/digital-interaction" });
    await expect(gong.report("digital-interaction", event as never)).resolves.toEqual({ requestId: "", alreadyReported: false });
  });

  it("has one method per operation of the spec", () => {
    const gong = createEngagementClient({ auth: { bearerToken: "t" } });
    const spec = JSON.parse(readFileSync(require.resolve("@gong-engage/spec/openapi.json"), "utf8"));
    const operationIds = Object.values(spec.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId),
    );
    for (const operationId of operationIds) expect(typeof (gong as unknown as Record<string, unknown>)[operationId]).toBe("function");
  });
});

describe("error bodies in other forms than Gong's", () => {
  it("a proxy's { errors: text } or { message }, and error objects, keep what they say", async () => {
    for (const [body, said] of [
      [{ errors: "quota exceeded" }, ["quota exceeded"]],
      [{ message: "Bad gateway upstream" }, ["Bad gateway upstream"]],
      [{ errors: [{ field: "contentTitle", reason: "missing" }, "plain"] }, ['{"field":"contentTitle","reason":"missing"}', "plain"]],
    ] as const) {
      const { gong, server } = await clientFor([{ status: 400, body }]);
      await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ status: 400, errors: said });
      await server.close();
    }
  });
});

describe("credentials that cannot go into a header", () => {
  it("a bearer token with a control character is refused up front, without quoting it", () => {
    for (const bearerToken of ["Bearer-token-\u0000-x", "token-\u0007", "tökén-€"]) {
      const error = (() => {
        try {
          createEngagementClient({ auth: { bearerToken } });
        } catch (thrown) {
          return thrown as Error;
        }
      })();
      expect(error).toBeInstanceOf(TypeError);
      expect(error!.message).toContain("`auth.bearerToken` must not contain control characters or characters beyond Latin-1");
      expect(error!.message).not.toContain(bearerToken);
    }
  });
});

describe("custom fetch", () => {
  it("uses the injected fetch for every attempt", async () => {
    const calls: string[] = [];
    const responses = [
      new Response('{"requestId":"r","errors":["busy"]}', { status: 503 }),
      new Response('{"requestId":"r2","integrationId":9123456789012345678}', { status: 200 }),
    ];
    const gong = createEngagementClient({
      auth: { bearerToken: "t" },
      retry: { baseDelayMs: 1 },
      fetch: async (request) => {
        calls.push(`${request.method} ${request.url}`);
        return responses.shift()!;
      },
    });
    const result = await gong.reportContentShared(sharedEvent());
    expect(result.integrationId).toBe(9123456789012345678n);
    expect(calls).toEqual(["PUT https://api.gong.io/v2/customer-engagement/content/shared", "PUT https://api.gong.io/v2/customer-engagement/content/shared"]);
  });
});

describe("timeouts, aborts and answers (injected fetch, fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0, ...FAKE_TIMERS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const scripted = (steps: FetchStep[], options: Partial<EngagementClientOptions> = {}) => {
    const { fetch, sent } = scriptedFetch(steps);
    const retries: RetryInfo[] = [];
    const gong = createEngagementClient({ auth: credentials, fetch, rateLimit: false, onRetry: (info) => retries.push(info), ...options });
    return { gong, sent, retries };
  };

  it("reads a Retry-After given as an HTTP date against the current time", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 25, 12, 0, 0));
    const inThreeSeconds = new Date(Date.UTC(2026, 10, 25, 12, 0, 3)).toUTCString();
    const { gong, sent, retries } = scripted([refusedWith(429, ["limit"], { "Retry-After": inThreeSeconds }), accepted()], { retry: { maxDelayMs: 5_000 } });
    await settle([gong.reportContentShared(sharedEvent())]);
    expect(retries.map((r) => r.delayMs)).toEqual([3000]);
    expect(sent[1]!.at - sent[0]!.at).toBe(3000);
  });

  it("waits exactly Retry-After seconds before the retry", async () => {
    const { gong, sent, retries } = scripted([refusedWith(429, ["limit"], { "Retry-After": "2" }), accepted()], { retry: { maxDelayMs: 5_000 } });
    const [result] = await settle([gong.reportContentShared(sharedEvent())]);
    expect(result).toMatchObject({ status: "fulfilled", value: { alreadyReported: false } });
    expect(sent.map((s) => s.at)).toEqual([0, 2000]);
    expect(retries).toEqual([{ operationId: "reportContentShared", attempt: 1, reason: 429, delayMs: 2000 }]);
  });

  it("backs off on a 429 without Retry-After", async () => {
    const { gong, sent } = scripted([refusedWith(429), accepted()], { retry: { baseDelayMs: 400, maxDelayMs: 400 } });
    await settle([gong.reportContentShared(sharedEvent())]);
    expect(sent[1]!.at).toBeGreaterThanOrEqual(200);
    expect(sent[1]!.at).toBeLessThanOrEqual(400);
  });

  it("times out each attempt after timeoutMs, also when the caller passes a signal", async () => {
    const { gong, sent, retries } = scripted([{ hang: true }, { hang: true }], {
      timeoutMs: 1_000,
      retry: { maxRetries: 1, baseDelayMs: 100, maxDelayMs: 100 },
    });
    const [outcome] = await settle([gong.reportContentShared(sharedEvent(), { signal: new AbortController().signal })]);
    expect(outcome).toMatchObject({ status: "rejected", reason: { code: "TIMEOUT", attempts: 2, mayHaveLanded: true } });
    expect((outcome as PromiseRejectedResult).reason.message).toMatch(
      /^reportContentShared: no response from Gong in time after 2 attempts: .*no response within 1000 ms.* \(the event may have been recorded/,
    );
    expect(retries.map((r) => r.reason)).toEqual(["timeout"]);
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(sent[1]!.at).toBeGreaterThanOrEqual(1_050);
    expect(sent[1]!.at).toBeLessThanOrEqual(1_100);
  });

  it("times out an attempt without a caller signal within timeoutMs and 1 % more", async () => {
    const { gong, sent } = scripted([{ hang: true }], { timeoutMs: 10_000, retry: false });
    let rejectedAt: number | undefined;
    const call = gong.reportContentShared(sharedEvent()).catch((e) => {
      rejectedAt = Date.now();
      return e;
    });
    await settle([call]);
    expect(await call).toMatchObject({ code: "TIMEOUT", attempts: 1 });
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(rejectedAt).toBeGreaterThanOrEqual(10_000);
    expect(rejectedAt).toBeLessThanOrEqual(10_100);
  });

  it("timeoutMs: 0 never times out", async () => {
    const { gong } = scripted([{ ...accepted(), afterMs: 3_600_000 } as FetchStep], { timeoutMs: 0, retry: false });
    const [outcome] = await settle([gong.reportContentShared(sharedEvent())]);
    expect(outcome).toMatchObject({ status: "fulfilled", value: { alreadyReported: false } });
    expect(Date.now()).toBe(3_600_000);
  });

  it("an abort mid-request rejects with the signal's reason at once and is never retried", async () => {
    const { gong, sent, retries } = scripted([{ hang: true }, accepted()], { timeoutMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const call = gong.reportContentShared(sharedEvent(), { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(reason);
    const [outcome] = await settle([call]);
    expect(outcome).toEqual({ status: "rejected", reason });
    expect(sent).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it("an abort during a back-off wait rejects at once and sends nothing more", async () => {
    const { gong, sent } = scripted([refusedWith(503), accepted()], { retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    const controller = new AbortController();
    const call = gong.reportContentShared(sharedEvent(), { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error("stop"));
    const [outcome] = await settle([call]);
    expect(outcome).toMatchObject({ status: "rejected", reason: { message: "stop" } });
    expect(sent).toHaveLength(1);
  });

  it("a 502 with an HTML body is an HTTP_ERROR 502 carrying the page's text", async () => {
    const html = "  <html><body>502 Bad Gateway</body></html>\n";
    const { gong } = scripted([{ status: 502, body: html, headers: { "Content-Type": "text/html" } }], { retry: false });
    const error = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(error).toMatchObject({ code: "HTTP_ERROR", status: 502, errors: [html.trim()], requestId: undefined, mayHaveLanded: true });
  });

  it("keeps Gong's error text short, and reads no requestId from an empty one", async () => {
    const long = "x".repeat(600);
    const { gong } = scripted(
      [
        { status: 502, body: `  ${long}  ` },
        { status: 400, body: { requestId: "", errors: [7, "bad"] } },
        { status: 400, body: "   " },
        { status: 400, body: { requestId: "r4" } },
        { status: 400, body: "null" },
      ],
      { retry: false },
    );
    const page = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(page.errors).toEqual(["x".repeat(500)]);
    const odd = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(odd).toMatchObject({ status: 400, requestId: undefined, errors: ["7", "bad"] });
    const blank = await gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(blank).toMatchObject({ status: 400, errors: [] });
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "HTTP_ERROR", status: 400, requestId: "r4", errors: [] });
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "HTTP_ERROR", status: 400, requestId: undefined, errors: [] });
  });

  it("leaves no listener on the caller's signal once a call is over", async () => {
    const { gong } = scripted([accepted(), refusedWith(400), { hang: true }], { retry: false, timeoutMs: 1_000 });
    const signal = new AbortController().signal;
    await settle([gong.reportContentShared(sharedEvent(), { signal })]);
    await settle([gong.reportContentShared(sharedEvent(), { signal })]);
    await settle([gong.reportContentShared(sharedEvent(), { signal })]);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("a thrown value that is not an Error is still a network error, described", async () => {
    const gong = createEngagementClient({ auth: credentials, rateLimit: false, retry: false, fetch: () => Promise.reject("socket gone") });
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "NETWORK_ERROR", errors: ["socket gone"], mayHaveLanded: true });
  });

  it("a connection reset may have landed; a refused connection never did", async () => {
    const reset = scripted([{ reset: true }], { retry: false });
    const lost = await reset.gong.reportContentShared(sharedEvent()).catch((e) => e);
    expect(lost).toMatchObject({ code: "NETWORK_ERROR", attempts: 1, mayHaveLanded: true });
    expect(lost.message).toBe(
      "reportContentShared: could not reach Gong: fetch failed: connect ECONNRESET (the event may have been recorded: resend it with the same eventId; a 409 then means it was)",
    );
    const refused = scripted([{ refused: true }], { retry: false });
    await expect(refused.gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "NETWORK_ERROR", mayHaveLanded: false });
  });

  it("a 409 after a refused connection is a real duplicate: nothing of this call can have landed", async () => {
    const { gong } = scripted([{ refused: true }, refusedWith(409)], { retry: { baseDelayMs: 1 } });
    const [outcome] = await settle([gong.reportContentShared(sharedEvent())]);
    expect(outcome).toMatchObject({ status: "rejected", reason: { status: 409, attempts: 2, mayHaveLanded: false } });
  });
});
