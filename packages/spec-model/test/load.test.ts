import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledSpecModel, bundledSpecPath, loadSpecModel, type SpecModel, SpecModelError } from "../src/index.js";
import { type Doc, eventsDoc, eventsPath } from "./fixtures.js";

function loadError(document: Doc): SpecModelError {
  try {
    loadSpecModel(document);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecModelError);
    return error as SpecModelError;
  }
  throw new Error("expected loadSpecModel to throw");
}

function edited(edit: (doc: Doc) => void): Doc {
  const doc = eventsDoc();
  edit(doc);
  return doc;
}

describe("loadSpecModel on a fixture spec", () => {
  const model = loadSpecModel(eventsPath);

  it("reads the version, the path, the rate limits and every operation", () => {
    expect(model.version).toBe("1.2.3");
    expect(model.path).toBe(eventsPath);
    expect(model.rateLimits).toEqual({ perSecond: 2, perDay: 50 });
    expect(model.operations.map((op) => [op.operationId, op.alias, op.method, op.path])).toEqual([
      ["reportAlpha", "alpha", "POST", "/v1/alpha"],
      ["reportBeta", "beta", "POST", "/v1/beta"],
      ["reportGamma", "gamma", "POST", "/v1/gamma/{kind}"],
    ]);
  });

  it("reads each operation's Gong event rule", () => {
    expect(model.operation("reportAlpha")!.event).toEqual({
      eventIdField: "id",
      duplicateKey: ["source", "id"],
      duplicateKeyScope: "letters",
      resultIdField: "gongId",
    });
    expect(model.operation("reportGamma")!.event).toEqual({ duplicateKey: ["id"], duplicateKeyScope: "gamma" });
  });

  it("gives statuses, content types, headers, int64 fields, messages and example names per response", () => {
    const alpha = model.operation("reportAlpha")!;
    expect(alpha.statuses).toEqual([200, 400, 429]);
    const ok = alpha.responses.get(200)!;
    expect(ok).toMatchObject({ status: 200, contentType: "application/json", int64Fields: ["gongId"], message: "Accepted", examples: ["Accepted"] });
    expect(alpha.responses.get(400)!.message).toBe("source: is required");
    const limited = alpha.responses.get(429)!;
    expect(limited.headers.map((h) => [h.name, h.required, h.schema])).toEqual([["Retry-After", true, { type: "integer", minimum: 0 }]]);
    const gamma = model.operation("reportGamma")!;
    expect(gamma.statuses).toEqual([200, 204, 400]);
    expect(gamma.responses.get(204)).toMatchObject({ contentType: "", schema: undefined, message: "Nothing to say", int64Fields: [] });
    expect(gamma.responses.get(204)!.validateBody("anything")).toEqual([]);
  });

  it("gives the request schema's place, the named examples, auth schemes and scopes", () => {
    const alpha = model.operation("reportAlpha")!;
    expect(alpha.requestSchemaRef).toBe("#/components/schemas/LetterEvent");
    expect(alpha.examples).toEqual({
      AlphaFull: { source: "s", id: "a-1", at: "2024-02-29T10:00:00Z", link: "https://example.com/a" },
      AlphaInline: { source: "s", at: "2024-02-29T10:00:00Z" },
    });
    expect(alpha.authSchemes).toEqual(["basic", "bearer"]);
    expect(alpha.scopes).toEqual(["events:write"]);
    const beta = model.operation("reportBeta")!;
    expect(beta.authSchemes).toEqual(["basic"]);
    expect(beta.scopes).toEqual([]);
    const gamma = model.operation("reportGamma")!;
    expect(gamma.requestSchemaRef).toBe("#/paths/~1v1~1gamma~1{kind}/post/requestBody/content/application~1json/schema");
    expect((gamma.requestSchema as { title: string }).title).toBe("Gamma");
  });

  it("validates request bodies, and every named example is valid", () => {
    for (const op of model.operations) {
      for (const [name, example] of Object.entries(op.examples)) expect(op.validateRequest(example), `${op.operationId} ${name}`).toEqual([]);
    }
    expect(model.operation("reportAlpha")!.validateRequest({ at: "2024-02-30T10:00:00Z" })).toEqual([
      { field: "/source", problem: "is required" },
      { field: "/at", problem: expect.stringContaining("must be a real ISO-8601 date-time") },
    ]);
  });

  it("finds operations by operationId, alias, and method + path (any case, query ignored, {param} matching one segment)", () => {
    expect(model.operation("reportBeta")!.alias).toBe("beta");
    expect(model.operation("nope")).toBeUndefined();
    expect(model.byAlias("gamma")!.operationId).toBe("reportGamma");
    expect(model.byAlias("reportGamma")).toBeUndefined();
    expect(model.find("post", "/v1/alpha?x=1")!.operationId).toBe("reportAlpha");
    expect(model.find("POST", "/v1/gamma/red")!.operationId).toBe("reportGamma");
    expect(model.find("POST", "/v1/gamma/red/more")).toBeUndefined();
    expect(model.find("PUT", "/v1/alpha")).toBeUndefined();
    expect(model.find("POST", "/v1/alpha/")).toBeUndefined();
  });

  it("accepts an already-parsed document (no path)", () => {
    const fromObject: SpecModel = loadSpecModel(eventsDoc());
    expect(fromObject.path).toBeUndefined();
    expect(fromObject.operations).toHaveLength(3);
  });
});

