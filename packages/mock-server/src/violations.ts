// Turns request-validation findings into Gong's 400 `errors`: one "field: problem" line per failing field.
// Prism's violations come first; the spec's own JSON Schema 2020-12 validator adds what Prism's validator does
// not check (e.g. `dependentSchemas`: a view's trackingId must be absent or null when a viewer is sent).
import type { ErrorObject } from "ajv";

export interface PrismViolation {
  path?: Array<string | number>;
  message: string;
  code?: string | number;
  severity?: number | string;
}

export function fieldPath(segments: Array<string | number>): string {
  return segments.reduce<string>(
    (path, part) => (/^\d+$/.test(String(part)) ? `${path}[${part}]` : path ? `${path}.${part}` : String(part)),
    "",
  );
}

function join(base: string, child: string): string {
  return base ? `${base}.${child}` : child;
}

export function fromPrism(violation: PrismViolation): { field: string; problem: string } | undefined {
  if (violation.code === 401 || violation.code === "401") return undefined; // credentials are answered with 401 before Prism
  const [where, ...rest] = violation.path ?? [];
  if (where === undefined) {
    // Request-level findings, e.g. 415 "Supported content types: application/json".
    return { field: violation.code === 415 ? "Content-Type" : "request", problem: violation.message };
  }
  if (where !== "body") return { field: `${where} ${fieldPath(rest)}`.trim(), problem: violation.message };
  const base = fieldPath(rest);
  const required = /must have required property '([^']+)'/.exec(violation.message);
  if (required) return { field: join(base, required[1]!), problem: "is required" };
  const problem = violation.message.replace(/^Request body( property \S+)?\s*/, "");
  return { field: base || "body", problem };
}

export function fromAjv(error: ErrorObject): { field: string; problem: string } | undefined {
  if (error.keyword === "if" || error.keyword === "allOf") return undefined;
  const base = fieldPath(error.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")));
  if (error.keyword === "required") {
    return { field: join(base, String((error.params as { missingProperty: string }).missingProperty)), problem: "is required" };
  }
  if (error.schemaPath.includes("/dependentSchemas/")) {
    const trigger = /dependentSchemas\/([^/]+)/.exec(error.schemaPath)?.[1];
    return { field: base || "body", problem: `${error.message ?? "is not allowed"} when ${trigger} is sent` };
  }
  return { field: base || "body", problem: error.message ?? `fails ${error.keyword}` };
}

/** Prism's findings, then the validator's findings for fields Prism said nothing about. */
export function gongErrors(prism: PrismViolation[], ajvErrors: ErrorObject[] | null | undefined): string[] {
  const findings = prism.map(fromPrism).filter((f): f is { field: string; problem: string } => !!f);
  const covered = new Set(findings.map((f) => f.field));
  for (const error of ajvErrors ?? []) {
    const finding = fromAjv(error);
    if (finding && !covered.has(finding.field)) {
      findings.push(finding);
      covered.add(finding.field);
    }
  }
  return [...new Set(findings.map((f) => `${f.field}: ${f.problem}`))];
}
