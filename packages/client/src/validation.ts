// Checks an event against the spec's request schema before anything is sent. The validators are generated
// from the bundled spec at build time (src/generated/validators.js); this module only turns Ajv's errors into
// one readable line per failing field.
import type { ErrorObject } from "ajv";
import type { OperationId } from "./generated/operations.js";
import * as validators from "./generated/validators.js";
import type { ValidationIssue } from "./types.js";

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
/** The generated validators by operationId, read once (a namespace object is not indexed per call). */
const validatorsByOperation: Readonly<Record<string, Validator>> = { ...validators };

export type { OperationId } from "./generated/operations.js";

/**
 * The event's problems by the spec (the same checks the mock and the contract suite apply), one per failing
 * field; empty when the event is valid. What the report methods run before sending anything.
 */
export function validateEvent(operationId: OperationId, event: unknown): ValidationIssue[] {
  const validate = validatorsByOperation[operationId] as Validator;
  if (validate(event)) return [];
  return toIssues(validate.errors ?? []);
}

function toIssues(errors: ErrorObject[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // `if`/`allOf` wrappers only repeat what the nested error already said.
    if (error.keyword === "if" || error.keyword === "allOf") continue;
    const issue = toIssue(error);
    const key = `${issue.field}\u0000${issue.problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function toIssue(error: ErrorObject): ValidationIssue {
  const params = error.params as Record<string, unknown>;
  const base = pointerToPath(error.instancePath);
  const join = (child: string) => (base ? `${base}.${child}` : child);
  switch (error.keyword) {
    case "required":
      return { field: join(String(params.missingProperty)), problem: "is required" };
    case "enum":
      return {
        field: base || "(event)",
        problem: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "format":
      return { field: base || "(event)", problem: formatProblem(String(params.format)) };
    case "type": {
      const expected = String(params.type);
      const trigger = /\/dependentSchemas\/([^/]+)\//.exec(error.schemaPath)?.[1];
      if (expected === "null" && trigger) {
        return { field: base, problem: `must be absent or null when ${article(trigger)} is sent` };
      }
      return { field: base || "(event)", problem: `must be ${article(expected)}` };
    }
    case "additionalProperties":
      return { field: join(String(params.additionalProperty)), problem: "is not a documented field" };
    default:
      return { field: base || "(event)", problem: error.message ?? `fails ${error.keyword}` };
  }
}

function formatProblem(format: string): string {
  switch (format) {
    case "date-time":
      return "must be a real ISO-8601 date-time with a time zone (RFC 3339), e.g. 2021-08-01T08:00:00Z";
    case "uri":
      return "must be an absolute, percent-encoded URL (what `new URL(x).href` gives), e.g. https://example.com/%E6%8F%90%E6%A1%88.pdf";
    case "email":
      return "must be an email address";
    default:
      return `must match format "${format}"`;
  }
}

/** "string" -> "a string", "object" -> "an object", "string,null" -> "a string or null" */
function article(words: string): string {
  return words
    .split(",")
    .map((word) => (word === "null" ? "null" : `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`))
    .join(" or ");
}

/** "/recipients/0/email" -> "recipients[0].email" */
function pointerToPath(pointer: string): string {
  if (!pointer) return "";
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}
