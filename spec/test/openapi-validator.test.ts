// The spec passes a second OpenAPI 3.1 validator, independent of Redocly: @seriousme/openapi-schema-validator
// checks the document against the official OpenAPI 3.1 JSON Schema.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { bundlePath } from "./load-bundle.js";

describe("independent OpenAPI 3.1 validation", () => {
  it("the bundled spec is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(bundlePath);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });
});
