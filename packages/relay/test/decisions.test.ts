// Pure parts, no database: what each of Gong's answers means for an event (outcome.ts), the spec's rules read
// from the bundled spec (operations.ts), credentials at rest (secrets.ts), durations and pacing arithmetic.
import { readFileSync } from "node:fs";
import { GongApiError, GongValidationError } from "@gong-engage/client";
import { describe, expect, test } from "vitest";
import { parseDuration } from "../src/operate.js";
import { bundledSpecPath, duplicateKeyOf, loadRelaySpec, stableEventId } from "../src/operations.js";
import { decideError, decideResult, RenewedAfterRejection } from "../src/outcome.js";
import { decryptCredentials, encryptCredentials, secretKeyFrom } from "../src/secrets.js";
import { pacingColumns } from "../src/tenants.js";

const http = (status: number, extra: Partial<ConstructorParameters<typeof GongApiError>[0]> = {}) =>
  new GongApiError({ code: "HTTP_ERROR", operationId: "reportContentShared", status, errors: [`e${status}`], ...extra });

describe("decideError: each of Gong's answers", () => {
  test.each([
    [http(409), { kind: "already-reported" }],
    [http(429, { retryAfter: 7 }), { kind: "rate-limited", retryAfterSeconds: 7 }],
    [http(429), { kind: "rate-limited", retryAfterSeconds: 1 }],
    [http(401), { kind: "credentials-refused", status: 401, reason: "Gong answered 401: e401" }],
    [http(403), { kind: "credentials-refused", status: 403 }],
    [http(400), { kind: "refused", status: 400, reason: "400", errors: ["e400"] }],
    [http(404), { kind: "refused", status: 404 }],
    [http(503, { mayHaveLanded: true }), { kind: "transient", status: 503, reason: "503", mayHaveLanded: true }],
    [http(500), { kind: "transient", status: 500, mayHaveLanded: false }],
    [new GongApiError({ code: "TIMEOUT", operationId: "x", mayHaveLanded: true }), { kind: "transient", reason: "timeout", mayHaveLanded: true }],
    [new GongApiError({ code: "NETWORK_ERROR", operationId: "x" }), { kind: "transient", reason: "network-error", mayHaveLanded: false }],
    [new GongApiError({ code: "INVALID_RESPONSE", operationId: "x", status: 200 }), { kind: "accepted", resultId: undefined }],
    [
      new GongValidationError("x", [{ field: "contentUrl", problem: "must be a URL" }]),
      { kind: "refused", reason: "invalid", errors: ["contentUrl: must be a URL"] },
    ],
    [new Error("boom"), { kind: "transient", reason: "error", mayHaveLanded: true }],
    // OAuth: the grant's refresh refused (invalid_grant) pauses the tenant; a token endpoint that is down retries.
    [
      new GongApiError({ code: "AUTHORIZATION_REQUIRED", operationId: "x", errors: ["Gong OAuth token refresh failed: Gong answered 400 invalid_grant"] }),
      { kind: "credentials-refused", reason: "authorization needed: Gong OAuth token refresh failed: Gong answered 400 invalid_grant" },
    ],
    [
      new GongApiError({ code: "AUTHORIZATION_REQUIRED", operationId: "x", errors: ["authorization needed: no grant"] }),
      { kind: "credentials-refused", reason: "authorization needed: no grant" },
    ],
    [new GongApiError({ code: "TOKEN_UNAVAILABLE", operationId: "x" }), { kind: "transient", reason: "token-unavailable", mayHaveLanded: false }],
    [new GongApiError({ code: "TOKEN_UNAVAILABLE", operationId: "x", cause: new RenewedAfterRejection() }), { kind: "renewed" }],
  ])("%s", (error, expected) => {
    expect(decideError(error)).toMatchObject(expected);
  });

  test("a 2xx: accepted with Gong's id (the spec's resultIdField), or already reported", () => {
    expect(decideResult({ requestId: "r1", integrationId: 9007199254740993n, alreadyReported: false }, "integrationId")).toEqual({
      kind: "accepted",
      resultId: "9007199254740993",
      requestId: "r1",
      status: 200,
    });
    expect(decideResult({ requestId: "r2" }, undefined)).toMatchObject({ kind: "accepted", resultId: undefined });
    expect(decideResult({ requestId: "r3", alreadyReported: true }, "integrationId")).toMatchObject({ kind: "already-reported" });
  });
});

