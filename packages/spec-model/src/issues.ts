// Ajv's errors as one readable issue per failing field: `{ field: "/person/email", problem: "must be an email
// address" }`. Used on the mock's 400s, the client's validation errors and the suite's findings alike, so a
// field's problem reads the same everywhere. No Node APIs: the client's runtime uses it too.
import type { ErrorObject } from "ajv";
import type { ValidationIssue } from "./types.js";

const ROOT = "(body)";

/** Ajv's errors (from any validator built with `createAjv()`'s configuration) as issues, wrappers dropped, deduplicated. */
export function formatIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  const all = [...(errors ?? [])];
  // The branches of a failed anyOf/oneOf are summed up by one issue for the anyOf/oneOf itself.
  const alternatives = all.filter((e) => (e.keyword === "anyOf" || e.keyword === "oneOf") && !("passingSchemas" in e.params && e.params.passingSchemas));
  const insideAlternative = (e: ErrorObject) => alternatives.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`));
  // A value of the wrong type fails the other keywords at its place for that reason alone: say only the type.
  const wrongType = new Set(all.filter((e) => e.keyword === "type" && !insideAlternative(e)).map((e) => e.instancePath));
  // A branch reached through a $ref reports its errors with the referenced schema's paths, not under the anyOf:
  // errors inside the value (deeper than the anyOf's place) mean a branch that took the value's shape failed
  // within it. Those errors are the issues; "must be null" (the other branch) would only mislead.
  const failedWithin = (a: ErrorObject) =>
    all.some((e) => e !== a && e.keyword !== "if" && !insideAlternative(e) && e.instancePath.startsWith(`${a.instancePath}/`));
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of all) {
    if (error.keyword === "if" || error.keyword === "allOf" || insideAlternative(error)) continue;
    if (alternatives.includes(error) && failedWithin(error)) continue;
    if (error.keyword !== "type" && wrongType.has(error.instancePath) && !["required", "additionalProperties", "unevaluatedProperties"].includes(error.keyword))
      continue;
    const issue = toIssue(error, all);
    const key = `${issue.field}\u0000${issue.problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** "field: problem; field: problem" */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.field}: ${issue.problem}`).join("; ");
}

/**
 * An issue's field as a property path, for messages that read like code: "/recipients/0/email" ->
 * "recipients[0].email"; the root ("(body)") -> `root`.
 */
export function fieldPath(field: string, root = "body"): string {
  if (field === ROOT || field === "") return root;
  return field
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function toIssue(error: ErrorObject, all: readonly ErrorObject[]): ValidationIssue {
  const params = error.params as Record<string, unknown>;
  const base = error.instancePath;
  const at = base || ROOT;
  const child = (name: string) => `${base}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  // dependentSchemas/<trigger>/...: the rule holds only when <trigger> is sent.
  const trigger = /\/dependentSchemas\/([^/]+)\//.exec(error.schemaPath)?.[1];
  const when = trigger ? ` when ${JSON.stringify(unescapeSegment(trigger))} is sent` : "";
  switch (error.keyword) {
    case "required":
      return { field: child(String(params.missingProperty)), problem: `is required${when}` };
    case "additionalProperties":
      return { field: child(String(params.additionalProperty)), problem: "is not a documented field" };
    case "unevaluatedProperties":
      return { field: child(String(params.unevaluatedProperty)), problem: "is not a documented field" };
    case "enum":
      return { field: at, problem: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}${when}` };
    case "const":
      return { field: at, problem: `must be ${JSON.stringify(params.allowedValue)}${when}` };
    case "format":
      return { field: at, problem: formatProblem(String(params.format)) };
    case "type": {
      const expected = Array.isArray(params.type) ? params.type.join(",") : String(params.type);
      if (expected === "null" && trigger) return { field: at, problem: `must be absent or null${when}` };
      return { field: at, problem: `must be ${article(expected)}${when}` };
    }
    case "not":
      return notIssue(error, at, when);
    case "anyOf":
    case "oneOf":
      return alternativesIssue(error, all, at);
    default:
      return { field: at, problem: `${error.message ?? `fails ${error.keyword}`}${when}` };
  }
}

/** `not` says what must not be: with verbose errors the excluded schema is known, else only where it is. */
function notIssue(error: ErrorObject, at: string, when: string): ValidationIssue {
  const excluded = error.schema as { required?: unknown } | undefined;
  if (excluded && Array.isArray(excluded.required) && excluded.required.length > 0) {
    const names = excluded.required.map(String);
    if (names.length === 1) return { field: `${error.instancePath}/${names[0]}`, problem: `must be absent${when}` };
    return { field: at, problem: `must not have all of ${names.map((n) => JSON.stringify(n)).join(", ")}${when}` };
  }
  // `properties/<name>/not` (a field excluded outright, e.g. `not: {}`): the field must not be sent.
  const excludedField = /\/properties\/([^/]+)\/not$/.exec(error.schemaPath)?.[1];
  if (excludedField && error.instancePath.endsWith(`/${excludedField}`)) return { field: at, problem: `must be absent${when}` };
  return { field: at, problem: `must not match the schema the spec excludes at ${error.schemaPath}${when}` };
}

/** A failed anyOf/oneOf: "must be a string or an array" when the branches differ by type, else each branch's issues. */
function alternativesIssue(error: ErrorObject, all: readonly ErrorObject[], at: string): ValidationIssue {
  const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
  if (Array.isArray(passing)) {
    return {
      field: at,
      problem: `matches more than one of the documented forms (${passing.map((i) => `#${Number(i) + 1}`).join(" and ")}); it must match exactly one`,
    };
  }
  const branches = new Map<number, ErrorObject[]>();
  for (const inner of all) {
    const branch = new RegExp(`^${escapeRegExp(error.schemaPath)}/(\\d+)/`).exec(inner.schemaPath)?.[1];
    if (branch === undefined) continue;
    const list = branches.get(Number(branch)) ?? [];
    list.push(inner);
    branches.set(Number(branch), list);
  }
  const list = [...branches.values()];
  const typeOnly = list.length > 0 && list.every((b) => b.length === 1 && b[0]!.keyword === "type" && b[0]!.instancePath === error.instancePath);
  if (typeOnly) {
    const types = list.map((b) => {
      const t = (b[0]!.params as { type: unknown }).type;
      return Array.isArray(t) ? t.join(",") : String(t);
    });
    return { field: at, problem: `must be ${article(types.join(","))}` };
  }
  if (list.length === 0) return { field: at, problem: `matches none of the documented forms (${error.keyword})` };
  const described = [...branches.entries()].map(
    ([index, inner]) => `#${index + 1}: ${describeIssues(formatIssues(inner).map((i) => ({ ...i, field: i.field === at ? "(this)" : i.field })))}`,
  );
  return { field: at, problem: `matches none of the documented forms (${described.join(" | ")})` };
}

function formatProblem(format: string): string {
  switch (format) {
    case "date-time":
      return "must be a real ISO-8601 date-time with a time zone (RFC 3339), e.g. 2021-08-01T08:00:00Z";
    case "date":
      return "must be a real calendar date (RFC 3339 full-date), e.g. 2021-08-01";
    case "uri":
      return "must be an absolute, percent-encoded URL (what `new URL(x).href` gives), e.g. https://example.com/%E6%8F%90%E6%A1%88.pdf";
    case "email":
      return "must be an email address";
    case "int32":
      return "must be a 32-bit integer (-2147483648 to 2147483647)";
    case "int64":
      return "must be a 64-bit integer";
    default:
      return `must match format "${format}"`;
  }
}

/** "string" -> "a string", "object" -> "an object", "string,null" -> "a string or null" */
function article(words: string): string {
  return [...new Set(words.split(","))].map((word) => (word === "null" ? "null" : `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`)).join(" or ");
}

function unescapeSegment(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
