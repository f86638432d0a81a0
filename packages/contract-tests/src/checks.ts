// The checks run on every response, all read from the spec: documented status, content type, body against that
// status's schema (which requires a non-empty requestId), required headers (an integer Retry-After on 429), and
// every int64 field of the schema written as an exact JSON integer, present in every 2xx answer.
import { expect } from "vitest";
import type { Sent } from "./sender.js";
import { describeIssues, type SpecOperation } from "./spec-model.js";

/** Checks `sent` against the spec for `operation`, expecting `status`. Returns the names of the checks made. */
export function checkResponse(operation: SpecOperation, sent: Sent, status: number): string[] {
  const context = `${operation.operationId}: ${sent.status} ${sent.text.slice(0, 300)}`;
  expect(sent.status, `${operation.operationId}: expected ${status}, got ${sent.status}. Body: ${sent.text.slice(0, 300)}`).toBe(status);
  const documented = operation.responses.get(sent.status);
  expect(documented, `${operation.operationId}: status ${sent.status} is not documented`).toBeDefined();
  const checks = ["status"];

  const contentType = sent.headers.get("content-type") ?? "";
  expect(contentType.split(";")[0]!.trim(), `${context}: content type`).toBe(documented!.contentType);
  checks.push("content-type");

  expect(sent.json, `${context}: body is not JSON`).toBeDefined();
  const issues = documented!.validateBody(sent.json);
  expect(issues, `${context}: body does not match the ${sent.status} schema: ${describeIssues(issues)}`).toEqual([]);
  checks.push("body schema");

  for (const header of documented!.headers) {
    const value = sent.headers.get(header.name);
    if (header.required) expect(value, `${context}: header ${header.name} is required`).not.toBeNull();
    if (value !== null && header.schema?.type === "integer") {
      expect(value, `${context}: header ${header.name} must be an integer`).toMatch(/^\d+$/);
    }
    checks.push(`header ${header.name}`);
  }

  for (const field of documented!.int64Fields) {
    const present = (sent.json as Record<string, unknown>)[field] !== undefined;
    if (!present && sent.status >= 300) continue;
    expect(sent.text, `${context}: ${field} must be an exact JSON integer (not a string, not a float)`).toMatch(
      new RegExp(`"${field}"\\s*:\\s*-?\\d+\\s*[,}]`),
    );
    checks.push(`${field} exact integer`);
  }
  return checks;
}
