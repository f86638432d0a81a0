// Checks one proxied exchange (a request and the upstream's answer) against the spec: is the answer's status
// documented for the operation, its content type the documented one, its body valid against that status's
// schema, its required headers present and typed, its int64 fields exact JSON integers; and does the status fit
// the request (a request the spec calls invalid, or one without well-formed credentials of a documented scheme,
// must not be accepted). Findings never quote a header's value, so credentials cannot leak into them.
import type { IncomingHttpHeaders } from "node:http";
import { authenticate } from "./auth.js";
import type { SpecOperation } from "./spec.js";
import { fieldPath } from "./violations.js";

export interface Finding {
  /** Where: "response.status", "response.body.integrationId", "response.header Retry-After", "request.body", ... */
  where: string;
  problem: string;
}

export interface ExchangeFindings {
  /** What is wrong with the request by the spec (not a violation by the upstream: it explains the answer). */
  request: Finding[];
  /** Where the upstream's answer departs from the spec. */
  violations: Finding[];
}

export function checkExchange(
  operation: SpecOperation,
  request: { headers: IncomingHttpHeaders; body: Buffer | undefined },
  response: { status: number; headers: IncomingHttpHeaders; body: Buffer },
): ExchangeFindings {
  const requestFindings = checkRequest(operation, request);
  const violations: Finding[] = [];
  const documented = operation.responses.get(response.status);

  if (!documented) {
    violations.push({ where: "response.status", problem: `${response.status} is not documented for ${operation.operationId} (documented: ${operation.statuses.join(", ")})` });
  } else {
    violations.push(...checkResponse(documented, response));
  }
  if (response.status >= 200 && response.status < 300) {
    const auth = requestFindings.find((f) => f.where === "request.auth");
    const body = requestFindings.filter((f) => f.where.startsWith("request.body"));
    if (auth) violations.push({ where: "response.status", problem: `${response.status} to a request without valid credentials (${auth.problem}); the spec answers 401` });
    else if (body.length) violations.push({ where: "response.status", problem: `${response.status} to a body the spec calls invalid (${body.map((f) => f.problem).join("; ")}); the spec answers 400` });
  }
  return { request: requestFindings, violations };
}

function checkRequest(operation: SpecOperation, request: { headers: IncomingHttpHeaders; body: Buffer | undefined }): Finding[] {
  const findings: Finding[] = [];
  const header = request.headers.authorization;
  const scheme = header?.trim().split(/\s+/, 1)[0]?.toLowerCase();
  const auth = authenticate(header);
  if (!auth.ok) findings.push({ where: "request.auth", problem: auth.problem });
  else if (scheme && !operation.authSchemes.includes(scheme)) {
    findings.push({ where: "request.auth", problem: `the ${scheme} scheme is not documented for ${operation.operationId} (documented: ${operation.authSchemes.join(", ")})` });
  }
  if (!operation.validateBody) return findings;
  let event: unknown;
  try {
    event = JSON.parse(request.body?.toString("utf8") ?? "");
  } catch {
    findings.push({ where: "request.body", problem: "not JSON" });
    return findings;
  }
  if (!operation.validateBody(event)) {
    for (const error of operation.validateBody.errors ?? []) {
      if (error.keyword === "if" || error.keyword === "allOf") continue;
      const field = fieldPath(error.instancePath.split("/").slice(1));
      const missing = error.keyword === "required" ? (error.params as { missingProperty: string }).missingProperty : undefined;
      findings.push({
        where: `request.body${field ? `.${field}` : ""}${missing ? `.${missing}` : ""}`,
        problem: missing ? "is required" : (error.message ?? error.keyword),
      });
    }
  }
  return findings;
}

function checkResponse(
  documented: NonNullable<ReturnType<SpecOperation["responses"]["get"]>>,
  response: { status: number; headers: IncomingHttpHeaders; body: Buffer },
): Finding[] {
  const violations: Finding[] = [];
  const contentType = String(response.headers["content-type"] ?? "").split(";")[0]!.trim();
  if (documented.contentType && contentType !== documented.contentType) {
    violations.push({ where: "response.content-type", problem: `"${contentType || "(none)"}" instead of ${documented.contentType}` });
  }
  for (const header of documented.headers) {
    const value = response.headers[header.name.toLowerCase()];
    if (value === undefined) {
      if (header.required) violations.push({ where: `response.header ${header.name}`, problem: `missing; the spec requires it on ${response.status}` });
    } else if (header.type === "integer" && !/^\d+$/.test(String(value).trim())) {
      violations.push({ where: `response.header ${header.name}`, problem: `"${String(value).slice(0, 40)}" is not an integer` });
    }
  }
  if (!documented.validateBody) return violations;
  const text = response.body.toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    violations.push({ where: "response.body", problem: `not JSON: ${JSON.stringify(text.slice(0, 80))}` });
    return violations;
  }
  if (!documented.validateBody(body)) {
    for (const error of documented.validateBody.errors ?? []) {
      const field = fieldPath(error.instancePath.split("/").slice(1));
      const missing = error.keyword === "required" ? `.${(error.params as { missingProperty: string }).missingProperty}` : "";
      violations.push({ where: `response.body${field ? `.${field}` : ""}${missing}`, problem: missing ? "is required (missing)" : (error.message ?? error.keyword) });
    }
  }
  for (const field of documented.int64Fields) {
    const value = (body as Record<string, unknown> | null)?.[field];
    if (value === undefined) continue;
    const token = new RegExp(`"${field}"\\s*:\\s*(-?[0-9][0-9.eE+-]*|"[^"]*")`).exec(text)?.[1];
    if (!token || !/^-?\d+$/.test(token)) {
      violations.push({ where: `response.body.${field}`, problem: `not an exact int64 JSON integer: written ${token ?? JSON.stringify(value)}` });
    }
  }
  return violations;
}
