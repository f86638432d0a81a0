// Loads the project's bundled spec once: Prism's operations (for routing, validation and responses), and, read
// from the same document, each operation's documented statuses and a JSON Schema 2020-12 validator of its
// request body. Nothing here restates a shape: it all comes from spec/dist/openapi.json (or `specPath`).
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

export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  /** The statuses the spec documents for this operation, e.g. [200, 400, 401, 409, 429, 500]. */
  statuses: number[];
  /** Each documented response's first example error message (else its description), by status (e.g. 409's). */
  exampleErrors: Map<number, string>;
  /** Top-level int64 properties of each response body, by status (e.g. 200: ["integrationId"]). */
  int64Fields: Map<number, string[]>;
  validateBody: ValidateFunction | undefined;
}

export interface LoadedSpec {
  prismOperations: IHttpOperation[];
  operations: SpecOperation[];
  find(method: string, path: string): SpecOperation | undefined;
}

export async function loadSpec(specPath: string = bundledSpecPath()): Promise<LoadedSpec> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let document: any;
  try {
    document = JSON.parse(readFileSync(specPath, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the OpenAPI document at ${specPath} (it must be a bundled JSON file): ${(error as Error).message}`);
  }
  const prismOperations = await getHttpOperationsFromSpec(specPath);
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addSchema(document, "openapi.json");

  const resolve = (node: { $ref?: string } | undefined) => {
    let current = node;
    while (current?.$ref) {
      current = current.$ref
        .slice(2)
        .split("/")
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        .reduce((at: any, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], document);
    }
    return current as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths ?? {})) { // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const [method, op] of Object.entries<any>(item)) { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!op || typeof op !== "object" || !op.responses) continue;
      const exampleErrors = new Map<number, string>();
      const int64Fields = new Map<number, string[]>();
      for (const [status, ref] of Object.entries(op.responses)) {
        const media = resolve(ref as object)?.content?.["application/json"];
        const properties = resolve(media?.schema)?.properties ?? {};
        int64Fields.set(
          Number(status),
          Object.keys(properties).filter((name) => resolve(properties[name])?.format === "int64"),
        );
        for (const example of Object.values<{ $ref?: string }>(media?.examples ?? {})) {
          const first = resolve(example)?.value?.errors?.[0];
          if (typeof first === "string" && !exampleErrors.has(Number(status))) exampleErrors.set(Number(status), first);
        }
        const description = resolve(ref as object)?.description;
        if (!exampleErrors.has(Number(status)) && typeof description === "string") exampleErrors.set(Number(status), description);
      }
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      const validateBody = schema?.$ref ? ajv.getSchema(`openapi.json${schema.$ref}`) : schema ? ajv.compile(schema) : undefined;
      operations.push({
        operationId: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        statuses: Object.keys(op.responses).map(Number).filter(Number.isInteger).sort((a, b) => a - b),
        exampleErrors,
        int64Fields,
        validateBody,
      });
    }
  }
  return {
    prismOperations,
    operations,
    find: (method, path) => operations.find((op) => op.method === method && op.path === path),
  };
}
