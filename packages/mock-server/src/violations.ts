// Gong's 400 `errors`: one "field: problem" line per failing field. The body's problems come from the spec
// model (the one definition of valid, worded as the client words them); Prism adds what is not about the body
// (a Content-Type the operation does not take).
import { fieldPath, type ValidationIssue } from "@gong-engage/spec-model";

export interface PrismViolation {
  path?: Array<string | number>;
  message: string;
  code?: string | number;
  severity?: number | string;
}

/** A Prism finding about the request outside its body, as a field and a problem; undefined for what the mock answers itself. */
export function fromPrism(violation: PrismViolation): { field: string; problem: string } | undefined {
  if (violation.code === 401 || violation.code === "401") return undefined; // credentials are answered with 401 before Prism
  const [where, ...rest] = violation.path ?? [];
  if (where === "body") return undefined; // the spec model judges the body
  if (where === undefined) {
    // Request-level findings, e.g. 415 "Supported content types: application/json".
    return { field: violation.code === 415 ? "Content-Type" : "request", problem: violation.message };
  }
  const pointer = rest.map((part) => `/${String(part).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
  return { field: `${where} ${pointer ? fieldPath(pointer) : ""}`.trim(), problem: violation.message };
}

/** Prism's findings outside the body, then the body's issues by the spec. */
export function gongErrors(prism: PrismViolation[], issues: ValidationIssue[]): string[] {
  const lines = prism.flatMap((violation) => {
    const finding = fromPrism(violation);
    return finding ? [`${finding.field}: ${finding.problem}`] : [];
  });
  for (const issue of issues) lines.push(`${fieldPath(issue.field)}: ${issue.problem}`);
  return [...new Set(lines)];
}
