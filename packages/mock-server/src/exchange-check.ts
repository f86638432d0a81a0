// Checks one proxied exchange (a request and the upstream's answer) against the spec: the answer by the spec
// model's checkResponse (status documented, content type, body schema, headers, exact int64), and whether the
// status fits the request (a request the spec calls invalid, or one without well-formed credentials of a
// documented scheme, must not be accepted). Findings never quote a header's value, so credentials cannot leak
// into them.
import type { IncomingHttpHeaders } from "node:http";
import { checkResponse, fieldPath, type SpecOperation } from "@gong-engage/spec-model";
import { authenticate } from "./auth.js";

export interface Finding {
  /** Where: "response.status", "response.body.requestId", "response.header Retry-After", "request.body.viewer.email", ... */
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
  const violations: Finding[] = checkResponse(operation, { status: response.status, headers: response.headers, text: response.body.toString("utf8") }).map(
    ({ where, problem }) => ({
      where: where.startsWith("response.body/") ? `response.body.${fieldPath(where.slice("response.body".length))}` : where,
      problem,
    }),
  );
  if (response.status >= 200 && response.status < 300) {
    const auth = requestFindings.find((f) => f.where === "request.auth");
    const body = requestFindings.filter((f) => f.where.startsWith("request.body"));
    if (auth)
      violations.push({
        where: "response.status",
        problem: `${response.status} to a request without valid credentials (${auth.problem}); the spec answers 401`,
      });
    else if (body.length)
      violations.push({
        where: "response.status",
        problem: `${response.status} to a body the spec calls invalid (${body.map((f) => f.problem).join("; ")}); the spec answers 400`,
      });
  }
  return { request: requestFindings, violations };
}

function checkRequest(operation: SpecOperation, request: { headers: IncomingHttpHeaders; body: Buffer | undefined }): Finding[] {
  const findings: Finding[] = [];
  const header = request.headers.authorization;
  const scheme = header?.trim().split(/\s+/, 1)[0]?.toLowerCase();
  const auth = authenticate(header);
  if (!auth.ok) findings.push({ where: "request.auth", problem: auth.problem });
  else if (scheme && !(operation.authSchemes as string[]).includes(scheme)) {
    findings.push({
      where: "request.auth",
      problem: `the ${scheme} scheme is not documented for ${operation.operationId} (documented: ${operation.authSchemes.join(", ")})`,
    });
  }
  let event: unknown;
  try {
    event = JSON.parse(request.body?.toString("utf8") ?? "");
  } catch {
    findings.push({ where: "request.body", problem: "not JSON" });
    return findings;
  }
  for (const issue of operation.validateRequest(event)) {
    const field = fieldPath(issue.field, "");
    findings.push({ where: `request.body${field ? `.${field}` : ""}`, problem: issue.problem });
  }
  return findings;
}
