// What the relay reads from the spec: the operations that carry an `x-gong-event` rule (alias, event id field,
// duplicate key and its scope, result id field) and the root's `x-gong-rate-limits`. The one place the relay
// touches the spec: when @gong-engage/spec-model lands, this file becomes a thin adapter over loadSpecModel.
// Validation is the client's (its validators are generated from the same bundled spec), so the relay refuses
// at enqueue exactly what the client would refuse at send.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { validateEvent, type OperationId, type ValidationIssue } from "@gong-engage/client";

export interface RelayOperation {
  operationId: string;
  /** The short name used on the command line (`shared`, `viewed`, ...). */
  alias: string;
  /** The event's own id field; the relay fills it when a legacy event comes without one. */
  eventIdField: string | undefined;
  /** The fields whose values identify an event for Gong's 409. */
  duplicateKey: string[];
  /** Operations sharing a scope share their duplicate memory. */
  duplicateKeyScope: string;
  /** The field of Gong's 200 that carries its id for the event, if any. */
  resultIdField: string | undefined;
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

/** The bundled spec: the copy the build puts next to the compiled modules, else @gong-engage/spec's bundle. */
export function bundledSpecPath(): string {
  const shipped = fileURLToPath(new URL("./openapi.json", import.meta.url));
  return existsSync(shipped) ? shipped : createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json");
}

interface GongEventRule {
  alias?: unknown;
  eventIdField?: unknown;
  duplicateKey?: unknown;
  duplicateKeyScope?: unknown;
  resultIdField?: unknown;
}

export function loadRelaySpec(source: string | Record<string, unknown> = bundledSpecPath()): RelaySpec {
  const document = (typeof source === "string" ? JSON.parse(readFileSync(source, "utf8")) : source) as Record<string, any>;
  const limits = document["x-gong-rate-limits"] as { perSecond?: unknown; perDay?: unknown } | undefined;
  if (!limits || typeof limits.perSecond !== "number" || typeof limits.perDay !== "number") {
    throw new Error("the spec has no x-gong-rate-limits { perSecond, perDay } at its root");
  }
  const operations: RelayOperation[] = [];
  for (const item of Object.values((document.paths ?? {}) as Record<string, Record<string, any>>)) {
    for (const operation of Object.values(item)) {
      const rule = operation?.["x-gong-event"] as GongEventRule | undefined;
      if (!rule || typeof operation.operationId !== "string") continue;
      operations.push({
        operationId: operation.operationId,
        alias: String(rule.alias ?? operation.operationId),
        eventIdField: typeof rule.eventIdField === "string" ? rule.eventIdField : undefined,
        duplicateKey: Array.isArray(rule.duplicateKey) ? rule.duplicateKey.map(String) : [],
        duplicateKeyScope: String(rule.duplicateKeyScope ?? operation.operationId),
        resultIdField: typeof rule.resultIdField === "string" ? rule.resultIdField : undefined,
      });
    }
  }
  return {
    version: String(document.info?.version ?? ""),
    rateLimits: { perSecond: limits.perSecond, perDay: limits.perDay },
    operations,
    find: (name) => operations.find((o) => o.operationId === name || o.alias === name),
    validate: (operation, event) => {
      try {
        return validateEvent(operation.operationId as OperationId, event);
      } catch {
        return [{ field: "operation", problem: `${operation.operationId} is in the spec but not in this version of @gong-engage/client` }];
      }
    },
  };
}

/** The event's duplicate key by the spec's rule: its fields' values, as JSON (absent fields as null). */
export function duplicateKeyOf(event: Record<string, unknown>, operation: RelayOperation): string {
  return JSON.stringify(operation.duplicateKey.map((field) => event[field] ?? null));
}

/**
 * A stable eventId for a legacy event sent without one: derived from the tenant, the operation and the event's
 * content, so enqueuing the same event again gives the same id (and is stored once), and a resend after a crash
 * carries it (so Gong can answer 409).
 */
export function stableEventId(tenant: string, operation: RelayOperation, event: Record<string, unknown>): string {
  const digest = createHash("sha256").update(`${tenant}\u0000${operation.duplicateKeyScope}\u0000${canonicalJson(event)}`).digest("hex");
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