describe("loadSpecModel errors name the file or the operation, and the problem", () => {
  it("an unreadable file", () => {
    const missing = join(tmpdir(), "no-such-dir-gong-engage", "openapi.json");
    expect(() => loadSpecModel(missing)).toThrow(SpecModelError);
    expect(() => loadSpecModel(missing)).toThrow(`${missing}: cannot read the OpenAPI document: ENOENT`);
  });

  it("a file that is not JSON (a YAML spec, say)", () => {
    const dir = mkdtempSync(join(tmpdir(), "spec-model-"));
    const yaml = join(dir, "openapi.yaml");
    writeFileSync(yaml, "openapi: 3.1.0\npaths: {}\n");
    let error: SpecModelError | undefined;
    try {
      loadSpecModel(yaml);
    } catch (e) {
      error = e as SpecModelError;
    }
    expect(error).toBeInstanceOf(SpecModelError);
    expect(error!.name).toBe("SpecModelError");
    expect(error!.path).toBe(yaml);
    expect(error!.problem).toMatch(/^is not JSON .*a bundled JSON spec is needed/);
  });

  it("a document that is not OpenAPI 3", () => {
    expect(loadError([]).problem).toBe("is not an OpenAPI document (not a JSON object)");
    expect(loadError({ swagger: "2.0", paths: {} }).problem).toBe('is not an OpenAPI 3 document (`openapi` is undefined, expected "3.1.x")');
    expect(loadError({ openapi: "3.1.0" }).problem).toBe("is not an OpenAPI document (no `paths` object)");
    expect(loadError({ openapi: "3.1.0" }).path).toBe("(document)");
  });

  it("an operation without operationId, or with one that is no identifier", () => {
    expect(loadError(edited((d) => delete d.paths["/v1/beta"].post.operationId)).problem).toMatch(
      /^operation POST \/v1\/beta: operationId is missing; every operation needs one/,
    );
    expect(loadError(edited((d) => (d.paths["/v1/beta"].post.operationId = "report-beta"))).problem).toMatch(
      /^operation POST \/v1\/beta: operationId is "report-beta"/,
    );
    expect(loadError(edited((d) => (d.paths["/v1/beta"].post.operationId = "reportAlpha"))).problem).toBe("operationId reportAlpha is used twice");
  });

  it("an operation without a JSON request body schema", () => {
    expect(loadError(edited((d) => delete d.paths["/v1/beta"].post.requestBody)).problem).toBe(
      'operation reportBeta: requestBody.content["application/json"].schema is missing; every operation sends a JSON event',
    );
    expect(loadError(edited((d) => delete d.paths["/v1/beta"].post.requestBody.content["application/json"].schema)).problem).toMatch(
      /^operation reportBeta: requestBody/,
    );
  });

  it("a response that is not one HTTP status, and a schema that does not compile", () => {
    expect(loadError(edited((d) => (d.paths["/v1/beta"].post.responses["4XX"] = { description: "x" }))).problem).toMatch(
      /^operation reportBeta: response "4XX" is not an HTTP status/,
    );
    expect(loadError(edited((d) => (d.components.schemas.Person.properties.email.type = "strang"))).problem).toMatch(/schemas do not compile|does not compile/);
  });

  it("lazy: the same verdicts, validators compiled at first use; a schema that cannot compile is the same error, then", () => {
    const lazy = loadSpecModel(eventsPath, { lazy: true });
    const eager = loadSpecModel(eventsPath);
    const bodies = [{}, { at: "2024-02-30T10:00:00Z" }, ...eager.operations.flatMap((op) => Object.values(op.examples))];
    for (const op of eager.operations) {
      for (const body of bodies) expect(lazy.operation(op.operationId)!.validateRequest(body)).toEqual(op.validateRequest(body));
      for (const [status, response] of op.responses) {
        expect(lazy.operation(op.operationId)!.responses.get(status)!.validateBody({})).toEqual(response.validateBody({}));
      }
    }
    // A reference to nowhere inside the request schema: fine for Ajv's meta-schema, so only compiling finds it.
    const broken = edited((d) => {
      d.paths["/v1/gamma/{kind}"].post.requestBody.content["application/json"].schema.properties.ghost = { $ref: "#/components/schemas/Nowhere" };
    });
    expect(loadError(broken).problem).toMatch(/^operation reportGamma: the request schema: the schema at .* does not compile/);
    const late = loadSpecModel(broken, { lazy: true });
    expect(late.operation("reportAlpha")!.validateRequest({})).toContainEqual({ field: "/source", problem: "is required" });
    expect(() => late.operation("reportGamma")!.validateRequest({})).toThrow(/operation reportGamma: the request schema: the schema at .* does not compile/);
  });

  it("x-gong-event missing, or malformed (naming the operation and the key)", () => {
    const cases: Array<[(ev: Doc, d: Doc) => void, RegExp | string]> = [
      [(_ev, d) => delete d.paths["/v1/beta"].post["x-gong-event"], /^operation reportBeta: x-gong-event is missing/],
      [(_ev, d) => (d.paths["/v1/beta"].post["x-gong-event"] = "beta"), "operation reportBeta: x-gong-event must be an object"],
      [
        (ev) => (ev.duplicateKeyScpe = "x"),
        "operation reportBeta: x-gong-event.duplicateKeyScpe is not a known key (known: alias, eventIdField, duplicateKey, duplicateKeyScope, resultIdField)",
      ],
      [(ev) => delete ev.alias, "operation reportBeta: x-gong-event.alias must be a non-empty string, got undefined"],
      [(ev) => (ev.alias = "alpha"), 'operation reportBeta: x-gong-event.alias "alpha" is also reportAlpha\'s'],
      [(ev) => (ev.duplicateKeyScope = ""), 'operation reportBeta: x-gong-event.duplicateKeyScope must be a non-empty string, got ""'],
      [(ev) => (ev.duplicateKey = []), "operation reportBeta: x-gong-event.duplicateKey must be a non-empty array of request field names, got []"],
      [(ev) => (ev.duplicateKey = "id"), 'operation reportBeta: x-gong-event.duplicateKey must be a non-empty array of request field names, got "id"'],
      [
        (ev) => (ev.duplicateKey = ["source", "eventId"]),
        'operation reportBeta: x-gong-event.duplicateKey names "eventId", which is not a property of the request schema (source, id, at, link)',
      ],
      [
        (ev) => (ev.eventIdField = "eventId"),
        'operation reportBeta: x-gong-event.eventIdField names "eventId", which is not a property of the request schema (source, id, at, link)',
      ],
      [(ev) => (ev.eventIdField = 7), "operation reportBeta: x-gong-event.eventIdField must be a field name (or absent), got 7"],
      [
        (ev) => (ev.resultIdField = "requestId"),
        'operation reportBeta: x-gong-event.resultIdField names "requestId", which is not an int64 property of the 200 body',
      ],
      [
        (ev) => (ev.duplicateKey = ["id"]),
        /^operation reportBeta: x-gong-event.duplicateKey \[id\] differs from reportAlpha's \[source, id\], but both share duplicateKeyScope "letters"/,
      ],
    ];
    for (const [edit, expected] of cases) {
      const doc = eventsDoc();
      edit(doc.paths["/v1/beta"].post["x-gong-event"], doc);
      const error = loadError(doc);
      if (typeof expected === "string") expect(error.problem).toBe(expected);
      else expect(error.problem).toMatch(expected);
    }
  });

  it("x-gong-rate-limits missing or malformed: the spec is the source of Gong's limits, none are assumed", () => {
    expect(loadError(edited((d) => delete d["x-gong-rate-limits"])).problem).toMatch(/^x-gong-rate-limits is missing at the root/);
    expect(loadError(edited((d) => (d["x-gong-rate-limits"].perSecond = 0))).problem).toBe("x-gong-rate-limits.perSecond must be a positive integer, got 0");
    expect(loadError(edited((d) => (d["x-gong-rate-limits"].perMinute = 60))).problem).toBe(
      "x-gong-rate-limits.perMinute is not a known key (known: perSecond, perDay)",
    );
  });

  it("security that names an undefined or unsupported scheme", () => {
    expect(loadError(edited((d) => (d.paths["/v1/beta"].post.security = [{ ApiKey: [] }]))).problem).toBe(
      'operation reportBeta: security names "ApiKey", which components.securitySchemes does not define',
    );
    expect(loadError(edited((d) => (d.components.securitySchemes.BasicAuth = { type: "apiKey", in: "header", name: "X-Key" }))).problem).toMatch(
      /^operation reportAlpha: security scheme "BasicAuth" \(type "apiKey"\) is not supported/,
    );
  });

  it("a $ref that names nothing", () => {
    expect(loadError(edited((d) => (d.paths["/v1/beta"].post.responses["200"] = { $ref: "#/components/responses/Nope" }))).problem).toBe(
      "$ref #/components/responses/Nope names nothing in the document",
    );
  });
});

