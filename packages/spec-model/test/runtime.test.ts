import { describe, expect, it } from "vitest";
import { checkBaseUrl, duplicateKeyOf, errorCodes, neverReached, parseLossless, parseRetryAfter, toInt64 } from "../src/runtime.js";

describe("parseLossless", () => {
  it("keeps an int64 beyond 2^53 exact; every integer is a bigint, other numbers stay numbers", () => {
    expect(parseLossless('{"id":5517027188234206123,"n":1,"f":1.5,"e":1e3,"s":"7","a":[-2]}')).toEqual({
      id: 5517027188234206123n,
      n: 1n,
      f: 1.5,
      e: 1000,
      s: "7",
      a: [-2n],
    });
    expect(String((parseLossless('{"id":5517027188234206123}') as { id: bigint }).id)).toBe("5517027188234206123");
  });
  it("throws a SyntaxError on text that is not JSON", () => {
    expect(() => parseLossless("<html>")).toThrow(SyntaxError);
  });
});

describe("toInt64", () => {
  it("reads a bigint, a safe integer, or a string of digits", () => {
    expect(toInt64(5517027188234206123n)).toBe(5517027188234206123n);
    expect(toInt64(42)).toBe(42n);
    expect(toInt64("-5517027188234206123")).toBe(-5517027188234206123n);
  });
  it("keeps the int64 range: its ends are read, one beyond either is refused", () => {
    expect(toInt64("9223372036854775807")).toBe(2n ** 63n - 1n);
    expect(toInt64(-(2n ** 63n))).toBe(-(2n ** 63n));
    for (const value of ["9223372036854775808", 2n ** 63n, "-9223372036854775809", "99999999999999999999999"])
      expect(toInt64(value), String(value)).toBeUndefined();
  });
  it("refuses what may already be rounded or is no integer", () => {
    for (const value of [2 ** 60, 1.5, "1.5", "12a", "", null, undefined, {}, Number.NaN]) expect(toInt64(value), String(value)).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");
  it("reads integer seconds (Gong's form)", () => {
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });
  it("reads an HTTP-date as the whole seconds from now (0 when past), in all three RFC 9110 forms", () => {
    expect(parseRetryAfter("Thu, 26 Nov 2026 12:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Thu, 26 Nov 2026 12:00:30 GMT", now + 29_500)).toBe(1);
    expect(parseRetryAfter("Thu, 26 Nov 2026 11:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("Thursday, 26-Nov-26 12:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("Thu Nov 26 12:00:10 2026", now)).toBe(10);
  });
  it("reads an asctime date as GMT whatever the machine's time zone (it carries none)", () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ["America/New_York", "Asia/Tokyo", "UTC"]) {
        process.env.TZ = tz;
        expect(parseRetryAfter("Thu Nov 26 12:00:10 2026", now), tz).toBe(10);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
  it("is undefined when absent or unusable", () => {
    for (const value of [null, undefined, "", "  ", "-1", "1.5", "5.5", "soon", "2026-11-26T12:00:30Z", "Thu, 26 Nov 2026 12:00:30 XYZ"]) {
      expect(parseRetryAfter(value, now), String(value)).toBeUndefined();
    }
  });
});

describe("checkBaseUrl", () => {
  const who = "createEngagementClient: `baseUrl`";
  it("keeps an absolute http(s) URL, trailing slashes trimmed", () => {
    expect(checkBaseUrl("https://api.gong.io/", who)).toBe("https://api.gong.io");
    expect(checkBaseUrl(" http://127.0.0.1:4100/base// ", who)).toBe("http://127.0.0.1:4100/base");
  });
  it("throws a TypeError that names who asked, for a relative URL, another protocol, credentials, a query", () => {
    expect(() => checkBaseUrl("api.gong.io", who)).toThrow(
      new TypeError('createEngagementClient: `baseUrl` must be an absolute http(s) URL such as https://api.gong.io, got "api.gong.io".'),
    );
    expect(() => checkBaseUrl("ftp://api.gong.io", "--base-url")).toThrow(new TypeError('--base-url must use http or https, got "ftp:".'));
    expect(() => checkBaseUrl("https://key:secret@api.gong.io", "--base-url", { credentialsHint: "set GONG_ACCESS_KEY" })).toThrow(
      new TypeError("--base-url must not carry credentials; set GONG_ACCESS_KEY."),
    );
    expect(() => checkBaseUrl("https://key:secret@api.gong.io", "x")).toThrow(/^x must not carry credentials\.$/);
    expect(() => checkBaseUrl("https://api.gong.io/?a=1", "x")).toThrow('x must not have a query or fragment, got "?a=1".');
    expect(() => checkBaseUrl(undefined as unknown as string, "x")).toThrow(TypeError);
  });
  it("never repeats credentials in its message", () => {
    try {
      checkBaseUrl("https://key:s3cret@api.gong.io", "x");
    } catch (error) {
      expect((error as Error).message).not.toContain("s3cret");
    }
    expect.assertions(1);
  });
});

describe("duplicateKeyOf", () => {
  const shared = { duplicateKey: ["reportingSystem", "eventId"], duplicateKeyScope: "content" };
  it("is equal for events with the same key fields in the same scope, whatever else differs", () => {
    const a = duplicateKeyOf({ reportingSystem: "crm", eventId: "e1", contentId: "x" }, shared);
    expect(a).toBe(duplicateKeyOf({ eventId: "e1", reportingSystem: "crm", contentId: "y" }, shared));
    expect(a).not.toBe(duplicateKeyOf({ reportingSystem: "crm", eventId: "e2" }, shared));
    expect(a).not.toBe(duplicateKeyOf({ reportingSystem: "crm", eventId: "e1" }, { ...shared, duplicateKeyScope: "other" }));
  });
  it("cannot be confused by separators inside values", () => {
    const rule = { duplicateKey: ["a", "b"], duplicateKeyScope: "s" };
    expect(duplicateKeyOf({ a: "x|y", b: "z" }, rule)).not.toBe(duplicateKeyOf({ a: "x", b: "y|z" }, rule));
    expect(duplicateKeyOf({ a: "1", b: "z" }, rule)).not.toBe(duplicateKeyOf({ a: 1, b: "z" }, rule));
  });
  it("is undefined when a key field is absent or null (such an event is never a duplicate), or for a non-object", () => {
    expect(duplicateKeyOf({ reportingSystem: "crm" }, shared)).toBeUndefined();
    expect(duplicateKeyOf({ reportingSystem: "crm", eventId: null }, shared)).toBeUndefined();
    expect(duplicateKeyOf("text", shared)).toBeUndefined();
  });
});

describe("neverReached / errorCodes", () => {
  const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
  it("walks the cause chain and an AggregateError's errors", () => {
    expect(errorCodes(refused)).toEqual(["ECONNREFUSED"]);
    const aggregate = new TypeError("fetch failed", {
      cause: new AggregateError([Object.assign(new Error("a"), { code: "ECONNREFUSED" }), Object.assign(new Error("b"), { code: "ENETUNREACH" })]),
    });
    expect(errorCodes(aggregate)).toEqual(["ECONNREFUSED", "ENETUNREACH"]);
    expect(errorCodes(new DOMException("timed out", "TimeoutError"))).toEqual(["TIMEOUT"]);
    expect(errorCodes("text")).toEqual([]);
  });
  it("is true only when every code proves the request never left", () => {
    expect(neverReached(refused)).toBe(true);
    expect(neverReached({ cause: { code: "ENOTFOUND" } })).toBe(true);
    expect(neverReached({ cause: { code: "ECONNRESET" } })).toBe(false);
    expect(neverReached({ code: "ECONNREFUSED", cause: { code: "UND_ERR_SOCKET" } })).toBe(false);
    expect(neverReached(new Error("no code"))).toBe(false);
  });
});
