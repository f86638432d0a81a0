// The request schemas, compiled by a JSON Schema 2020-12 validator (Ajv, formats on), accept the documented
// examples and reject each rule Gong's documents state. The field lists here are Gong's documents, restated
// on purpose: these tests check that the spec says what the documents say.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { operations, spec } from "./load-bundle.js";

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(spec, "openapi.json");

const validatorFor = (name: string) => ajv.getSchema(`openapi.json#/components/schemas/${name}`)!;
const validateShared = validatorFor("ContentSharedEvent");
const validateViewed = validatorFor("ContentViewedEvent");

const example = (name: string) => structuredClone(spec.components.examples[name].value);
const fullShared = () => example("ContentSharedEventFull");
const fullViewed = () => example("ContentViewedEventKnownViewer");

function errorsOf(validate: ReturnType<typeof validatorFor>, body: unknown): string[] {
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/**
 * A copy of the spec in which objects take no undeclared properties, to catch typos in examples. Members of
 * an allOf stay open (each declares only part of the object); dependentSchemas are left as they are.
 */
function closed(schema: any, closeSelf = true): any {
  if (Array.isArray(schema)) return schema.map((s) => closed(s, closeSelf));
  if (!schema || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "dependentSchemas") out[key] = value;
    else if (key === "allOf") out[key] = (value as any[]).map((member) => closed(member, false));
    else out[key] = closed(value);
  }
  // Only object schemas close: an if/then/anyOf/contains member that lists properties is a constraint on part of
  // the object, not its shape.
  const isObject = out.type === "object" || (Array.isArray(out.type) && out.type.includes("object"));
  if (closeSelf && isObject && out.properties && out.additionalProperties === undefined && !out.allOf) out.additionalProperties = false;
  if (closeSelf && out.allOf && out.unevaluatedProperties === undefined) out.unevaluatedProperties = false;
  return out;
}

describe("documented examples", () => {
  for (const { op } of operations) {
    const media = op.requestBody.content["application/json"];
    for (const [name, ref] of Object.entries<any>(media.examples)) {
      const ex = ref.$ref ? spec.components.examples[ref.$ref.split("/").pop()] : ref;
      it(`${op.operationId}: example ${name} is accepted`, () => {
        const validate = ajv.getSchema(`openapi.json#/components/schemas/${media.schema.$ref.split("/").pop()}`)!;
        expect(errorsOf(validate, ex.value)).toEqual([]);
      });
      it(`${op.operationId}: example ${name} uses only declared properties`, () => {
        const strictAjv = new Ajv2020.default({ allErrors: true, strict: false });
        addFormats.default(strictAjv);
        strictAjv.addSchema(closed(spec), "closed.json");
        const validate = strictAjv.getSchema(`closed.json${media.schema.$ref}`)!;
        expect(errorsOf(validate, ex.value)).toEqual([]);
      });
    }
  }
});

describe("required fields (Gong: reportingSystem, eventTimestamp, contentId, contentUrl, contentTitle)", () => {
  const required = ["reportingSystem", "eventTimestamp", "contentId", "contentUrl", "contentTitle"];
  for (const [label, validate, make] of [
    ["shared", validateShared, fullShared],
    ["viewed", validateViewed, fullViewed],
  ] as const) {
    for (const field of required) {
      it(`${label}: rejects an event without ${field}`, () => {
        const body = make();
        delete body[field];
        expect(errorsOf(validate, body)).toContain(` must have required property '${field}'`);
      });
    }
    it(`${label}: optional fields may all be left out`, () => {
      const body = Object.fromEntries(Object.entries(make()).filter(([k]) => required.includes(k)));
      expect(errorsOf(validate, body)).toEqual([]);
    });
  }

  it("nested required fields: context system, object type and id, property name/value/dataType", () => {
    const cases: Array<[string, (b: any) => void, string]> = [
      ["crmContext[0].system", (b) => delete b.crmContext[0].system, "/crmContext/0"],
      ["crmContext[0].objects[0].objectType", (b) => delete b.crmContext[0].objects[0].objectType, "/crmContext/0/objects/0"],
      ["crmContext[0].objects[0].objectId", (b) => delete b.crmContext[0].objects[0].objectId, "/crmContext/0/objects/0"],
      ["recipients[0].context[0].system", (b) => delete b.recipients[0].context[0].system, "/recipients/0/context/0"],
      ["contentProperties[0].name", (b) => delete b.contentProperties[0].name, "/contentProperties/0"],
      ["contentProperties[0].value", (b) => delete b.contentProperties[0].value, "/contentProperties/0"],
      ["eventProperties[0].dataType", (b) => delete b.eventProperties[0].dataType, "/eventProperties/0"],
    ];
    for (const [field, breakIt, at] of cases) {
      const body = fullShared();
      breakIt(body);
      const name = field.split(".").pop();
      expect(errorsOf(validateShared, body), field).toContain(`${at} must have required property '${name}'`);
    }
  });
});

