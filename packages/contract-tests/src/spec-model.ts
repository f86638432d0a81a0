// What the suite knows about the API, read from a bundled spec when loadSpecModel is called (never when this
// module is imported, so that --spec and a test's fixture spec decide which spec it is): the operations, the
// statuses each documents, the request schema and examples, the security schemes and Gong's rules
// (x-gong-event, x-gong-rate-limits). Nothing is restated.
// Shaped like @gong-engage/spec-model's SpecModel, which replaces this module when it lands.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ErrorObject } from "ajv";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ValidationIssue {
  /** A JSON-pointer-ish path such as /viewer/email, "(body)" for the root. */
  field: string;
  problem: string;
}

export interface SpecResponse {
  status: number;
  contentType: string;
  validateBody(body: unknown): ValidationIssue[];
  headers: Array<{ name: string; required: boolean; schema: Json }>;
  /** Top-level int64 properties of the body: they must be exact integers in the raw text. */
  int64Fields: string[];
}

export interface EventRule {
  eventIdField?: string;
  /** Request fields whose values identify an event for the 409 (our reading; never asserted across operations). */
  duplicateKey: string[];
  duplicateKeyScope: string;
  resultIdField?: string;
}

export interface SpecOperation {
  operationId: string;
  alias: string;
  method: string;
  path: string;
  requestSchemaRef: string;
  validateRequest(body: unknown): ValidationIssue[];
  statuses: number[];
  responses: Map<number, SpecResponse>;
  /** The named examples of the request body. */
  examples: Record<string, unknown>;
  authSchemes: Array<"basic" | "bearer">;
  event: EventRule;
}

export interface SpecModel {
  document: Json;
  path?: string;
  rateLimits: { perSecond: number; perDay: number };
  operations: SpecOperation[];
  operation(operationId: string): SpecOperation | undefined;
}

/** The bundle the build copied into dist/ (the published package), else @gong-engage/spec's. */
export function bundledSpecPath(): string {
  const shipped = fileURLToPath(new URL("../openapi.json", import.meta.url));
  return existsSync(shipped) ? shipped : createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json");
}

/** The one Ajv set-up: JSON Schema 2020-12, every error, formats in full mode. */
export function createAjv(): InstanceType<typeof Ajv2020.default> {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv, { mode: "full" });
  return ajv;
}

/** Follows $refs inside `document` (a loop of $refs is an error, not a hang). */
export function resolveRef(document: Json, node: Json): Json {
  let current = node;
  const seen = new Set<string>();
  while (current && typeof current === "object" && typeof current.$ref === "string") {
    if (seen.has(current.$ref)) throw new Error(`$ref loop at ${current.$ref}`);
    seen.add(current.$ref);
    current = current.$ref
      .slice(2)
      .split("/")
      .reduce((at: Json, key: string) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], document);
  }
  return current;
}

export function formatIssues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((e) => ({ field: e.instancePath || "(body)", problem: e.message ?? e.keyword }));
}

export const describeIssues = (issues: ValidationIssue[]): string => issues.map((i) => `${i.field}: ${i.problem}`).join("; ");

/** Loads a bundled spec (a file path or the parsed document); the default is the bundled spec. */
export function loadSpecModel(source: string | object = bundledSpecPath()): SpecModel {
  const path = typeof source === "string" ? source : undefined;
  let document: Json;
  if (typeof source === "string") {
    try {
      document = JSON.parse(readFileSync(source, "utf8"));
    } catch (error) {
      throw new Error(`cannot read the OpenAPI document at ${source} (it must be a bundled JSON file): ${(error as Error).message}`);
    }
  } else {
    document = source;
  }
  if (!document || typeof document.paths !== "object") throw new Error(`${path ?? "the document"} is not an OpenAPI document (no paths)`);
  const ajv = createAjv();
  ajv.addSchema(document, "openapi.json");
  const validator = (schema: Json) => {
    const validate = schema?.$ref ? ajv.getSchema(`openapi.json${schema.$ref}`)! : ajv.compile(schema ?? {});
    return (body: unknown) => (validate(body) ? [] : formatIssues(validate.errors));
  };
  const resolve = (node: Json) => resolveRef(document, node);

  const operations: SpecOperation[] = Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    Object.entries<Json>(resolve(item))
      .filter(([, op]) => op && typeof op === "object" && op.responses && op.requestBody)
      .map(([method, op]) => {
        const media = resolve(op.requestBody).content["application/json"];
        const responses = new Map<number, SpecResponse>();
        for (const [status, ref] of Object.entries<Json>(op.responses)) {
          const response = resolve(ref);
          const [contentType, content] = Object.entries<Json>(response.content ?? {})[0] ?? ["", {}];
          const properties = resolve(content.schema)?.properties ?? {};
          responses.set(Number(status), {
            status: Number(status),
            contentType,
            validateBody: validator(content.schema),
            headers: Object.entries<Json>(response.headers ?? {}).map(([name, header]) => {
              const h = resolve(header);
              return { name, required: !!h.required, schema: resolve(h.schema) };
            }),
            int64Fields: Object.keys(properties).filter((name) => resolve(properties[name])?.format === "int64"),
          });
        }
        const authSchemes = [
          ...new Set(
            (op.security ?? document.security ?? []).flatMap((requirement: Json) =>
              Object.keys(requirement)
                .map((name) => resolve(document.components?.securitySchemes?.[name]))
                .map((s: Json) => (s?.type === "oauth2" || s?.scheme?.toLowerCase() === "bearer" ? "bearer" : "basic")),
            ),
          ),
        ] as Array<"basic" | "bearer">;
        const rule = op["x-gong-event"] ?? {};
        return {
          operationId: op.operationId,
          alias: rule.alias ?? op.operationId,
          method: method.toUpperCase(),
          path,
          requestSchemaRef: media.schema.$ref,
          validateRequest: validator(media.schema),
          statuses: [...responses.keys()],
          responses,
          examples: Object.fromEntries(Object.entries<Json>(media.examples ?? {}).map(([name, ex]) => [name, resolve(ex).value])),
          authSchemes,
          event: {
            eventIdField: rule.eventIdField,
            duplicateKey: rule.duplicateKey ?? [],
            duplicateKeyScope: rule.duplicateKeyScope ?? op.operationId,
            resultIdField: rule.resultIdField,
          },
        } satisfies SpecOperation;
      }),
  );
  const limits = document["x-gong-rate-limits"] ?? {};
  return {
    document,
    ...(path ? { path } : {}),
    rateLimits: { perSecond: limits.perSecond, perDay: limits.perDay },
    operations,
    operation: (operationId) => operations.find((op) => op.operationId === operationId),
  };
}
