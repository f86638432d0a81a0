import { describe, expect, it } from "vitest";
import { createAjv } from "../src/index.js";

describe("createAjv: the one configuration", () => {
  it("is JSON Schema 2020-12 (dependentSchemas, prefixItems) and reports every error, not the first", () => {
    const validate = createAjv().compile({
      type: "object",
      required: ["a", "b"],
      properties: { list: { type: "array", prefixItems: [{ type: "string" }] } },
      dependentSchemas: { a: { required: ["c"] } },
    });
    expect(validate({ a: 1, list: [1] })).toBe(false);
    expect(validate.errors!.map((e) => e.keyword).sort()).toEqual(["required", "required", "type"]);
  });

  it("checks formats in full mode: an impossible date, a leap-less February 29, a non-ASCII or unencoded URL", () => {
    const ajv = createAjv();
    const dateTime = ajv.compile({ type: "string", format: "date-time" });
    const uri = ajv.compile({ type: "string", format: "uri" });
    expect(dateTime("2024-02-29T10:00:00Z")).toBe(true);
    expect(dateTime("2023-02-29T10:00:00Z")).toBe(false);
    expect(dateTime("2021-02-30T08:00:00Z")).toBe(false);
    expect(dateTime("2021-08-01T08:00:00")).toBe(false); // no time zone
    expect(uri("https://example.com/%E6%8F%90%E6%A1%88.pdf")).toBe(true);
    expect(uri("https://example.com/提案.pdf")).toBe(false);
    expect(uri("https://example.com/a|b")).toBe(false);
    const int32 = ajv.compile({ type: "integer", format: "int32" });
    expect(int32(2 ** 31 - 1)).toBe(true);
    expect(int32(2 ** 31)).toBe(false);
  });

  it("is not strict: OpenAPI's keywords and x- extensions beside a schema do not stop it", () => {
    const validate = createAjv().compile({ type: "string", example: "x", "x-gong-note": true, discriminator: { propertyName: "k" } });
    expect(validate("text")).toBe(true);
  });

  it("takes code-generation settings for standalone code", () => {
    const ajv = createAjv({ code: { source: true, esm: true }, inlineRefs: false });
    expect(ajv.opts.code.source).toBe(true);
    expect(ajv.opts.allErrors).toBe(true);
  });
});
