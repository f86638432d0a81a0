// loadSpecModel: reads a bundled OpenAPI 3.1 document once and gives every package the same view of it: the
// operations (method, path, request validator, documented statuses with their schemas, headers and int64
// fields, named examples, auth schemes and scopes) and Gong's rules from the `x-gong-*` extensions. Nothing is
// read when this module is imported; nothing here restates a shape: it all comes from the document.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { type Ajv, createAjv } from "./ajv.js";
import { SpecModelError } from "./errors.js";
import { formatIssues } from "./issues.js";
import { pointerOf, resolveRef } from "./resolve-ref.js";
import type { GongEventRule, RateLimits, ValidationIssue } from "./types.js";

export interface SpecHeader {
  name: string;
  required: boolean;
  /** The header's schema, $refs followed. */
  schema: unknown;
  /** The header's value (text, as sent) against its schema; integer schemas need an integer's digits. */
  validate(value: string): ValidationIssue[];
}

export interface SpecResponse {
  status: number;
  /** e.g. "application/json"; "" when the response documents no content. */
  contentType: string;
  /** The body's schema, $refs followed; undefined when the response documents none. */
  schema: unknown;
  /** The parsed body against the status's schema; [] when it is valid (or the response documents no schema). */
  validateBody(body: unknown): ValidationIssue[];
  headers: SpecHeader[];
  /** Top-level int64 properties of the body (e.g. Gong's event id): they must be exact JSON integers. */
  int64Fields: string[];
  /** The first example's first error message, else the response's description: what a stand-in says for this status. */
  message: string;
  /** The names of the response's examples. */
  examples: string[];
}

export interface SpecOperation {
  operationId: string;
  /** x-gong-event.alias: a short name (reportMany's `operation`, a CLI's `--operation`). */
  alias: string;
  /** Upper case: "PUT", "POST". */
  method: string;
  path: string;
  /** A JSON pointer to the request body's schema ("#/components/schemas/X", or the inline schema's place). */
  requestSchemaRef: string;
  /** The request body's schema, $refs followed at its top. */
  requestSchema: unknown;
  /** The parsed body against the request schema; [] when it is valid. */
  validateRequest(body: unknown): ValidationIssue[];
  /** The documented statuses, ascending, e.g. [200, 400, 401, 409, 429, 500]. */
  statuses: number[];
  responses: Map<number, SpecResponse>;
  /** The named examples of the request body, by name. */
  examples: Record<string, unknown>;
  /** The HTTP auth schemes the operation accepts: "basic", "bearer" (OAuth2 and OpenID Connect send a Bearer token). */
  authSchemes: Array<"basic" | "bearer">;
  /** The OAuth scopes its security requirements name, e.g. ["api:engagement-data:write"]. */
  scopes: string[];
  /** Gong's rules for the event, from x-gong-event. */
  event: GongEventRule;
}

