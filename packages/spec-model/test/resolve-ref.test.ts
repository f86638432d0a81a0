import { describe, expect, it } from "vitest";
import { resolveRef, SpecModelError } from "../src/index.js";

const document = {
  components: {
    schemas: {
      A: { $ref: "#/components/schemas/B" },
      B: { type: "string" },
      "a/b~c": { type: "integer" },
      Loop1: { $ref: "#/components/schemas/Loop2" },
      Loop2: { $ref: "#/components/schemas/Loop1" },
      Self: { $ref: "#/components/schemas/Self" },
    },
  },
};

describe("resolveRef", () => {
  it("follows a $ref chain to the node it names; other values are returned as they are", () => {
    expect(resolveRef(document, { $ref: "#/components/schemas/A" })).toEqual({ type: "string" });
    expect(resolveRef(document, { $ref: "#/components/schemas/a~1b~0c" })).toEqual({ type: "integer" });
    expect(resolveRef(document, { type: "object" })).toEqual({ type: "object" });
    expect(resolveRef(document, undefined)).toBeUndefined();
    expect(resolveRef(document, "text")).toBe("text");
  });

  it("stops at a loop and names it", () => {
    expect(() => resolveRef(document, { $ref: "#/components/schemas/Loop1" })).toThrow(
      new SpecModelError("(document)", "$ref loop: #/components/schemas/Loop1 -> #/components/schemas/Loop2 -> #/components/schemas/Loop1"),
    );
    expect(() => resolveRef(document, { $ref: "#/components/schemas/Self" }, "spec.json")).toThrow(
      "spec.json: $ref loop: #/components/schemas/Self -> #/components/schemas/Self",
    );
  });

  it("refuses a $ref that names nothing or points outside the document", () => {
    expect(() => resolveRef(document, { $ref: "#/components/schemas/Nope" })).toThrow("$ref #/components/schemas/Nope names nothing in the document");
    expect(() => resolveRef(document, { $ref: "other.yaml#/X" })).toThrow("$ref other.yaml#/X is not local to the document (bundle the spec first)");
  });
});