describe("the spec's rules", () => {
  const document = JSON.parse(readFileSync(bundledSpecPath(), "utf8"));
  const spec = loadRelaySpec();

  test("every operation with an x-gong-event rule, and the root's rate limits, as the bundled spec says", () => {
    const rules = Object.values(document.paths as Record<string, Record<string, any>>)
      .flatMap((item) => Object.values(item))
      .filter((op) => op?.["x-gong-event"])
      .map((op) => ({ operationId: op.operationId, ...op["x-gong-event"] }));
    expect(spec.operations.map((o) => o.operationId).sort()).toEqual(rules.map((r) => r.operationId).sort());
    for (const rule of rules) {
      expect(spec.find(rule.alias)).toMatchObject({
        operationId: rule.operationId,
        duplicateKey: rule.duplicateKey,
        duplicateKeyScope: rule.duplicateKeyScope,
      });
    }
    // Sent with the client method named by the operationId, when the client has one.
    expect(spec.find("shared")!.sendable).toBe(true);
    // This client has a method for every operation of this spec (digital-interaction included): all of them flow.
    expect(spec.operations.filter((o) => !o.sendable).map((o) => o.operationId)).toEqual([]);
    expect(spec.rateLimits).toEqual(document["x-gong-rate-limits"]);
  });

  test("duplicate keys and stable eventIds", () => {
    const op = spec.operations[0]!;
    const event = { reportingSystem: "A", eventId: "e1", contentId: "c" };
    expect(duplicateKeyOf(event, op)).toBe(JSON.stringify([op.duplicateKeyScope, ...op.duplicateKey.map((f) => (event as Record<string, unknown>)[f])]));
    expect(duplicateKeyOf({ contentId: "c" }, op)).not.toBe(duplicateKeyOf({ contentId: "d" }, op)); // no key: never a duplicate
    const a = stableEventId("t", op, { b: 1, a: [1, { y: 2, x: 1 }] });
    expect(stableEventId("t", op, { a: [1, { x: 1, y: 2 }], b: 1 })).toBe(a); // key order does not matter
    expect(stableEventId("t2", op, { b: 1, a: [1, { y: 2, x: 1 }] })).not.toBe(a);
  });
});

describe("credentials at rest", () => {
  const key = secretKeyFrom(Buffer.alloc(32, 1).toString("base64"));

  test("AES-256-GCM round trip, bound to the tenant; a wrong key or tenant cannot read them, and says so without them", () => {
    const blob = encryptCredentials(key, "acme", { accessKey: "k", accessKeySecret: "s3cret-Xy" });
    expect(blob.toString("latin1")).not.toContain("s3cret-Xy");
    expect(decryptCredentials(key, "acme", blob)).toEqual({ accessKey: "k", accessKeySecret: "s3cret-Xy" });
    expect(() => decryptCredentials(key, "other", blob)).toThrow(/cannot be decrypted with this GONG_RELAY_SECRET_KEY/);
    expect(() => decryptCredentials(secretKeyFrom("ab".repeat(32)), "acme", blob)).toThrow(/cannot be decrypted/);
  });

  test("the key: required, 32 bytes as hex or base64", () => {
    expect(() => secretKeyFrom(undefined)).toThrow(/GONG_RELAY_SECRET_KEY is not set/);
    expect(() => secretKeyFrom("short")).toThrow(/must be 32 bytes/);
    expect(secretKeyFrom("ab".repeat(32))).toHaveLength(32);
  });
});

test("durations and pacing", () => {
  expect(parseDuration("7d", "x")).toBe(7 * 86_400_000);
  expect(parseDuration("90s", "x")).toBe(90_000);
  expect(() => parseDuration("7 days", "--older-than")).toThrow(/--older-than must be a duration/);
  // perSecond, perDay, reserve -> per_second, per_day, reserve, burst, interval_ms, window_ms, day_cap
  expect(pacingColumns({ perSecond: 3, perDay: 10_000, reserve: 0 })).toEqual([3, 10_000, 0, 3, 1000 / 3, 1000, 10_000]);
  expect(pacingColumns({ perSecond: 3, perDay: 10_000, reserve: 0.5 })).toEqual([3, 10_000, 0.5, 3, 2000 / 3, 2000, 5_000]);
});

test("an OAuth tenant's 401: the token is renewed and the call ends, one request sent; the resend waits for its own paced turn", async () => {
  const { createServer } = await import("node:http");
  const { createEngagementClient } = await import("@gong-engage/client");
  const { resendInOwnTurn } = await import("../src/oauth.js");
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization));
    req.resume();
    req.on("end", () => res.writeHead(401, { "Content-Type": "application/json" }).end('{"requestId":"r-401","errors":["expired"]}'));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const renewed: string[] = [];
    let current = "at-old";
    const source = {
      access: async () => ({ accessToken: current, baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` }),
      renewAfterRejection: async (rejected: string) => {
        renewed.push(rejected);
        current = "at-new";
        return { accessToken: current, baseUrl: undefined };
      },
    };
    const client = createEngagementClient({ auth: resendInOwnTurn(source), rateLimit: false, retry: false });
    const error = await client
      .reportContentShared(JSON.parse(readFileSync(bundledSpecPath(), "utf8")).components.examples.ContentSharedEventMinimal.value)
      .catch((e: unknown) => e);
    expect(decideError(error)).toMatchObject({ kind: "renewed" });
    expect(seen).toEqual(["Bearer at-old"]);
    expect(renewed).toEqual(["at-old"]);
  } finally {
    server.close();
  }
});
