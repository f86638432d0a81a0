// Test helpers: a mock per test file, plain-HTTP calls to it, and the spec model's response check, so that
// every response the mock emits is checked against what the spec documents.
import { checkResponse, loadSpecModel, type SpecOperation } from "@gong-engage/spec-model";
import { expect } from "vitest";

export const model = loadSpecModel();
export const spec: any = model.document;

export const SHARED = model.operation("reportContentShared")!.path;
export const VIEWED = model.operation("reportContentViewed")!.path;
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

/** A valid event for any operation of the spec: its first named example, with a unique event id (x-gong-event.eventIdField). */
export function eventFor(operation: SpecOperation, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const [first] = Object.values(operation.examples);
  const idField = operation.event.eventIdField ?? "eventId";
  return { ...structuredClone(first as Record<string, unknown>), [idField]: `${operation.alias}-${process.pid}-${++counter}`, ...overrides };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function put(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = { Authorization: basic() },
  method = "PUT",
  documented = model,
): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const reply = { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  expectDocumented(method, path, reply, documented);
  return reply;
}

/** The response is one the spec documents for the operation: status, content type, body schema, headers, exact int64. */
export function expectDocumented(method: string, path: string, reply: Reply, documented = model): void {
  const operation = documented.find(method, path);
  expect(operation, `no operation at ${method} ${path}`).toBeDefined();
  expect(checkResponse(operation!, reply), `${reply.status} ${reply.text.slice(0, 200)}`).toEqual([]);
}

/** integrationId as written in the raw body. */
export function rawIntegrationId(text: string): bigint {
  return BigInt(/"integrationId":(\d+)/.exec(text)![1]!);
}
