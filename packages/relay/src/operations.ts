// What the relay reads from the spec, through @gong-engage/spec-model (the one reading of the spec every package
// shares): the operations and their `x-gong-event` rules (alias, event id field, duplicate key and its scope,
// result id field), the root's `x-gong-rate-limits`, and each operation's request validator. The relay sends an
// operation with the client method named by its operationId: an operation the spec has but this version of
// @gong-engage/client cannot send yet is refused at enqueue, and flows through once the client has it.
import { createHash } from "node:crypto";
import { createEngagementClient, type ValidationIssue } from "@gong-engage/client";
import { bundledSpecModel, loadSpecModel, type SpecOperation } from "@gong-engage/spec-model";
import { duplicateKeyOf as specDuplicateKey } from "@gong-engage/spec-model/runtime";

export { bundledSpecPath } from "@gong-engage/spec-model";

export interface RelayOperation {
  operationId: string;
  /** The short name used on the command line (`shared`, `viewed`, `digital-interaction`, ...). */
  alias: string;
  /** The event's own id field; the relay fills it when an event comes without one. */
  eventIdField: string | undefined;
  /** The fields whose values identify an event for Gong's 409. */
  duplicateKey: string[];
  /** Operations sharing a scope share their duplicate memory. */
  duplicateKeyScope: string;
  /** The field of Gong's 200 that carries its id for the event, if any. */
  resultIdField: string | undefined;
  /** The client has a method for it (named by the operationId). */
  sendable: boolean;
}

export interface RelaySpec {
  version: string;
  rateLimits: { perSecond: number; perDay: number };
  operations: RelayOperation[];
  /** By operationId or alias; undefined when the spec has no such operation. */
  find(name: string): RelayOperation | undefined;
  /** The event's problems by the spec's request schema, one per failing field; empty when valid. */
  validate(operation: RelayOperation, event: unknown): ValidationIssue[];
}

export function loadRelaySpec(source?: string | Record<string, unknown>): RelaySpec {
  // Lazy: most relay processes (tenant add, status, a worker) read only the spec's rules, and enqueue validates one
  // operation's events; compiling every validator at load was a fifth of a short command's CPU. The relay's spec is
  // the bundle its tests load whole; without a source of its own it is the process's shared bundledSpecModel().
  const model = source === undefined ? bundledSpecModel() : loadSpecModel(source, { lazy: true });
  const probe = createEngagementClient({ baseUrl: "http://127.0.0.1", auth: { bearerToken: "probe" }, rateLimit: false, retry: false }) as unknown as Record<
    string,
    unknown
  >;
  const specOperations = new Map<string, SpecOperation>();
  const operations = model.operations.map((operation): RelayOperation => {
    specOperations.set(operation.operationId, operation);
    return {
      operationId: operation.operationId,
      alias: operation.alias,
      eventIdField: operation.event.eventIdField,
      duplicateKey: [...operation.event.duplicateKey],
      duplicateKeyScope: operation.event.duplicateKeyScope,
      resultIdField: operation.event.resultIdField,
      sendable: typeof probe[operation.operationId] === "function",
    };
  });
  return {
    version: model.version,
    rateLimits: { perSecond: model.rateLimits.perSecond, perDay: model.rateLimits.perDay },
    operations,
    find: (name) => operations.find((o) => o.operationId === name || o.alias === name),
    validate: (operation, event) => specOperations.get(operation.operationId)!.validateRequest(event),
  };
}

/**
 * The event's duplicate key by the spec's rule (scope and the key fields' values); for an event that lacks a key
 * field (never a duplicate for Gong) a key of its own, so that it is stored and sent once.
 */
export function duplicateKeyOf(event: Record<string, unknown>, operation: RelayOperation): string {
  return specDuplicateKey(event, operation) ?? JSON.stringify(["(no duplicate key)", canonicalJson(event)]);
}

/**
 * A stable eventId for an event sent without one: derived from the tenant, the operation's duplicate scope and
 * the event's content, so enqueuing the same event again gives the same id (and is stored once), and a resend
 * after a crash carries it (so Gong can answer 409).
 */
export function stableEventId(tenant: string, operation: RelayOperation, event: Record<string, unknown>): string {
  const digest = createHash("sha256")
    .update(`${tenant}\u0000${operation.duplicateKeyScope}\u0000${canonicalJson(event)}`)
    .digest("hex");
  return `relay-${digest.slice(0, 32)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
