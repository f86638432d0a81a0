// What a caller reads from an error: one message per failure, the fields to act on, and the JSON form a logger
// writes. The messages are the client's promise of what each failure says.
import { describe, expect, it } from "vitest";
import { GongApiError, GongValidationError } from "../src/index.js";

describe("GongApiError messages", () => {
  it.each([
    [{ code: "TIMEOUT", operationId: "op", attempts: 1 }, "op: no response from Gong in time"],
    [
      { code: "TIMEOUT", operationId: "op", attempts: 3, errors: ["no response within 50 ms"], mayHaveLanded: true },
      "op: no response from Gong in time after 3 attempts: no response within 50 ms (the event may have been recorded: resend it with the same eventId; a 409 then means it was)",
    ],
    [
      { code: "NETWORK_ERROR", operationId: "op", attempts: 2, errors: ["fetch failed: ECONNREFUSED"] },
      "op: could not reach Gong after 2 attempts: fetch failed: ECONNREFUSED",
    ],
    [
      { code: "QUOTA_EXHAUSTED", operationId: "op", retryAfter: 5, limit: "3 calls per second" },
      "op: not sent: 3 calls per second allows the next call in 5s, longer than the client may wait",
    ],
    [{ code: "QUOTA_EXHAUSTED", operationId: "op" }, "op: not sent: the rate limit allows the next call in ?s, longer than the client may wait"],
    [
      { code: "INVALID_RESPONSE", operationId: "op", status: 200, requestId: "r9", errors: ["the body is not JSON"], mayHaveLanded: true },
      "op: Gong answered 200 (requestId r9), so the event is recorded, but with an unreadable body: the body is not JSON; do not resend it",
    ],
    [
      { code: "HTTP_ERROR", operationId: "op", status: 400, requestId: "r1", errors: ["a: bad", "b: bad"], attempts: 1 },
      "op: Gong answered 400 (requestId r1): a: bad; b: bad",
    ],
    [
      { code: "HTTP_ERROR", operationId: "op", status: 503, attempts: 4, mayHaveLanded: true },
      "op: Gong answered 503 after 4 attempts (the event may have been recorded: resend it with the same eventId; a 409 then means it was)",
    ],
    [{ code: "HTTP_ERROR", operationId: "op", status: 429, retryAfter: 7, errors: ["limit"] }, "op: Gong answered 429, retry after 7s: limit"],
    [
      { code: "HTTP_ERROR", operationId: "op", status: 429, retryAfter: 7, errors: ["Too many, Retry-After 7s"] },
      "op: Gong answered 429: Too many, Retry-After 7s",
    ],
    [{ code: "HTTP_ERROR", operationId: "op", status: 429, retryAfter: 0 }, "op: Gong answered 429, retry after 0s"],
  ] as Array<[ConstructorParameters<typeof GongApiError>[0], string]>)("%o", (init, message) => {
    expect(new GongApiError(init).message).toBe(message);
  });

  it("carries what a caller acts on, with defaults, and a JSON form without the cause", () => {
    const cause = new Error("inner");
    const error = new GongApiError({
      code: "HTTP_ERROR",
      operationId: "op",
      status: 503,
      requestId: "r",
      errors: ["busy"],
      retryAfter: 2,
      attempts: 2,
      mayHaveLanded: true,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("GongApiError");
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({
      name: "GongApiError",
      code: "HTTP_ERROR",
      message:
        "op: Gong answered 503 (requestId r) after 2 attempts, retry after 2s: busy (the event may have been recorded: resend it with the same eventId; a 409 then means it was)",
      operationId: "op",
      status: 503,
      requestId: "r",
      errors: ["busy"],
      retryAfter: 2,
      attempts: 2,
      mayHaveLanded: true,
    });
    const bare = new GongApiError({ code: "NETWORK_ERROR", operationId: "op" });
    expect(bare).toMatchObject({ errors: [], attempts: 0, mayHaveLanded: false, status: undefined, requestId: undefined, retryAfter: undefined });
    expect("cause" in bare).toBe(false);
  });
});

describe("GongValidationError", () => {
  it("names each failing field, says nothing was sent, and keeps the issues in its JSON form", () => {
    const issues = [
      { field: "contentTitle", problem: "is required" },
      { field: "recipients[0].email", problem: "is required" },
    ];
    const error = new GongValidationError("reportContentShared", issues);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error.name).toBe("GongValidationError");
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.message).toBe("reportContentShared: the event is not valid, nothing was sent: contentTitle: is required; recipients[0].email: is required");
    expect(error.toJSON()).toMatchObject({
      name: "GongValidationError",
      code: "VALIDATION_FAILED",
      issues,
      errors: ["contentTitle: is required", "recipients[0].email: is required"],
      attempts: 0,
    });
  });
});
