// Every operation documents every status Gong answers, each with a named example that fits its schema.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { operations, spec } from "./load-bundle.js";

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(spec, "openapi.json");

describe("responses", () => {
  it("has exactly the three documented operations", () => {
    expect(operations.map(({ method, path, op }) => `${method} ${path} ${op.operationId}`)).toEqual([
      "put /v2/customer-engagement/content/shared reportContentShared",
      "put /v2/customer-engagement/content/viewed reportContentViewed",
      "post /v2/digital-interaction reportDigitalInteraction",
    ]);
  });

  it("files the content endpoints under Gong's legacy tag, which says what legacy means and names the successor", () => {
    const legacy = "Engagement (Legacy – See “Digital Interactions”)";
    for (const { op } of operations.filter(({ path }) => path.startsWith("/v2/customer-engagement/"))) {
      expect(op.tags).toEqual([legacy]);
      expect(op.deprecated).toBeUndefined();
    }
    const tag = spec.tags.find((t: { name: string }) => t.name === legacy);
    expect(tag.description).toMatch(/still work/);
    expect(tag.description).toMatch(/POST \/v2\/digital-interaction/);
    expect(spec.tags.map((t: { name: string }) => t.name)).toEqual(["Digital Interactions", legacy]);
  });

  for (const { op } of operations) {
    it(`${op.operationId} documents 200, 400, 401, 409, 429 and 500`, () => {
      expect(Object.keys(op.responses).sort()).toEqual(["200", "400", "401", "409", "429", "500"]);
    });

    for (const [status, ref] of Object.entries<any>(op.responses)) {
      it(`${op.operationId} ${status}: named examples fit the schema`, () => {
        const response = spec.components.responses[ref.$ref.split("/").pop()];
        const media = response.content["application/json"];
        const validate = ajv.getSchema(`openapi.json${media.schema.$ref}`)!;
        const examples = Object.entries<any>(media.examples);
        expect(examples.length).toBeGreaterThan(0);
        for (const [name, exRef] of examples) {
          const ex = spec.components.examples[exRef.$ref.split("/").pop()];
          expect(validate(ex.value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
          expect(ex.value.requestId).toBeTruthy();
        }
      });
    }
  }

  it("429 carries an integer Retry-After header", () => {
    const header = spec.components.headers["Retry-After"];
    expect(header.required).toBe(true);
    expect(header.schema.type).toBe("integer");
    expect(spec.components.responses.TooManyRequests.headers["Retry-After"].$ref).toBe("#/components/headers/Retry-After");
  });

  it("security: Basic, or OAuth2 (authorization code) with each operation's scope; servers incl. the customer URL", () => {
    const schemes = spec.components.securitySchemes;
    expect(schemes.BasicAuth).toMatchObject({ type: "http", scheme: "basic" });
    expect(schemes.OAuth2.type).toBe("oauth2");
    expect(Object.keys(schemes.OAuth2.flows)).toEqual(["authorizationCode"]);
    const flow = schemes.OAuth2.flows.authorizationCode;
    expect(flow.authorizationUrl).toBe("https://app.gong.io/oauth2/authorize");
    expect(flow.tokenUrl).toBe("https://app.gong.io/oauth2/generate-customer-token");
    expect(Object.keys(flow.scopes)).toEqual(["api:engagement-data:write", "api:digital-interactions:write"]);
    for (const text of Object.values<string>(flow.scopes)) expect(text.length).toBeGreaterThan(20);
    // The token endpoint is not Gong's word (its guide could not be read that far): the description says so.
    expect(schemes.OAuth2.description).toMatch(/our reading/);
    const scopeOf: Record<string, string> = {
      reportContentShared: "api:engagement-data:write",
      reportContentViewed: "api:engagement-data:write",
      reportDigitalInteraction: "api:digital-interactions:write",
    };
    for (const { op } of operations) {
      expect(op.security).toEqual([{ BasicAuth: [] }, { OAuth2: [scopeOf[op.operationId]] }]);
      expect(op.description).toContain(`Required authorization scope: \`${scopeOf[op.operationId]}\``);
    }
    expect(spec.servers[0].url).toBe("https://api.gong.io");
    expect(spec.servers[1].variables.apiBaseUrlForCustomer.default).toMatch(/^https:\/\/.+\.api\.gong\.io$/);
    expect(spec.info.description).toMatch(/3 API calls per second/);
    expect(spec.info.description).toMatch(/10,000 API calls per day/);
  });
});
