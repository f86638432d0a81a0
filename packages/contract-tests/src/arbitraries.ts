// fast-check arbitraries generated from the spec's request schemas. No maintained library turns JSON Schema
// 2020-12 into fast-check arbitraries, so this covers the keywords the spec uses ($ref, allOf, anyOf, type and
// type lists, enum, properties/required, items, additionalProperties, minLength, formats date-time/uri/email;
// rules across properties, dependentSchemas and if/then/else with not/contains, by keeping only the values the
// spec's validator accepts); an unknown keyword is an error, not a silent gap. Every generated body is checked
// against the spec's own validator before it is sent (see sender.ts), so a generator mistake fails loudly.
// Values stay within what any reasonable server takes as valid: strings are never blank, URLs are plain https
// URLs, and a plain string property whose documented example is an email address gets email addresses (servers
// commonly check those even where the spec types them as plain strings), so that a conforming server is never
// failed for a test-data quirk.

import { createAjv, resolveRef } from "@gong-engage/spec-model";
import fc from "fast-check";

// A JSON Schema node of the spec, walked by hand here and in mutations.ts.
// biome-ignore lint/suspicious/noExplicitAny: any JSON Schema node of any spec; its shape is checked keyword by keyword (HANDLED).
export type Json = any;

const HANDLED = new Set([
  "$ref",
  "allOf",
  "anyOf",
  "type",
  "enum",
  "properties",
  "required",
  "items",
  "additionalProperties",
  "format",
  "dependentSchemas",
  "description",
  "example",
  "examples",
  "title",
  "minimum",
  "minLength",
]);
/** Rules across a value's parts: generated without them, then only the values that keep them are kept. */
const CONDITIONAL = ["if", "then", "else", "not", "contains"];

const flattened = new WeakMap<object, WeakMap<object, Json>>();

/**
 * Resolves $ref and merges allOf into one schema (properties and required lists combined; first wins otherwise).
 * Remembered per schema node of a document: the suite flattens the same nodes for every body it generates or
 * breaks, in many runs at once. The result is shared, so callers never change it.
 */
export function flatten(document: Json, schema: Json): Json {
  if (!schema || typeof schema !== "object" || !document || typeof document !== "object") return flattenNode(document, schema);
  return remembered(flattened, document, schema, () => flattenNode(document, schema));
}

/** The value made for (document, node) the first time it was asked for. */
function remembered<V>(cache: WeakMap<object, WeakMap<object, V>>, document: object, node: object, make: () => V): V {
  let byNode = cache.get(document);
  if (!byNode) {
    byNode = new WeakMap();
    cache.set(document, byNode);
  }
  if (byNode.has(node)) return byNode.get(node)!;
  const value = make();
  byNode.set(node, value);
  return value;
}

function flattenNode(document: Json, schema: Json): Json {
  const s: Json = resolveRef(document, schema);
  if (!s?.allOf) return s;
  const { allOf, ...merged } = s as { allOf: Json[] } & Record<string, Json>;
  for (const part of allOf.map((part) => flatten(document, part))) {
    for (const [key, value] of Object.entries<Json>(part)) {
      if (key === "properties") {
        const properties: Json = { ...(merged.properties ?? {}) };
        for (const [name, sub] of Object.entries<Json>(value)) {
          properties[name] = properties[name] ? { allOf: [properties[name], sub] } : sub;
        }
        merged.properties = properties;
      } else if (key === "required") {
        merged.required = [...new Set([...(merged.required ?? []), ...value])];
      } else {
        merged[key] ??= value;
      }
    }
  }
  return merged;
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/);
const email = fc.tuple(label, label).map(([local, domain]) => `${local}@${domain}.example.com`);

const stringOf = (format: string | undefined, minLength = 1): fc.Arbitrary<string> => {
  switch (format) {
    case "date-time":
      return fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }).chain((date) =>
        fc.constantFrom("Z", "+05:00", "-08:00").map((zone) => {
          const iso = date.toISOString().replace(/\.\d{3}Z$/, "");
          return `${iso}${zone}`;
        }),
      );
    case "uri":
      return fc
        .tuple(label, fc.array(label, { maxLength: 3 }), fc.option(label, { nil: undefined }))
        .map(([host, path, query]) => `https://${host}.example.com/${path.join("/")}${query ? `?q=${query}` : ""}`);
    case "email":
      return email;
    case undefined:
      return fc.string({ minLength: Math.max(1, minLength), maxLength: Math.max(24, minLength) }).filter((text) => text.trim() !== "");
    default:
      throw new Error(`arbitraries: string format "${format}" is not supported yet`);
  }
};

