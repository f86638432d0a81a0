// "Does this answer match the spec?", written once: the mock's proxy checks upstream answers with it, the
// contract suite checks every response with it. Findings never quote a header's value beyond 40 characters
// and never quote request headers, so credentials cannot leak into them.
import { isLosslessNumber, parse as parseLosslessRaw } from "lossless-json";
import type { SpecOperation, SpecResponse } from "./load.js";

/** Which check a finding comes from: the names a report can count. */
export type CheckName = "status" | "content-type" | "header" | "body" | "requestId" | "int64";

export interface Finding {
  check: CheckName;
  /** Where: "response.status", "response.content-type", "response.header Retry-After", "response.body/viewer/email", ... */
  where: string;
  problem: string;
}

/** Fetch's Headers, or Node's IncomingHttpHeaders (lower-case names). */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | string[] | number | undefined>;

export interface ResponseToCheck {
  status: number;
  headers: HeadersLike;
  /** The body exactly as received. */
  text: string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// The response field Gong puts in every answer, checked (as the schema says) under its own name in reports.
const REQUEST_ID_FIELD = "/requestId";

/**
 * The ways `response` departs from the spec for `operation`: its status is documented, its content type is the
 * documented one, its body is valid against that status's schema (requestId included), its documented headers
 * are present when required and valid, and every int64 field is written as an exact JSON integer. [] = it matches.
 */
export function checkResponse(operation: SpecOperation, response: ResponseToCheck): Finding[] {
  const documented = operation.responses.get(response.status);
  if (!documented) {
    return [
      {
        check: "status",
        where: "response.status",
        problem: `${response.status} is not documented for ${operation.operationId} (documented: ${operation.statuses.join(", ")})`,
      },
    ];
  }
  return [...checkContentType(documented, response), ...checkHeaders(documented, response), ...checkBody(documented, response)];
}

/** The checks that apply to an answer with this status (for a report of what was checked). */
export function checksFor(operation: SpecOperation, status: number): string[] {
  const documented = operation.responses.get(status);
  if (!documented) return ["status"];
  return [
    "status",
    ...(documented.contentType ? ["content-type"] : []),
    ...documented.headers.map((h) => `header ${h.name}`),
    ...(documented.schema ? ["body schema"] : []),
    ...(hasProperty(documented.schema, REQUEST_ID_FIELD.slice(1)) ? ["requestId"] : []),
    ...documented.int64Fields.map((field) => `${field} exact integer`),
  ];
}

function checkContentType(documented: SpecResponse, response: ResponseToCheck): Finding[] {
  if (!documented.contentType) return [];
  const actual = (headerValue(response.headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (actual === documented.contentType.toLowerCase()) return [];
  return [{ check: "content-type", where: "response.content-type", problem: `"${actual || "(none)"}" instead of ${documented.contentType}` }];
}

function checkHeaders(documented: SpecResponse, response: ResponseToCheck): Finding[] {
  const findings: Finding[] = [];
  for (const header of documented.headers) {
    const value = headerValue(response.headers, header.name);
    const where = `response.header ${header.name}`;
    if (value === undefined) {
      if (header.required) findings.push({ check: "header", where, problem: `missing; the spec requires it on ${response.status}` });
      continue;
    }
    for (const issue of header.validate(value)) findings.push({ check: "header", where, problem: issue.problem });
  }
  return findings;
}

function checkBody(documented: SpecResponse, response: ResponseToCheck): Finding[] {
  if (!documented.schema) return [];
  const text = response.text;
  let body: unknown;
  let lossless: unknown;
  try {
    body = JSON.parse(text);
    lossless = parseLosslessRaw(text);
  } catch {
    return [
      {
        check: "body",
        where: "response.body",
        problem: text.trim() ? `not JSON: ${JSON.stringify(text.slice(0, 80))}` : `empty; the spec documents a body (${documented.contentType || "JSON"})`,
      },
    ];
  }
  const int64Findings: Finding[] = [];
  for (const field of documented.int64Fields) {
    const value = isRecord(lossless) ? lossless[field] : undefined;
    if (value === undefined || value === null) continue; // absence (and null) are the schema's to judge
    const problem = int64Problem(value);
    if (problem) int64Findings.push({ check: "int64", where: `response.body/${field}`, problem });
  }
  // An int64 written wrongly is said once, by the int64 check (the schema would add "must be an integer").
  const said = new Set(int64Findings.map((f) => f.where));
  const schemaFindings: Finding[] = documented
    .validateBody(body)
    .map(
      (issue): Finding => ({
        check: issue.field === REQUEST_ID_FIELD ? "requestId" : "body",
        where: issue.field === "(body)" ? "response.body" : `response.body${issue.field}`,
        problem: issue.problem,
      }),
    )
    .filter((f) => !said.has(f.where));
  return [...schemaFindings, ...int64Findings];
}

/** Why a value read losslessly is not an exact int64 JSON integer; undefined when it is one. */
function int64Problem(value: unknown): string | undefined {
  if (isLosslessNumber(value)) {
    const digits = value.value;
    if (!/^-?\d+$/.test(digits)) return `not an exact int64 JSON integer: written ${digits}`;
    const n = BigInt(digits);
    if (n < INT64_MIN || n > INT64_MAX) return `beyond int64: written ${digits}`;
    return undefined;
  }
  if (typeof value === "string") return `not an exact int64 JSON integer: written as a string ${JSON.stringify(value.slice(0, 40))}`;
  return `not an exact int64 JSON integer: written ${JSON.stringify(value)?.slice(0, 40)}`;
}

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | number | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value.join(", ") : String(value);
  }
  return undefined;
}

function hasProperty(schema: unknown, name: string): boolean {
  return isRecord(schema) && isRecord(schema.properties) && name in schema.properties;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
