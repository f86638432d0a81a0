// The client's request validators as standalone code: Ajv compiles each operation's request schema, with THE
// configuration (createAjv), into plain ESM functions. The client ships that code, so it validates with no
// schema compilation and no eval at run time (browsers, edge runtimes), and still agrees with the mock and the
// contract suite on what is valid.
import standaloneCode from "ajv/dist/standalone/index.js";
import { createAjv } from "./ajv.js";
import type { SpecModel } from "./load.js";

/**
 * ESM source exporting one validator per operation, named by operationId (`reportContentShared(data)`, with
 * Ajv's `.errors`); its imports are Ajv's and ajv-formats' run-time helpers. Deterministic for a given spec.
 */
export function standaloneValidatorsCode(model: SpecModel): string {
  const document = { ...model.document };
  // Annotations do not validate, and would bloat the code.
  document.components = withoutAnnotations(document.components);
  document.paths = withoutAnnotations(document.paths);
  const ajv = createAjv({
    // Shared shapes (Actor, PartyUploadContext, ...) become one function each instead of a copy per use.
    inlineRefs: false,
    code: { source: true, esm: true, lines: false },
  });
  ajv.addSchema(document, "openapi.json", undefined, false); // no meta-schema check of the root: see load.ts
  // Ajv emits a schema's function twice when two exports name the same schema: compile each schema once, and
  // export the operations that share it as aliases of the first.
  const exports: Record<string, string> = {};
  const aliases: string[] = [];
  const firstByRef = new Map<string, string>();
  for (const op of model.operations) {
    const first = firstByRef.get(op.requestSchemaRef);
    if (first) aliases.push(`export const ${op.operationId} = ${first};`);
    else {
      firstByRef.set(op.requestSchemaRef, op.operationId);
      exports[op.operationId] = `openapi.json${op.requestSchemaRef}`;
    }
  }
  const code = requiresToImports(standaloneCode.default(ajv, exports));
  return aliases.length ? `${code}\n${aliases.join("\n")}\n` : code;
}

/** TypeScript declarations of `standaloneValidatorsCode(model)`'s exports. */
export function standaloneValidatorsTypes(model: SpecModel): string {
  return `${model.operations
    .map((op) => `export declare const ${op.operationId}: ((data: unknown) => boolean) & { errors?: import("ajv").ErrorObject[] | null };`)
    .join("\n")}\n`;
}

/**
 * `node` without annotations (descriptions, examples, titles). Keys of a `properties` (or other name-to-schema)
 * map are field names, not keywords: a field called `title` or `description` stays (the agreement test with the
 * mock caught the version that dropped Actor.title).
 */
const NAME_MAPS = new Set(["properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "schemas"]);
const ANNOTATIONS = new Set(["description", "example", "examples", "title"]);
export function withoutAnnotations(node: unknown, isNameMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutAnnotations(item));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isNameMap && ANNOTATIONS.has(key)) continue;
    out[key] = withoutAnnotations(value, !isNameMap && NAME_MAPS.has(key));
  }
  return out;
}

/**
 * Standalone Ajv code is ESM apart from its run-time helpers, which it `require`s (`require("...").default`,
 * `require("...").fullFormats`): turn those into imports. A default import of a CommonJS module is its
 * `module.exports` in Node but its `default` export under Vite/vitest and bundlers when it sets `__esModule`:
 * `interop` gives the code `module.exports`'s shape either way.
 */
export function requiresToImports(code: string): string {
  const modules = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];
  let body = code;
  const imports = modules.map((name, i) => {
    body = body.replaceAll(`require("${name}")`, `runtime${i}`);
    return `import runtime${i}_ from "${name}.js";\nconst runtime${i} = runtime${i}_ && runtime${i}_.__esModule ? runtime${i}_ : { default: runtime${i}_ };`;
  });
  return `${imports.join("\n")}\n${body}`;
}
