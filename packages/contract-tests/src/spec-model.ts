// What the suite knows about the API, all read at run time from the bundled spec: the operations, the statuses
// each documents, the request schema, and a response checker per (operation, status). Nothing is restated.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ErrorObject, ValidateFunction } from "ajv";

/** CONTRACT_SPEC, else the bundle the build copied into dist/ (the published package), else @gong-engage/spec's. */
function defaultSpecPath(): string {
  const shipped = fileURLToPath(new URL("../openapi.json", import.meta.url));
  return existsSync(shipped) ? shipped : createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json");
}
export const specPath: string = process.env.CONTRACT_SPEC || defaultSpecPath();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export const spec: Json = JSON.parse(readFileSync(specPath, "utf8"));

export const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(spec, "openapi.json");

/** Follows $refs inside the spec. */
export function resolve(node: Json): Json {
  let current = node;
  while (current && typeof current === "object" && typeof current.$ref === "string") {
    current = current.$ref
      .slice(2)
      .split("/")
      .reduce((at: Json, key: string) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  return current;
}

export interface ResponseSpec {
  status: number;
  contentType: string;
  validateBody: ValidateFunction;
  headers: Array<{ name: string; required: boolean; schema: Json }>;
  /** Top-level int64 properties of the body (e.g. integrationId): they must be exact integers in the raw text. */
  int64Fields: string[];
}

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  requestSchema: Json;
  requestSchemaRef: string;
  validateRequest: ValidateFunction;
  /** The named examples of the request body. */
  examples: Record<string, Json>;
  responses: Map<number, ResponseSpec>;
  /** The security schemes the operation accepts (by type). */
  security: Array<{ type: string; scheme?: string }>;
}

export const operations: Operation[] = Object.entries<Json>(spec.paths).flatMap(([path, item]) =>
  Object.entries<Json>(item)
    .filter(([, op]) => op && typeof op === "object" && op.responses)
    .map(([method, op]) => {
      const media = op.requestBody.content["application/json"];
      const responses = new Map<number, ResponseSpec>();
      for (const [status, ref] of Object.entries<Json>(op.responses)) {
        const response = resolve(ref);
        const [contentType, content] = Object.entries<Json>(response.content ?? {})[0] ?? ["", {}];
        const properties = resolve(content.schema)?.properties ?? {};
        responses.set(Number(status), {
          status: Number(status),
          contentType,
          validateBody: content.schema?.$ref ? ajv.getSchema(`openapi.json${content.schema.$ref}`)! : ajv.compile(content.schema ?? {}),
          headers: Object.entries<Json>(response.headers ?? {}).map(([name, header]) => {
            const h = resolve(header);
            return { name, required: !!h.required, schema: resolve(h.schema) };
          }),
          int64Fields: Object.keys(properties).filter((name) => resolve(properties[name])?.format === "int64"),
        });
      }
      const security = (op.security ?? spec.security ?? []).flatMap((requirement: Json) =>
        Object.keys(requirement).map((name) => spec.components.securitySchemes[name]).map(resolve),
      );
      return {
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        requestSchema: resolve(media.schema),
        requestSchemaRef: media.schema.$ref,
        validateRequest: ajv.getSchema(`openapi.json${media.schema.$ref}`)!,
        examples: Object.fromEntries(Object.entries<Json>(media.examples ?? {}).map(([name, ex]) => [name, resolve(ex).value])),
        responses,
        security,
      } satisfies Operation;
    }),
);

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message}`).join("; ");
}