export function arbitraryFor(document: Json, schema: Json, depth = 0): fc.Arbitrary<unknown> {
  const s = flatten(document, schema);
  if (CONDITIONAL.some((key) => key in s)) {
    const unconditional = Object.fromEntries(Object.entries(s).filter(([key]) => !CONDITIONAL.includes(key)));
    const keeps = validatorOf(document, s);
    return arbitraryFor(document, unconditional, depth).filter((value) => keeps(value));
  }
  for (const key of Object.keys(s)) {
    if (!HANDLED.has(key)) throw new Error(`arbitraries: schema keyword "${key}" is not supported yet`);
  }
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) {
    const { anyOf, ...rest } = s as { anyOf: Json[] } & Record<string, Json>;
    return fc.oneof(...anyOf.map((branch) => arbitraryFor(document, { ...rest, ...flatten(document, branch) }, depth)));
  }
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type: string) => arbitraryFor(document, { ...s, type }, depth)));
  switch (s.type) {
    case "string":
      return stringOf(s.format, s.minLength);
    case "integer":
      return fc.integer({ min: s.minimum ?? -1_000_000 });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      // No `items`: any JSON values; strings and numbers stand for them.
      if (depth > 4) return fc.constant([]);
      return fc.array(s.items ? arbitraryFor(document, s.items, depth + 1) : fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 2 });
    case "object":
    case undefined: {
      if (!s.properties) return fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 });
      const record = fc.record(
        Object.fromEntries(
          Object.entries<Json>(s.properties).map(([name, sub]) => [
            name,
            looksLikeEmail(flatten(document, sub)) ? email : arbitraryFor(document, sub, depth + 1),
          ]),
        ),
        { requiredKeys: s.required ?? [] },
      );
      if (!s.dependentSchemas) return record;
      // dependentSchemas constrain combinations of properties: keep the combinations they accept (the
      // properties themselves are already generated valid, so only this part needs checking).
      const validate = dependentRules(s.dependentSchemas);
      return record.filter((value) => validate(value) as boolean);
    }
    default:
      throw new Error(`arbitraries: type "${s.type}" is not supported yet`);
  }
}

const documentValidators = new WeakMap<object, { ajv: ReturnType<typeof createAjv>; compiled: Map<string, (value: unknown) => boolean> }>();

/** The spec's own validator for a (flattened) schema of `document`, its local $refs read in the document. */
function validatorOf(document: Json, schema: Json): (value: unknown) => boolean {
  let entry = documentValidators.get(document);
  if (!entry) {
    const ajv = createAjv();
    ajv.addSchema(document, "openapi.json");
    entry = { ajv, compiled: new Map() };
    documentValidators.set(document, entry);
  }
  const text = JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi.json#/');
  let validate = entry.compiled.get(text);
  if (!validate) {
    const compiled = entry.ajv.compile(JSON.parse(text));
    validate = (value) => compiled(value) as boolean;
    entry.compiled.set(text, validate);
  }
  return validate;
}

const compiledDependentRules = new WeakMap<object, (value: unknown) => boolean>();
const dependentAjv = createAjv();

/** The validator of a dependentSchemas block, compiled once per block (arbitraries are made per test run). */
function dependentRules(dependentSchemas: object): (value: unknown) => boolean {
  let validate = compiledDependentRules.get(dependentSchemas);
  if (!validate) {
    const compiled = dependentAjv.compile({ type: "object", dependentSchemas });
    validate = (value) => compiled(value) as boolean;
    compiledDependentRules.set(dependentSchemas, validate);
  }
  return validate;
}

/** A plain string (no format) whose documented example is an email address: servers check those anyway. */
function looksLikeEmail(schema: Json): boolean {
  return schema?.type === "string" && !schema.format && !schema.enum && /^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(String(schema.example ?? ""));
}

const bodyArbitraries = new WeakMap<object, WeakMap<object, fc.Arbitrary<Record<string, unknown>>>>();

/**
 * Valid request bodies for a request schema of `document`. Built once per schema and shared: an arbitrary is only a
 * description of how to generate (each run brings its own seeded random source), and building one walks the
 * whole schema.
 */
export function requestBodies(document: Json, schema: Json): fc.Arbitrary<Record<string, unknown>> {
  return remembered(bodyArbitraries, document, schema, () => arbitraryFor(document, schema) as fc.Arbitrary<Record<string, unknown>>);
}