export interface SpecModel {
  /** The document itself (compare one load with the next, hand it to other tools). */
  document: Record<string, unknown>;
  /** info.version */
  version: string;
  /** The file it was read from; undefined when a document was passed in. */
  path?: string;
  /** x-gong-rate-limits: calls allowed per company credential. */
  rateLimits: RateLimits;
  operations: SpecOperation[];
  /** The operation with this operationId, or undefined. */
  operation(operationId: string): SpecOperation | undefined;
  /** The operation with this x-gong-event alias, or undefined. */
  byAlias(alias: string): SpecOperation | undefined;
  /** The operation a request goes to (method in any case; the path without query; `{param}` segments match one segment). */
  find(method: string, path: string): SpecOperation | undefined;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const EVENT_KEYS = ["alias", "eventIdField", "duplicateKey", "duplicateKeyScope", "resultIdField"];
const RATE_KEYS = ["perSecond", "perDay"];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type Json = Record<string, unknown>;

/**
 * The spec every package serves by default: the copy of the bundle that the build puts next to the compiled
 * modules (dist/openapi.json, shipped in the published package), or, running from this repository's sources,
 * @gong-engage/spec's bundle itself. Both are the same file.
 */
export function bundledSpecPath(): string {
  const shipped = fileURLToPath(new URL("./openapi.json", import.meta.url));
  return existsSync(shipped) ? shipped : createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json");
}

let bundledModel: SpecModel | undefined;

/**
 * The bundled spec's model (`bundledSpecPath()`), loaded on first use and then shared by everything in the process
 * that uses the default spec (the relay's commands and workers, mocks serving it, the tests), so that each of its
 * validators is compiled once, at its first use (LoadOptions.lazy). The bundle is checked whole when it is built
 * and by this package's tests, so a lazy load hides nothing.
 */
export function bundledSpecModel(): SpecModel {
  bundledModel ??= loadSpecModel(bundledSpecPath(), { lazy: true });
  return bundledModel;
}

/**
 * Loads a spec: `source` is the path of a bundled JSON document (default: `bundledSpecPath()`), or a document
 * already parsed. Throws SpecModelError naming the file (or "(document)") and the problem.
 */
export function loadSpecModel(source: string | object = bundledSpecPath(), options: LoadOptions = {}): SpecModel {
  const path = typeof source === "string" ? source : undefined;
  const where = path ?? "(document)";
  const document = typeof source === "string" ? readDocument(source) : source;
  const fail = (problem: string): never => {
    throw new SpecModelError(where, problem);
  };
  if (!isObject(document)) return fail("is not an OpenAPI document (not a JSON object)");
  if (typeof document.openapi !== "string" || !document.openapi.startsWith("3.")) {
    return fail(`is not an OpenAPI 3 document (\`openapi\` is ${JSON.stringify(document.openapi)}, expected "3.1.x")`);
  }
  if (!isObject(document.paths)) return fail("is not an OpenAPI document (no `paths` object)");
  const resolve = (node: unknown): unknown => resolveRef(document, node, where);

  const ajv = createAjv();
  try {
    // Without Ajv's meta-schema check of the document's root: an OpenAPI document's root holds no JSON Schema
    // keyword (openapi, info, paths, components...), so that check passes for every document, and it cost a
    // compilation of the 2020-12 meta-schema, ~0.1 s of CPU, in every process that loads a spec. The schemas in
    // the document are checked when they are compiled (below: at load, or at first use when lazy).
    ajv.addSchema(document, "openapi.json", undefined, false);
  } catch (error) {
    return fail(`its schemas do not compile: ${(error as Error).message}`);
  }
  const compileNow = (ref: string, what: string): ValidateFunction => {
    try {
      const validate = ajv.getSchema(`openapi.json${ref}`);
      if (!validate) return fail(`${what}: no schema at ${ref}`);
      return validate;
    } catch (error) {
      if (error instanceof SpecModelError) throw error;
      return fail(`${what}: the schema at ${ref} does not compile: ${(error as Error).message}`);
    }
  };
  const compile = (ref: string, what: string): (() => ValidateFunction) => {
    if (!options.lazy) {
      const validate = compileNow(ref, what);
      return () => validate;
    }
    let validate: ValidateFunction | undefined;
    return () => (validate ??= compileNow(ref, what));
  };

  const operations: SpecOperation[] = [];
  for (const [path, rawItem] of Object.entries(document.paths)) {
    const item = resolve(rawItem);
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const label = `operation ${method.toUpperCase()} ${path}`;
      if (!isObject(op)) return fail(`${label} is not an object`);
      if (typeof op.operationId !== "string" || !IDENTIFIER.test(op.operationId)) {
        return fail(
          `${label}: operationId is ${op.operationId === undefined ? "missing" : JSON.stringify(op.operationId)}; every operation needs one, a JavaScript identifier such as reportContentShared`,
        );
      }
      const name = `operation ${op.operationId}`;
      operations.push(buildOperation(document, op, method, path, name, { resolve, compile, fail, ajv, lazy: options.lazy === true }));
    }
  }
  checkAcrossOperations(operations, fail);

  const rateLimits = readRateLimits(document["x-gong-rate-limits"], fail);
  const templates = operations.map((op) => ({ op, pattern: templatePattern(op.path) }));
  return {
    document,
    version: String(isObject(document.info) ? (document.info.version ?? "") : ""),
    ...(path !== undefined ? { path } : {}),
    rateLimits,
    operations,
    operation: (operationId) => operations.find((op) => op.operationId === operationId),
    byAlias: (alias) => operations.find((op) => op.alias === alias),
    find(method, requestPath) {
      const upper = method.toUpperCase();
      const bare = requestPath.split("?", 1)[0]!;
      return operations.find((op) => op.method === upper && op.path === bare) ?? templates.find((t) => t.op.method === upper && t.pattern?.test(bare))?.op;
    },
  };
}

export interface LoadOptions {
  /**
   * Compile each validator the first time it is used instead of at load. Loading then costs a fraction (Ajv's
   * compilation is most of it), for a process that reads the spec's rules and validates few operations, or none
   * (a CLI command); a schema that does not compile is then reported, as the same SpecModelError, at its first use.
   * Default false: every problem of the spec at load.
   */
  lazy?: boolean;
}

