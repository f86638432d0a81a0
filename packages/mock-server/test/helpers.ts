// Test helpers: a mock per test file, plain-HTTP calls to it, and a response validator built from the spec, so
// that every response the mock emits is checked against what the spec documents.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const spec: any = JSON.parse(readFileSync(require.resolve("@gong-engage/spec/openapi.json"), "utf8"));
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(spec, "openapi.json");

export const SHARED = "/v2/customer-engagement/content/shared";
export const VIEWED = "/v2/customer-engagement/content/viewed";
export const example = (name: string) => structuredClone(spec.components.examples[name].value);
export const basic = (key = "key", secret = "secret") => `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;

let counter = 0;
/** A valid event with a unique eventId. */
export function sharedEvent(overrides: Record<string, unknown> = {}) {
  return { ...example("ContentSharedEventFull"), eventId: `evt-${process.pid}-${++counter}`, ...overrides };
}
export function viewedEvent(overrides: Record<string, unknown> = {}) {
  return { ...example("ContentViewedEventKnownViewer"), eventId: `view-${process.pid}-${++counter}`, ...overrides };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export async function put(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = { Authorization: basic() },
): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const reply = { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  expectDocumented(path, reply);
  return reply;
}

/** The response is one the spec documents for the operation: status, content type, body schema, headers. */
export function expectDocumented(path: string, reply: Reply): void {
  const operation = spec.paths[path]?.put;
  expect(operation, `no operation at ${path}`).toBeDefined();
  const documented = operation.responses[String(reply.status)];
  expect(documented, `status ${reply.status} is not documented for ${operation.operationId}`).toBeDefined();
  const response = spec.components.responses[documented.$ref.split("/").pop()];
  expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
  const validate = ajv.getSchema(`openapi.json${response.content["application/json"].schema.$ref}`)!;
  expect(validate(reply.json), `${reply.status} body: ${JSON.stringify(validate.errors)}`).toBe(true);
  expect(typeof reply.json.requestId).toBe("string");
  expect(reply.json.requestId.length).toBeGreaterThan(0);
  for (const [name, header] of Object.entries<{ $ref: string }>(response.headers ?? {})) {
    const definition = spec.components.headers[header.$ref.split("/").pop()!];
    const value = reply.headers.get(name);
    if (definition.required) expect(value, `${reply.status} needs header ${name}`).not.toBeNull();
    if (value !== null && definition.schema.type === "integer") expect(value).toMatch(/^\d+$/);
  }
  if (reply.status === 200) {
    // An exact JSON integer in the raw text, not a string or a float.
    expect(reply.text).toMatch(/"integrationId":\d+[,}]/);
  }
}

/** integrationId as written in the raw body. */
export function rawIntegrationId(text: string): bigint {
  return BigInt(/"integrationId":(\d+)/.exec(text)![1]!);
}
