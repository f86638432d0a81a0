// Bodies with exactly one rule broken, made from a valid body and the spec's schema: a required field missing,
// a wrong type, a value outside an enum, a bad date-time or URL, a dependentSchemas rule broken (a view's
// trackingId together with a viewer). Which field is broken is found by walking the schema, not named here.
import { flatten, type Json } from "./arbitraries.js";

export const RULES = ["required field missing", "wrong type", "value outside enum", "bad date-time", "bad URL", "dependent rule broken"] as const;
export type Rule = (typeof RULES)[number];

export interface Site {
  path: Array<string | number>;
  schema: Json;
  value: unknown;
}

/** Every value present in `body`, with the (flattened) schema that governs it. */
export function sitesOf(document: Json, body: unknown, schema: Json, path: Array<string | number> = []): Site[] {
  const s = flatten(document, schema);
  const sites: Site[] = [{ path, schema: s, value: body }];
  if (Array.isArray(body) && s?.items) {
    for (const [i, item] of body.entries()) sites.push(...sitesOf(document, item, s.items, [...path, i]));
  } else if (body && typeof body === "object" && s?.properties) {
    for (const [name, value] of Object.entries(body)) {
      if (s.properties[name] && value !== undefined) sites.push(...sitesOf(document, value, s.properties[name], [...path, name]));
    }
  }
  return sites;
}

export interface Mutation {
  rule: Rule;
  /** e.g. "recipients[0].email" */
  field: string;
  body: Record<string, unknown>;
}

/** The places where `rule` can be broken in `body`. */
export function candidates(document: Json, body: Record<string, unknown>, schema: Json, rule: Rule): Array<() => Mutation> {
  const sites = sitesOf(document, body, schema);
  const make = (path: Array<string | number>, change: (parent: Json, key: string | number) => void) => () => {
    const copy = structuredClone(body);
    const parent = path.slice(0, -1).reduce<Json>((at, key) => at[key], copy);
    change(parent, path[path.length - 1]!);
    return { rule, field: fieldName(path), body: copy };
  };
  switch (rule) {
    case "required field missing":
      return sites.flatMap((site) =>
        (site.schema?.required ?? [])
          .filter((name: string) => site.value && typeof site.value === "object" && name in (site.value as object))
          .map((name: string) => make([...site.path, name], (parent, key) => delete parent[key])),
      );
    case "wrong type":
      return sites
        .filter((site) => site.path.length > 0 && typeof site.schema?.type === "string" && !site.schema.enum)
        .map((site) => make(site.path, (parent, key) => (parent[key] = wrongValueFor(site.schema.type))));
    case "value outside enum":
      return sites
        .filter((site) => site.path.length > 0 && Array.isArray(site.schema?.enum))
        .map((site) => make(site.path, (parent, key) => (parent[key] = "contract-tests-not-a-valid-value")));
    case "bad date-time":
      return sites.filter((site) => site.schema?.format === "date-time").map((site) => make(site.path, (parent, key) => (parent[key] = "not-a-date-time")));
    case "bad URL":
      return sites.filter((site) => site.schema?.format === "uri").map((site) => make(site.path, (parent, key) => (parent[key] = "not a url")));
    case "dependent rule broken":
      return sites.flatMap((site) =>
        Object.entries<Json>(site.schema?.dependentSchemas ?? {}).flatMap(([trigger, dependent]) =>
          Object.entries<Json>(dependent.properties ?? {})
            .filter(([, sub]) => sub.type === "null")
            .map(([name]) => () => {
              const copy = structuredClone(body) as Record<string, unknown>;
              copy[trigger] ??= triggerValue(document, site.schema.properties[trigger]);
              copy[name] = "contract-tests-not-null";
              return { rule, field: fieldName([...site.path, name]), body: copy };
            }),
        ),
      );
  }
}

function triggerValue(document: Json, schema: Json): unknown {
  const s = flatten(document, schema);
  return s?.type === "object" ? {} : s?.type === "array" ? [] : "x";
}

function wrongValueFor(type: string): unknown {
  return type === "string" ? 12345 : "contract-tests-wrong-type";
}

export function fieldName(path: Array<string | number>): string {
  return path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "") || "(body)";
}
