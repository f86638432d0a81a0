import { describe, expect, it } from "vitest";
import { createAjv, describeIssues, fieldPath, formatIssues, loadSpecModel } from "../src/index.js";
import { eventsPath } from "./fixtures.js";

const gamma = loadSpecModel(eventsPath).operation("reportGamma")!;
const valid = { id: "g-1", color: "RED" };

describe("formatIssues: one readable issue per failing field", () => {
  it("required (at the root and nested) and additionalProperties name the property", () => {
    expect(gamma.validateRequest({ person: {}, extra: 1 })).toEqual([
      { field: "/id", problem: "is required" },
      { field: "/color", problem: "is required" },
      { field: "/extra", problem: "is not a documented field" },
      { field: "/person/email", problem: "is required" },
    ]);
  });

  it("enum lists the allowed values; type says the expected type; format says what is expected", () => {
    expect(gamma.validateRequest({ ...valid, color: "BLUE", id: 5, count: 2 ** 31, target: { url: "https://example.com/提案" } })).toEqual([
      { field: "/id", problem: "must be a string" },
      { field: "/color", problem: 'must be one of: "RED", "GREEN"' },
      { field: "/count", problem: "must be a 32-bit integer (-2147483648 to 2147483647)" },
      { field: "/target/url", problem: expect.stringMatching(/^must be an absolute, percent-encoded URL/) },
    ]);
    expect(gamma.validateRequest({ ...valid, person: { email: "nope" } })).toEqual([{ field: "/person/email", problem: "must be an email address" }]);
  });

  it("dependentSchemas says which field triggers the rule", () => {
    expect(gamma.validateRequest({ ...valid, person: { email: "a@example.com" }, trackingId: "t-1" })).toEqual([
      { field: "/trackingId", problem: 'must be absent or null when "person" is sent' },
    ]);
    expect(gamma.validateRequest({ ...valid, person: { email: "a@example.com" }, trackingId: null })).toEqual([]);
    expect(gamma.validateRequest({ ...valid, trackingId: "t-1" })).toEqual([]);
  });

  it("not: a required property excluded, or a field excluded outright, must be absent", () => {
    expect(gamma.validateRequest({ ...valid, legacy: 1 })).toEqual([{ field: "/legacy", problem: "must be absent" }]);
    // Without Ajv's verbose errors the excluded schema is unknown: the issue says where the spec excludes it.
    const notRoot = gamma.validateRequest({ ...valid, forbidden: 1 });
    expect(notRoot).toContainEqual({ field: "(body)", problem: "must not match the schema the spec excludes at #/not" });
  });

  it("not with verbose errors names the excluded property", () => {
    const ajv = createAjv({ verbose: true });
    const validate = ajv.compile({ type: "object", not: { required: ["secret"] } });
    validate({ secret: 1 });
    expect(formatIssues(validate.errors)).toEqual([{ field: "/secret", problem: "must be absent" }]);
  });

  it("anyOf of types reads as a list of types; other anyOf/oneOf failures describe each form", () => {
    expect(gamma.validateRequest({ ...valid, value: 3 })).toEqual([{ field: "/value", problem: "must be a string or an array" }]);
    expect(gamma.validateRequest({ ...valid, value: ["a", 1] })).toEqual([
      { field: "/value", problem: "matches none of the documented forms (#1: (this): must be a string | #2: /value/1: must be a string)" },
    ]);
    expect(gamma.validateRequest({ ...valid, context: { account: "OTHER" } })).toEqual([
      { field: "/context", problem: 'matches none of the documented forms (#1: /context/domain: is required | #2: /context/account: must be "ACCOUNT")' },
    ]);
    expect(gamma.validateRequest({ ...valid, context: { account: "ACCOUNT" } })).toEqual([]);
    expect(gamma.validateRequest({ ...valid, target: {} })).toEqual([
      { field: "/target", problem: "matches none of the documented forms (#1: /target/url: is required | #2: /target/email: is required)" },
    ]);
  });

  it("oneOf matched by more than one form says so", () => {
    expect(gamma.validateRequest({ ...valid, target: { url: "https://example.com", email: "a@example.com" } })).toEqual([
      { field: "/target", problem: "matches more than one of the documented forms (#1 and #2); it must match exactly one" },
    ]);
  });

  it("a root that is not an object is the body's problem; other keywords keep Ajv's words", () => {
    expect(gamma.validateRequest("text")).toEqual([{ field: "(body)", problem: "must be an object" }]);
    const ajv = createAjv();
    const validate = ajv.compile({ type: "string", minLength: 2 });
    validate("a");
    expect(formatIssues(validate.errors)).toEqual([{ field: "(body)", problem: "must NOT have fewer than 2 characters" }]);
  });

  it("drops if-wrappers and repeats; nothing for no errors", () => {
    const ajv = createAjv();
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable.
    const validate = ajv.compile({ type: "object", if: { required: ["a"] }, then: { required: ["b"] } });
    validate({ a: 1 });
    expect(formatIssues(validate.errors)).toEqual([{ field: "/b", problem: "is required" }]);
    expect(formatIssues(null)).toEqual([]);
    expect(formatIssues([...validate.errors!, ...validate.errors!])).toHaveLength(1);
  });

  it("escapes field names that hold / or ~ as a JSON pointer does", () => {
    const ajv = createAjv();
    const validate = ajv.compile({ type: "object", required: ["a/b"], additionalProperties: false, properties: { "a/b": {} } });
    validate({ "c~d": 1 });
    expect(formatIssues(validate.errors).map((i) => i.field)).toEqual(["/a~1b", "/c~0d"]);
  });
});

describe("describeIssues", () => {
  it("joins issues as field: problem; ...", () => {
    expect(
      describeIssues([
        { field: "/a", problem: "is required" },
        { field: "(body)", problem: "must be an object" },
      ]),
    ).toBe("/a: is required; (body): must be an object");
    expect(describeIssues([])).toBe("");
  });
});

describe("fieldPath", () => {
  it("reads a pointer as a property path; the root as the name given", () => {
    expect(fieldPath("/recipients/0/email")).toBe("recipients[0].email");
    expect(fieldPath("/a~1b/c~0d")).toBe("a/b.c~d");
    expect(fieldPath("/0")).toBe("[0]");
    expect(fieldPath("(body)")).toBe("body");
    expect(fieldPath("(body)", "(event)")).toBe("(event)");
  });
});