describe("enums", () => {
  it("CRM system: Salesforce, HubSpot, MicrosoftDynamic, Generic", () => {
    expect(spec.components.schemas.CrmSystem.enum).toEqual(["Salesforce", "HubSpot", "MicrosoftDynamic", "Generic"]);
    const body = fullShared();
    body.crmContext[0].system = "Pipedrive";
    expect(errorsOf(validateShared, body)).toContain("/crmContext/0/system must be equal to one of the allowed values");
  });

  it("party objectType and call objectType keep Gong's lists", () => {
    const s = spec.components.schemas;
    expect(s.ExternalCrmPartyObject.properties.objectType.enum).toEqual(["Lead", "Contact", "Account", "Opportunity", "User", "Lead,Contact"]);
    expect(s.ExternalCrmCallObject.properties.objectType.enum).toEqual(["Opportunity", "Account", "Lead", "Contact", "User", "Opportunity,Account"]);
    const body = fullShared();
    body.recipients[0].context[0].objects[0].objectType = "Deal";
    expect(errorsOf(validateShared, body)).toContain("/recipients/0/context/0/objects/0/objectType must be equal to one of the allowed values");
  });

  it("GenericProperty dataType is four separate values", () => {
    expect(spec.components.schemas.GenericProperty.properties.dataType.enum).toEqual(["number", "string", "url", "date"]);
    const body = fullViewed();
    body.eventProperties[0].dataType = "number, string, url, date";
    expect(errorsOf(validateViewed, body)).toContain("/eventProperties/0/dataType must be equal to one of the allowed values");
  });

  it("agentPlatform on a view is one of Windows, Linux, MacOS, iOS, Android", () => {
    expect(spec.components.schemas.AgentPlatform.enum).toEqual(["Windows", "Linux", "MacOS", "iOS", "Android"]);
    const body = fullViewed();
    body.agentPlatform = "BeOS";
    expect(errorsOf(validateViewed, body)).toContain("/agentPlatform must be equal to one of the allowed values");
  });
});

describe("formats", () => {
  for (const [label, validate, make] of [
    ["shared", validateShared, fullShared],
    ["viewed", validateViewed, fullViewed],
  ] as const) {
    it(`${label}: eventTimestamp must be an ISO-8601 date-time with a zone`, () => {
      for (const bad of ["yesterday", "2021-02-17", "2021-02-17T02:30:00", "2021-13-17T02:30:00Z"]) {
        const body = make();
        body.eventTimestamp = bad;
        expect(errorsOf(validate, body), bad).toContain('/eventTimestamp must match format "date-time"');
      }
      for (const good of ["2021-08-01T02:30:00+05:00", "2021-08-01T08:00:00Z"]) {
        const body = make();
        body.eventTimestamp = good;
        expect(errorsOf(validate, body), good).toEqual([]);
      }
    });
    it(`${label}: contentUrl is any string, as Gong declares no URL format`, () => {
      for (const url of ["not a url", "/relative/path", "https://example.com/提案.pdf"]) {
        const body = make();
        body.contentUrl = url;
        expect(errorsOf(validate, body), url).toEqual([]);
      }
      const body = make();
      body.contentUrl = 12345;
      expect(errorsOf(validate, body)).toContain("/contentUrl must be string");
    });
  }

  it("integrationId is an int64 and the 200 example keeps all its digits", async () => {
    const { bundleText } = await import("./load-bundle.js");
    const property = spec.components.schemas.EventReportedResponse.properties.integrationId;
    expect(property).toMatchObject({ type: "integer", format: "int64" });
    expect(property.description).toMatch(/2\^53/);
    expect(bundleText).toContain('"integrationId": 5517027188234206123');
    expect(BigInt("5517027188234206123")).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });
});

describe("rules stated in prose", () => {
  it("a view's trackingId must be absent or null when a viewer is sent", () => {
    const body = fullViewed();
    body.trackingId = "visitor-1";
    expect(errorsOf(validateViewed, body)).toContain("/trackingId must be null");
    body.trackingId = null;
    expect(errorsOf(validateViewed, body)).toEqual([]);
    delete body.viewer;
    body.trackingId = "visitor-1";
    expect(errorsOf(validateViewed, body)).toEqual([]);
  });

  it("each recipient of a share must have an email", () => {
    const body = fullShared();
    delete body.recipients[0].email;
    expect(errorsOf(validateShared, body)).toContain("/recipients/0 must have required property 'email'");
    // Other actors may leave the email out.
    const ok = fullShared();
    delete ok.nonCompanyParticipants[0].email;
    expect(errorsOf(validateShared, ok)).toEqual([]);
  });
});
