// Loads a bundled spec: Prism's operations (for routing, validation and responses), and, read from the same
// document, what the mock needs per operation: the documented statuses, each response's content type, body
// validator, headers and int64 fields, the named examples, the security schemes, and a JSON Schema 2020-12
// validator of the request body. Nothing here restates a shape: it all comes from the bundle (or `specPath`).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import type { IHttpOperation } from "@stoplight/types";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";

/**
 * The spec served by default: the copy of the bundle that the build puts next to the compiled modules
 * (dist/openapi.json, shipped in the published package), or, running from the sources in this repository,
 * @gong-engage/spec's bundle itself. Both are the same file.
 */
export function bundledSpecPath(): string {
  const shipped = fileURLToPath(new URL("./openapi.json", import.meta.url));
  return existsSync(shipped) ? shipped : createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json");
}

export interface SpecResponse {
  status: number;
  /** e.g. "application/json"; "" when the response documents no content. */
  contentType: string;
  validateBody: ValidateFunction | undefined;
  headers: Array<{ name: string; required: boolean; type: string | undefined }>;
  /** Top-level int64 properties of the body (e.g. integrationId): exact JSON integers. */
  int64Fields: string[];
  /** The first example error message (else the response's description): what the mock says for this status. */
  message: string;
  /** The names of the response's examples. */
  examples: string[];
}

export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  /** The statuses the spec documents for this operation, e.g. [200, 400, 401, 409, 429, 500]. */
  statuses: number[];
  responses: Map<number, SpecResponse>;
  /** The HTTP auth schemes the operation accepts, lower case: "basic", "bearer" (OAuth2 is a Bearer token). */
  authSchemes: string[];
  validateBody: ValidateFunction | undefined;
}

export interface LoadedSpec {
  /** The document itself (for comparing one spec with the next). */
  document: Record<string, unknown>;
  /** info.version */
  version: string;
  path: string;
  prismOperations: IHttpOperation[];
  operations: SpecOperation[];
  find(method: string, path: string): SpecOperation | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export async function loadSpec(specPath: string = bundledSpecPath()): Promise<LoadedSpec> {
  let document: Json;
  try {
    document = JSON.parse(readFileSync(specPath, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the OpenAPI document at ${specPath} (it must be a bundled JSON file): ${(error as Error).message}`);
  }
  if (!document || typeof document !== "object" || typeof document.paths !== "object") {
    throw new Error(`${specPath} is not an OpenAPI document (no paths)`);
  }
  const prismOperations = await getHttpOperationsFromSpec(specPath);
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addSchema(document, "openapi.json");

  const resolve = (node: Json): Json => {
    let current = node;
    while (current?.$ref) {
      current = String(current.$ref)
        .slice(2)
        .split("/")
        .reduce((at: Json, key: string) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], document);
    }
    return current;
  };
  const validatorOf = (schema: Json): ValidateFunction | undefined =>
    schema?.$ref ? ajv.getSchema(`openapi.json${schema.$ref}`) : schema ? ajv.compile(schema) : undefined;

  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries<Json>(document.paths)) {
    for (const [method, op] of Object.entries<Json>(item ?? {})) {
      if (!op || typeof op !== "object" || !op.responses) continue;
      const responses = new Map<number, SpecResponse>();
      for (const [statusText, ref] of Object.entries<Json>(op.responses)) {
        const status = Number(statusText);
        if (!Number.isInteger(status)) continue;
        const response = resolve(ref);
        const [contentType, media] = Object.entries<Json>(response?.content ?? {})[0] ?? ["", undefined];
        const properties = resolve(media?.schema)?.properties ?? {};
        const examples = Object.entries<Json>(media?.examples ?? {});
        const firstError = examples.map(([, example]) => resolve(example)?.value?.errors?.[0]).find((e) => typeof e === "string");
        responses.set(status, {
          status,
          contentType,
          validateBody: validatorOf(media?.schema),
          headers: Object.entries<Json>(response?.headers ?? {}).map(([name, header]) => {
            const h = resolve(header);
            return { name, required: h?.required === true, type: resolve(h?.schema)?.type };
          }),
          int64Fields: Object.keys(properties).filter((name) => resolve(properties[name])?.format === "int64"),
          message: firstError ?? response?.description ?? `status ${status}`,
          examples: examples.map(([name]) => name),
        });
      }
      const security = op.security ?? document.security ?? [];
      const authSchemes = security.flatMap((requirement: Json) =>
        Object.keys(requirement).map((name) => {
          const scheme = resolve(document.components?.securitySchemes?.[name]);
          return scheme?.type === "oauth2" || scheme?.type === "openIdConnect" ? "bearer" : String(scheme?.scheme ?? "").toLowerCase();
        }),
      );
      operations.push({
        operationId: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        statuses: [...responses.keys()].sort((a, b) => a - b),
        responses,
        authSchemes: [...new Set<string>(authSchemes)],
        validateBody: validatorOf(op.requestBody?.content?.["application/json"]?.schema),
      });
    }
  }
  return {
    document,
    version: String(document.info?.version ?? ""),
    path: specPath,
    prismOperations,
    operations,
    find: (method, path) => operations.find((op) => op.method === method && op.path === path),
  };
}