interface Tools {
  resolve(node: unknown): unknown;
  /** The validator of the schema at `ref`, compiled at load or at first use (LoadOptions.lazy). */
  compile(ref: string, what: string): () => ValidateFunction;
  fail(problem: string): never;
  ajv: Ajv;
  lazy: boolean;
}

function buildOperation(document: Json, op: Json, method: string, path: string, name: string, tools: Tools): SpecOperation {
  const { resolve, compile, fail } = tools;
  const methodKey = method;
  const requestBody = resolve(op.requestBody);
  const media = isObject(requestBody) && isObject(requestBody.content) ? resolve(requestBody.content["application/json"]) : undefined;
  if (!isObject(media) || !isObject(media.schema)) {
    return fail(`${name}: requestBody.content["application/json"].schema is missing; every operation sends a JSON event`);
  }
  const requestSchemaRef =
    typeof media.schema.$ref === "string" ? media.schema.$ref : pointerOf(["paths", path, methodKey, "requestBody", "content", "application/json", "schema"]);
  const requestSchema = resolve(media.schema);
  const validateRequest = compile(requestSchemaRef, `${name}: the request schema`);

  const responses = new Map<number, SpecResponse>();
  if (!isObject(op.responses) || Object.keys(op.responses).length === 0) return fail(`${name}: no responses documented`);
  for (const [statusText, ref] of Object.entries(op.responses)) {
    if (!/^[1-5]\d\d$/.test(statusText)) {
      return fail(`${name}: response "${statusText}" is not an HTTP status; document each status (200, 400, ...) on its own`);
    }
    const status = Number(statusText);
    responses.set(status, buildResponse(status, ref, ["paths", path, methodKey, "responses", statusText], `${name}: response ${status}`, tools));
  }

  const examples: Record<string, unknown> = {};
  for (const [exampleName, example] of Object.entries(isObject(media.examples) ? media.examples : {})) {
    const resolved = resolve(example);
    examples[exampleName] = isObject(resolved) ? resolved.value : undefined;
  }

  const { authSchemes, scopes } = readSecurity(document, op, name, tools);
  const event = readEvent(op["x-gong-event"], name, requestSchema, responses, fail);
  return {
    operationId: op.operationId as string,
    alias: event.alias,
    method: method.toUpperCase(),
    path,
    requestSchemaRef,
    requestSchema,
    validateRequest: (body) => {
      const validate = validateRequest();
      return validate(body) ? [] : formatIssues(validate.errors);
    },
    statuses: [...responses.keys()].sort((a, b) => a - b),
    responses,
    examples,
    authSchemes,
    scopes,
    event: event.rule,
  };
}

function buildResponse(status: number, ref: unknown, at: string[], name: string, tools: Tools): SpecResponse {
  const { resolve, compile, fail, ajv } = tools;
  const response = resolve(ref);
  if (!isObject(response)) return fail(`${name} is not a response object`);
  const pointer = typeof (ref as Json).$ref === "string" ? ((ref as Json).$ref as string) : pointerOf(at);
  const [contentType, rawMedia] = Object.entries(isObject(response.content) ? response.content : {})[0] ?? ["", undefined];
  const media = resolve(rawMedia);
  const schemaNode = isObject(media) ? media.schema : undefined;
  let validate: (() => ValidateFunction) | undefined;
  if (isObject(schemaNode)) {
    const schemaRef =
      typeof schemaNode.$ref === "string" ? schemaNode.$ref : `${pointer}/content/${contentType.replace(/~/g, "~0").replace(/\//g, "~1")}/schema`;
    validate = compile(schemaRef, `${name}: the body schema`);
  }
  const schema = resolve(schemaNode);
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const exampleEntries = Object.entries(isObject(media) && isObject(media.examples) ? media.examples : {});
  const firstError = exampleEntries
    .map(([, example]) => {
      const value = (resolve(example) as Json | undefined)?.value;
      return isObject(value) && Array.isArray(value.errors) ? value.errors[0] : undefined;
    })
    .find((e): e is string => typeof e === "string");
  const headers: SpecHeader[] = Object.entries(isObject(response.headers) ? response.headers : {}).map(([headerName, header]) => {
    const h = resolve(header);
    const headerSchema = resolve(isObject(h) ? h.schema : undefined);
    let compiled: ValidateFunction | undefined;
    const check = (): ValidateFunction | undefined => {
      if (compiled || !isObject(headerSchema)) return compiled;
      try {
        compiled = ajv.compile(headerSchema);
        return compiled;
      } catch (error) {
        return fail(`${name}: header ${headerName}'s schema does not compile: ${(error as Error).message}`);
      }
    };
    if (!tools.lazy) check();
    return {
      name: headerName,
      required: isObject(h) && h.required === true,
      schema: headerSchema,
      validate: (value: string) => validateHeader(value, headerSchema, check()),
    };
  });
  return {
    status,
    contentType,
    schema,
    validateBody: (body) => {
      const check = validate?.();
      return !check || check(body) ? [] : formatIssues(check.errors);
    },
    headers,
    int64Fields: Object.keys(properties).filter((field) => (resolve(properties[field]) as Json | undefined)?.format === "int64"),
    message: firstError ?? (typeof response.description === "string" && response.description ? response.description : `status ${status}`),
    examples: exampleEntries.map(([exampleName]) => exampleName),
  };
}

