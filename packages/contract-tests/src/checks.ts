// Every response the suite gets is checked with the spec model's checkResponse (documented status, content type,
// body schema with its requestId, required headers such as an integer Retry-After on 429, every int64 field
// written as an exact JSON integer); here the status the test expected comes first, and a departure fails the
// test, naming each finding.
import { checkResponse, checksFor, type SpecOperation } from "@gong-engage/spec-model";
import { expect } from "vitest";
import type { Sent } from "./sender.js";

/** Expects `sent` to be a `status` answer that matches the spec for `operation`. Returns the names of the checks made. */
export function expectResponse(operation: SpecOperation, sent: Sent, status: number): string[] {
  expect(sent.status, `${operation.operationId}: expected ${status}, got ${sent.status}. Body: ${sent.text.slice(0, 300)}`).toBe(status);
  const findings = checkResponse(operation, sent);
  const said = findings.map((f) => `${f.where}: ${f.problem}`).join("; ");
  expect(findings, `${operation.operationId}: the ${sent.status} answer departs from the spec: ${said}. Body: ${sent.text.slice(0, 300)}`).toEqual([]);
  return checksFor(operation, status);
}
