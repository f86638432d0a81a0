// POST /v2/digital-interaction against Gong's document (shared/gong-docs/digital-interactions.md): the request
// schemas, compiled by a JSON Schema 2020-12 validator (Ajv, formats on), accept what the document allows and
// refuse what it forbids, one accepted and one refused body for each rule. The field lists, enums and rules
// here are Gong's document, restated on purpose: these tests check that the spec says what the document says.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { operations, spec } from "./load-bundle.js";

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(spec, "openapi.json");
const validate = ajv.getSchema("openapi.json#/components/schemas/DigitalInteractionRequest")!;

const example = (name: string) => structuredClone(spec.components.examples[name].value);
const known = () => example("DigitalInteractionKnownPerson");
const anonymous = () => example("DigitalInteractionAnonymousPerson");
const tracked = () => example("DigitalInteractionTrackingId");

function errorsOf(body: unknown): string[] {
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const REQUEST_SCHEMAS = [
  "DigitalInteractionRequest",
  "Content",
  "NumericContentDetails",
  "StepContentDetails",
  "SearchObjectDetails",
  "CustomField",
  "Person",
  "PersonBusinessContext",
  "Location",
  "Company",
  "CompanyBusinessContext",
];

describe("the operation", () => {
  const found = operations.find(({ op }) => op.operationId === "reportDigitalInteraction");
  const op = found?.op;

  it("is POST /v2/digital-interaction, tagged Digital Interactions, one JSON event per call", () => {
    expect(found).toMatchObject({ method: "post", path: "/v2/digital-interaction" });
    expect(op.tags).toEqual(["Digital Interactions"]);
    expect(op.requestBody.required).toBe(true);
    expect(Object.keys(op.requestBody.content)).toEqual(["application/json"]);
    expect(op.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/DigitalInteractionRequest");
  });

  it("accepts Basic, or OAuth with the scope api:digital-interactions:write", () => {
    expect(op.security).toEqual([{ BasicAuth: [] }, { OAuth2: ["api:digital-interactions:write"] }]);
  });

  it("declares its duplicate rule (eventId alone, its own key space) and no result id", () => {
    expect(op["x-gong-event"]).toEqual({
      alias: "digital-interaction",
      eventIdField: "eventId",
      duplicateKey: ["eventId"],
      duplicateKeyScope: "digital-interaction",
    });
    // Our reading, so the description says so.
    expect(op.description).toMatch(/our reading/i);
  });

  it("answers 200 with a requestId and no integrationId; errors share the legacy error responses", () => {
    const ok = spec.components.responses[op.responses["200"].$ref.split("/").pop()];
    const schema = spec.components.schemas[ok.content["application/json"].schema.$ref.split("/").pop()];
    expect(Object.keys(schema.properties)).toEqual(["requestId"]);
    expect(schema.required).toEqual(["requestId"]);
    const validate200 = ajv.getSchema(`openapi.json${ok.content["application/json"].schema.$ref}`)!;
    expect(validate200({ requestId: "4al018gzaztcr8nbukw" })).toBe(true);
    expect(validate200({})).toBe(false);
    for (const status of ["400", "401", "409", "429", "500"]) {
      const response = spec.components.responses[op.responses[status].$ref.split("/").pop()];
      expect(response.content["application/json"].schema.$ref, status).toBe("#/components/schemas/ErrorResponse");
    }
    expect(spec.components.responses.TooManyRequests.headers["Retry-After"].$ref).toBe("#/components/headers/Retry-After");
    expect(spec.components.headers["Retry-After"].schema).toMatchObject({ type: "integer", format: "int32" });
  });

  it("has the three named request examples", () => {
    expect(Object.keys(op.requestBody.content["application/json"].examples)).toEqual([
      "DigitalInteractionKnownPerson",
      "DigitalInteractionAnonymousPerson",
      "DigitalInteractionTrackingId",
    ]);
  });
});

describe("request schemas", () => {
  it("all 11 are components, one file each named after it, every one described", () => {
    const files = readdirSync(fileURLToPath(new URL("../components/schemas", import.meta.url)));
    for (const name of REQUEST_SCHEMAS) {
      expect(files, name).toContain(`${name}.yaml`);
      expect(spec.components.schemas[name]?.description, name).toBeTruthy();
      for (const [property, schema] of Object.entries<any>(spec.components.schemas[name].properties)) {
        expect(schema.description ?? spec.components.schemas[schema.$ref?.split("/").pop()]?.description, `${name}.${property}`).toBeTruthy();
      }
    }
  });

  it("the three examples are accepted", () => {
    for (const body of [known(), anonymous(), tracked()]) expect(errorsOf(body)).toEqual([]);
  });
});

describe("required fields (Gong: eventId, timestamp, eventType, content, content.contentTitle)", () => {
  for (const field of ["eventId", "timestamp", "eventType", "content"]) {
    it(`refuses an event without ${field}`, () => {
      const body = tracked();
      delete body[field];
      expect(errorsOf(body)).toContain(` must have required property '${field}'`);
    });
  }

  it("refuses content without contentTitle", () => {
    const body = tracked();
    delete body.content.contentTitle;
    expect(errorsOf(body)).toContain("/content must have required property 'contentTitle'");
  });

  it("accepts an event with only the always-required fields (no person, no trackingId: our reading)", () => {
    expect(errorsOf({ eventId: "e1", timestamp: "2025-06-01T14:03:00Z", eventType: "page viewed", content: { contentTitle: "T" } })).toEqual([]);
  });

  const nested: Array<[string, (b: any) => void, string]> = [
    ["numericContentDetails.rangeFrom", (b) => delete b.content.numericContentDetails.rangeFrom, "/content/numericContentDetails"],
    ["numericContentDetails.rangeTo", (b) => delete b.content.numericContentDetails.rangeTo, "/content/numericContentDetails"],
    ["stepContentDetails.value", (b) => delete b.content.stepContentDetails.value, "/content/stepContentDetails"],
    ["stepContentDetails.availableSteps", (b) => delete b.content.stepContentDetails.availableSteps, "/content/stepContentDetails"],
    ["searchObjectDetails.name", (b) => delete b.content.searchObjectDetails.name, "/content/searchObjectDetails"],
    ["searchObjectDetails.objectType", (b) => delete b.content.searchObjectDetails.objectType, "/content/searchObjectDetails"],
    ["searchObjectDetails.domain", (b) => delete b.content.searchObjectDetails.domain, "/content/searchObjectDetails"],
    ["contentCustomFields[0].name", (b) => delete b.content.contentCustomFields[0].name, "/content/contentCustomFields/0"],
    ["contentCustomFields[0].value", (b) => delete b.content.contentCustomFields[0].value, "/content/contentCustomFields/0"],
    ["personBusinessContext.objectType", (b) => delete b.person.personBusinessContext.objectType, "/person/personBusinessContext"],
    ["personBusinessContext.objectId", (b) => delete b.person.personBusinessContext.objectId, "/person/personBusinessContext"],
    [
      "companyBusinessContexts[0].objectType",
      (b) => delete b.person.company.companyBusinessContexts[0].objectType,
      "/person/company/companyBusinessContexts/0",
    ],
    ["companyBusinessContexts[0].objectId", (b) => delete b.person.company.companyBusinessContexts[0].objectId, "/person/company/companyBusinessContexts/0"],
    ["personCustomFields[0].value", (b) => delete b.person.personCustomFields[0].value, "/person/personCustomFields/0"],
    ["customFields[0].name", (b) => delete b.customFields[0].name, "/customFields/0"],
  ];
  for (const [field, breakIt, at] of nested) {
    it(`inside an optional object: refuses it without ${field}`, () => {
      const body = known();
      breakIt(body);
      expect(errorsOf(body)).toContain(
        `${at} must have required property '${field
          .split(".")
          .pop()!
          .replace(/\[\d+\]$/, "")}'`,
      );
    });
  }

  it("inside an optional object: the fields Gong leaves optional may be left out", () => {
    const body = known();
    delete body.content.numericContentDetails.value;
    delete body.content.numericContentDetails.numericType;
    delete body.content.searchObjectDetails.objectId;
    delete body.person.personBusinessContext.systemName;
    delete body.person.company.companyBusinessContexts[0].systemName;
    delete body.customFields[0].dataType;
    expect(errorsOf(body)).toEqual([]);
  });
});

describe("enums, exact casing", () => {
  const cases: Array<[string, string[], (b: any, v: string) => void, string]> = [
    ["device", ["MOBILE", "PC"], (b, v) => (b.device = v), "/device"],
    [
      "numericType",
      ["PERCENTAGE", "NPS", "RATING", "OTHER"],
      (b, v) => (b.content.numericContentDetails.numericType = v),
      "/content/numericContentDetails/numericType",
    ],
    [
      "searchObjectDetails.objectType",
      ["VENDOR", "PRODUCT", "CATEGORY"],
      (b, v) => (b.content.searchObjectDetails.objectType = v),
      "/content/searchObjectDetails/objectType",
    ],
    [
      "personBusinessContext.objectType",
      ["CONTACT", "LEAD"],
      (b, v) => (b.person.personBusinessContext.objectType = v),
      "/person/personBusinessContext/objectType",
    ],
    [
      "companyBusinessContexts[].objectType",
      ["ACCOUNT", "OPPORTUNITY"],
      (b, v) => (b.person.company.companyBusinessContexts[0].objectType = v),
      "/person/company/companyBusinessContexts/0/objectType",
    ],
    [
      "CustomField.dataType",
      ["STRING", "NUMBER", "DATE", "URL", "BOOLEAN", "DURATION"],
      (b, v) => (b.customFields[0].dataType = v),
      "/customFields/0/dataType",
    ],
  ];
  for (const [name, values, set, at] of cases) {
    it(`${name}: ${values.join(", ")}`, () => {
      for (const value of values) {
        const body = known();
        set(body, value);
        expect(errorsOf(body), value).toEqual([]);
      }
      for (const wrong of [values[0]!.toLowerCase(), "UNKNOWN"]) {
        const body = known();
        set(body, wrong);
        expect(errorsOf(body), wrong).toContain(`${at} must be equal to one of the allowed values`);
      }
    });
  }

  it("systemName and eventType are free text", () => {
    const body = known();
    body.eventType = "video watched to the end";
    body.person.personBusinessContext.systemName = "Pipedrive";
    expect(errorsOf(body)).toEqual([]);
  });
});

describe("formats and types", () => {
  it("timestamp is an ISO-8601 date-time with a zone", () => {
    for (const bad of ["yesterday", "2025-06-01", "2025-06-01T14:03:00", "2025-13-01T14:03:00Z"]) {
      const body = tracked();
      body.timestamp = bad;
      expect(errorsOf(body), bad).toContain('/timestamp must match format "date-time"');
    }
    for (const good of ["2025-06-01T14:05:00+02:00", "2025-06-01T14:03:00.250Z"]) {
      const body = tracked();
      body.timestamp = good;
      expect(errorsOf(body), good).toEqual([]);
    }
  });

  it("numeric details are int32 integers", () => {
    const at = (value: unknown) => {
      const body = known();
      body.content.numericContentDetails.value = value;
      return errorsOf(body);
    };
    expect(at(2147483647)).toEqual([]);
    expect(at(-2147483648)).toEqual([]);
    expect(at(2147483648)).toContain('/content/numericContentDetails/value must match format "int32"');
    expect(at(80.5)).toContain("/content/numericContentDetails/value must be integer");
    expect(at("80")).toContain("/content/numericContentDetails/value must be integer");
  });

  it("a custom field's value is always a string, whatever its dataType", () => {
    const body = known();
    body.customFields[0].value = 95;
    expect(errorsOf(body)).toContain("/customFields/0/value must be string");
  });
});

describe("rules stated in prose", () => {
  it("person and trackingId: each must be null when the other is sent", () => {
    const both = known();
    both.trackingId = "trk-1";
    expect(errorsOf(both)).toContain("/trackingId must be null");
    // "null" read as JSON null or absent (our reading), on either side.
    const personWithNullTracking = known();
    personWithNullTracking.trackingId = null;
    expect(errorsOf(personWithNullTracking)).toEqual([]);
    const trackingWithNullPerson = tracked();
    trackingWithNullPerson.person = null;
    expect(errorsOf(trackingWithNullPerson)).toEqual([]);
    expect(errorsOf(tracked())).toEqual([]);
  });

  it("an anonymous person needs personId", () => {
    const body = anonymous();
    delete body.person.personId;
    expect(errorsOf(body)).toContain("/person must have required property 'personId'");
    const empty = anonymous();
    empty.person.personId = "";
    expect(errorsOf(empty)).toContain("/person/personId must NOT have fewer than 1 characters");
    expect(errorsOf(anonymous())).toEqual([]);
  });

  it("an anonymous person needs company.domain, even with an ACCOUNT context", () => {
    const noCompany = anonymous();
    delete noCompany.person.company;
    expect(errorsOf(noCompany)).toContain("/person must have required property 'company'");
    const contextOnly = anonymous();
    contextOnly.person.company = { companyBusinessContexts: [{ objectType: "ACCOUNT", objectId: "001" }] };
    expect(errorsOf(contextOnly)).toContain("/person/company must have required property 'domain'");
  });

  it('empty strings do not identify a person (our reading of "empty")', () => {
    const body = anonymous();
    body.person.name = "";
    body.person.email = "";
    delete body.person.personId;
    expect(errorsOf(body)).toContain("/person must have required property 'personId'");
  });

  it("a person identified by any one of name, email, phone or business context needs neither personId nor company", () => {
    const identifiers: Array<Record<string, unknown>> = [
      { name: "Jane Smith" },
      { email: "jane@buyer.example" },
      { phoneNumber: "+14155550100" },
      { personBusinessContext: { objectType: "LEAD", objectId: "00Q5g000001" } },
    ];
    for (const person of identifiers) {
      const body = tracked();
      delete body.trackingId;
      body.person = person;
      expect(errorsOf(body), JSON.stringify(person)).toEqual([]);
    }
  });

  it("a company needs a domain or an ACCOUNT/OPPORTUNITY context", () => {
    const withCompany = (company: unknown) => {
      const body = known();
      body.person.company = company;
      return errorsOf(body);
    };
    expect(withCompany({ domain: "buyer.example" })).toEqual([]);
    expect(withCompany({ name: "XYZ", companyBusinessContexts: [{ objectType: "OPPORTUNITY", objectId: "006" }] })).toEqual([]);
    expect(withCompany({ name: "XYZ", companyBusinessContexts: [{ objectType: "ACCOUNT", objectId: "001" }] })).toEqual([]);
    for (const refused of [{ name: "XYZ" }, { name: "XYZ", domain: "" }]) {
      expect(withCompany(refused), JSON.stringify(refused)).toContain("/person/company must have required property 'companyBusinessContexts'");
    }
    expect(withCompany({ name: "XYZ", companyBusinessContexts: [] })).toContain(
      "/person/company/companyBusinessContexts must contain at least 1 valid item(s)",
    );
  });
});