/** A header arrives as text: numbers are read from their digits only, then the value is checked against its schema. */
function validateHeader(value: string, schema: unknown, check: ValidateFunction | undefined): ValidationIssue[] {
  const text = value.trim();
  const type = isObject(schema) ? schema.type : undefined;
  let parsed: unknown = text;
  if (type === "integer" || type === "number") {
    const pattern = type === "integer" ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
    if (!pattern.test(text))
      return [{ field: "(header)", problem: `${JSON.stringify(text.slice(0, 40))} is not ${type === "integer" ? "an integer" : "a number"}` }];
    parsed = Number(text);
  } else if (type === "boolean") {
    if (text !== "true" && text !== "false") return [{ field: "(header)", problem: `${JSON.stringify(text.slice(0, 40))} is not true or false` }];
    parsed = text === "true";
  }
  if (!check || check(parsed)) return [];
  return formatIssues(check.errors).map((issue) => ({ ...issue, field: "(header)" }));
}

function readSecurity(document: Json, op: Json, name: string, { resolve, fail }: Tools): { authSchemes: Array<"basic" | "bearer">; scopes: string[] } {
  const requirements = op.security ?? document.security ?? [];
  if (!Array.isArray(requirements)) return fail(`${name}: security must be a list of requirements`);
  const schemes = new Set<"basic" | "bearer">();
  const scopes = new Set<string>();
  const components = isObject(document.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
  for (const requirement of requirements) {
    if (!isObject(requirement)) return fail(`${name}: a security requirement is not an object`);
    for (const [schemeName, requirementScopes] of Object.entries(requirement)) {
      const scheme = resolve(components[schemeName]);
      if (!isObject(scheme)) return fail(`${name}: security names "${schemeName}", which components.securitySchemes does not define`);
      if (scheme.type === "oauth2" || scheme.type === "openIdConnect") schemes.add("bearer");
      else if (scheme.type === "http" && (String(scheme.scheme).toLowerCase() === "basic" || String(scheme.scheme).toLowerCase() === "bearer")) {
        schemes.add(String(scheme.scheme).toLowerCase() as "basic" | "bearer");
      } else {
        return fail(
          `${name}: security scheme "${schemeName}" (type ${JSON.stringify(scheme.type)}${scheme.scheme ? `, scheme ${JSON.stringify(scheme.scheme)}` : ""}) is not supported; Gong uses HTTP Basic and OAuth2 Bearer`,
        );
      }
      if (Array.isArray(requirementScopes)) for (const scope of requirementScopes) scopes.add(String(scope));
    }
  }
  return { authSchemes: [...schemes], scopes: [...scopes] };
}

function readEvent(
  raw: unknown,
  name: string,
  requestSchema: unknown,
  responses: Map<number, SpecResponse>,
  fail: (problem: string) => never,
): { alias: string; rule: GongEventRule } {
  const what = `${name}: x-gong-event`;
  if (raw === undefined)
    return fail(
      `${what} is missing; every operation states Gong's event rule (alias, duplicateKey, duplicateKeyScope; see spec/README.md, "Vendor extensions")`,
    );
  if (!isObject(raw)) return fail(`${what} must be an object`);
  for (const key of Object.keys(raw)) {
    if (!EVENT_KEYS.includes(key)) return fail(`${what}.${key} is not a known key (known: ${EVENT_KEYS.join(", ")})`);
  }
  const nonEmpty = (key: string) => typeof raw[key] === "string" && (raw[key] as string).trim() !== "";
  if (!nonEmpty("alias")) return fail(`${what}.alias must be a non-empty string, got ${JSON.stringify(raw.alias)}`);
  if (!nonEmpty("duplicateKeyScope")) return fail(`${what}.duplicateKeyScope must be a non-empty string, got ${JSON.stringify(raw.duplicateKeyScope)}`);
  const key = raw.duplicateKey;
  if (!Array.isArray(key) || key.length === 0 || !key.every((f) => typeof f === "string" && f !== "")) {
    return fail(`${what}.duplicateKey must be a non-empty array of request field names, got ${JSON.stringify(key)}`);
  }
  for (const optional of ["eventIdField", "resultIdField"]) {
    if (raw[optional] !== undefined && !nonEmpty(optional))
      return fail(`${what}.${optional} must be a field name (or absent), got ${JSON.stringify(raw[optional])}`);
  }
  const requestFields = isObject(requestSchema) && isObject(requestSchema.properties) ? Object.keys(requestSchema.properties) : undefined;
  if (requestFields) {
    for (const field of [...(key as string[]), ...(raw.eventIdField !== undefined ? [raw.eventIdField as string] : [])]) {
      if (!requestFields.includes(field)) {
        const which = (key as string[]).includes(field) ? "duplicateKey" : "eventIdField";
        return fail(`${what}.${which} names "${field}", which is not a property of the request schema (${requestFields.join(", ")})`);
      }
    }
  }
  if (raw.resultIdField !== undefined) {
    const field = raw.resultIdField as string;
    const success = [...responses.values()].filter((r) => r.status >= 200 && r.status < 300);
    if (success.length === 0) return fail(`${what}.resultIdField names "${field}", but the operation documents no 2xx response`);
    for (const response of success) {
      if (!response.int64Fields.includes(field)) {
        return fail(`${what}.resultIdField names "${field}", which is not an int64 property of the ${response.status} body`);
      }
    }
  }
  return {
    alias: raw.alias as string,
    rule: {
      ...(raw.eventIdField !== undefined ? { eventIdField: raw.eventIdField as string } : {}),
      duplicateKey: [...(key as string[])],
      duplicateKeyScope: raw.duplicateKeyScope as string,
      ...(raw.resultIdField !== undefined ? { resultIdField: raw.resultIdField as string } : {}),
    },
  };
}

function checkAcrossOperations(operations: SpecOperation[], fail: (problem: string) => never): void {
  const seen = new Map<string, string>();
  for (const op of operations) {
    const previous = seen.get(`id:${op.operationId}`) ?? seen.get(`alias:${op.alias}`);
    if (seen.has(`id:${op.operationId}`)) fail(`operationId ${op.operationId} is used twice`);
    if (previous) fail(`operation ${op.operationId}: x-gong-event.alias "${op.alias}" is also ${previous}'s`);
    seen.set(`id:${op.operationId}`, op.operationId);
    seen.set(`alias:${op.alias}`, op.operationId);
  }
  const scopes = new Map<string, SpecOperation>();
  for (const op of operations) {
    const first = scopes.get(op.event.duplicateKeyScope);
    if (!first) scopes.set(op.event.duplicateKeyScope, op);
    else if (first.event.duplicateKey.join("\u0000") !== op.event.duplicateKey.join("\u0000")) {
      fail(
        `operation ${op.operationId}: x-gong-event.duplicateKey [${op.event.duplicateKey.join(", ")}] differs from ${first.operationId}'s ` +
          `[${first.event.duplicateKey.join(", ")}], but both share duplicateKeyScope "${op.event.duplicateKeyScope}" (one key space needs one key)`,
      );
    }
  }
}

function readRateLimits(raw: unknown, fail: (problem: string) => never): RateLimits {
  const what = "x-gong-rate-limits";
  if (raw === undefined)
    return fail(
      `${what} is missing at the root; the spec states Gong's limits per credential ({ perSecond, perDay }; see spec/README.md, "Vendor extensions")`,
    );
  if (!isObject(raw)) return fail(`${what} must be an object { perSecond, perDay }`);
  for (const key of Object.keys(raw)) if (!RATE_KEYS.includes(key)) return fail(`${what}.${key} is not a known key (known: ${RATE_KEYS.join(", ")})`);
  for (const key of RATE_KEYS) {
    const value = raw[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0)
      return fail(`${what}.${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return { perSecond: raw.perSecond as number, perDay: raw.perDay as number };
}

function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SpecModelError(path, `cannot read the OpenAPI document: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SpecModelError(path, `is not JSON (${(error as Error).message}); a bundled JSON spec is needed (\`pnpm bundle\` writes spec/dist/openapi.json)`, {
      cause: error,
    });
  }
}

/** "/v2/things/{id}" -> /^\/v2\/things\/[^/]+$/; undefined for a path without parameters. */
function templatePattern(path: string): RegExp | undefined {
  if (!path.includes("{")) return undefined;
  const source = path
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]+");
  return new RegExp(`^${source}$`);
}

function isObject(value: unknown): value is Json {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