describe("the bundled spec (@gong-engage/spec/openapi.json)", () => {
  const model = loadSpecModel();

  it("is the default source", () => {
    expect(model.path).toBe(bundledSpecPath());
    expect(bundledSpecPath()).toMatch(/openapi\.json$/);
  });

  it("bundledSpecModel: loaded once per process (the same operations, so the same validators), judging as an eager load does", () => {
    const shared = bundledSpecModel();
    expect(bundledSpecModel()).toBe(shared);
    expect(shared.path).toBe(bundledSpecPath());
    expect(shared.operations.map((o) => o.operationId)).toEqual(model.operations.map((o) => o.operationId));
    const first = shared.operations[0]!;
    expect(shared.operation(first.operationId)).toBe(first);
    for (const operation of shared.operations) {
      const eager = model.operation(operation.operationId)!;
      for (const example of Object.values(operation.examples)) expect(operation.validateRequest(example)).toEqual([]);
      expect(operation.validateRequest({})).toEqual(eager.validateRequest({}));
      expect(operation.validateRequest({})).not.toEqual([]);
    }
  });

  it("states Gong's limits and each operation's event rule, as spec/README.md's vendor extensions say", () => {
    expect(model.rateLimits).toEqual({ perSecond: 3, perDay: 10000 });
    const legacy = {
      eventIdField: "eventId",
      duplicateKey: ["reportingSystem", "eventId"],
      duplicateKeyScope: "customer-engagement-content",
      resultIdField: "integrationId",
    };
    expect(model.operation("reportContentShared")).toMatchObject({
      alias: "shared",
      method: "PUT",
      path: "/v2/customer-engagement/content/shared",
      event: legacy,
    });
    expect(model.operation("reportContentViewed")).toMatchObject({
      alias: "viewed",
      method: "PUT",
      path: "/v2/customer-engagement/content/viewed",
      event: legacy,
    });
    const digital = model.operation("reportDigitalInteraction");
    if (digital) {
      // The new operation (added by the spec's own change): its own key space, and no id of Gong's in its 200.
      expect(digital).toMatchObject({ alias: "digital-interaction", method: "POST", path: "/v2/digital-interaction" });
      expect(digital.event).toEqual({ eventIdField: "eventId", duplicateKey: ["eventId"], duplicateKeyScope: "digital-interaction" });
      expect(digital.responses.get(200)!.int64Fields).toEqual([]);
    }
    for (const op of model.operations) {
      expect(op.authSchemes.sort()).toEqual(["basic", "bearer"]);
      expect(op.scopes.length).toBeGreaterThan(0);
      expect(op.statuses).toEqual(expect.arrayContaining([200, 400, 401, 409, 429, 500]));
      expect(op.responses.get(429)!.headers).toContainEqual(expect.objectContaining({ name: "Retry-After", required: true }));
    }
  });

  it("every named request example is valid, and every response example is valid against its status's schema", () => {
    let responseExamples = 0;
    for (const op of model.operations) {
      expect(Object.keys(op.examples).length).toBeGreaterThan(0);
      for (const [name, example] of Object.entries(op.examples)) expect(op.validateRequest(example), `${op.operationId} ${name}`).toEqual([]);
      const item = (model.document.paths as Doc)[op.path][op.method.toLowerCase()];
      for (const [status, response] of op.responses) {
        expect(response.examples.length, `${op.operationId} ${status}`).toBeGreaterThan(0);
        const ref = item.responses[String(status)].$ref as string | undefined;
        const media = ref
          ? (model.document as Doc).components.responses[ref.split("/").pop()!].content[response.contentType]
          : item.responses[String(status)].content[response.contentType];
        for (const example of Object.values<Doc>(media.examples)) {
          const value = example.$ref ? (model.document as Doc).components.examples[example.$ref.split("/").pop()].value : example.value;
          expect(response.validateBody(value), `${op.operationId} ${status}`).toEqual([]);
          responseExamples++;
        }
      }
    }
    expect(responseExamples).toBeGreaterThanOrEqual(12);
  });
});
