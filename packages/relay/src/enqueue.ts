// Enqueue: check every item against the spec (refused at once, naming the field; then nothing is stored), give
// a legacy event without an eventId a stable one, and insert the batch in one statement, once per tenant and
// duplicate key (ON CONFLICT DO NOTHING). With the app's own client or transaction (`db`), the insert is part
// of the app's transaction, and so is the NOTIFY that wakes the workers (Postgres sends it at commit).
import type { Pool } from "pg";
import { type EnqueueIssue, EnqueueValidationError, UnknownTenantError } from "./errors.js";
import { duplicateKeyOf, type RelaySpec, stableEventId } from "./operations.js";

export interface EnqueueItem {
  tenant: string;
  /** An operationId or its alias (`shared`, `viewed`, ...). */
  operation: string;
  event: Record<string, unknown>;
}

/** Anything with pg's `query`: a pg.Client, a PoolClient inside your transaction, a Pool. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: pg types its rows as any; a narrower type here would refuse pg.Client.
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount?: number | null }>;
}

export interface EnqueueResult {
  /** New events stored. */
  stored: number;
  /** Events already in the queue (the same tenant and duplicate key): stored once. */
  duplicates: number;
  /** Per item, in order: the eventId it is sent with (filled in when it had none), and whether it was new. */
  items: Array<{ eventId: string | undefined; stored: boolean }>;
}

interface Row {
  tenant: string;
  operation: string;
  scope: string;
  key: string;
  eventId: string | undefined;
  payload: string;
}

/** Checks items and turns them into rows; throws EnqueueValidationError listing every problem. */
export function prepare(spec: RelaySpec, items: readonly EnqueueItem[]): Row[] {
  const issues: EnqueueIssue[] = [];
  const rows: Row[] = [];
  items.forEach((item, index) => {
    const row = prepareOne(spec, item, index, issues);
    if (row) rows.push(row);
  });
  if (issues.length) throw new EnqueueValidationError(issues);
  return rows;
}

export function prepareOne(spec: RelaySpec, item: EnqueueItem, index: number, issues: EnqueueIssue[]): Row | undefined {
  const before = issues.length;
  if (!item || typeof item !== "object") {
    issues.push({ index, field: "(item)", problem: "must be { tenant, operation, event }" });
    return undefined;
  }
  if (typeof item.tenant !== "string" || item.tenant === "") issues.push({ index, field: "tenant", problem: "is required (a tenant id)" });
  const operation = typeof item.operation === "string" ? spec.find(item.operation) : undefined;
  if (!operation) {
    const known = spec.operations.map((o) => `${o.alias} (${o.operationId})`).join(", ");
    issues.push({ index, field: "operation", problem: `${JSON.stringify(item.operation)} is not an operation of the spec; use one of: ${known}` });
  } else if (!operation.sendable) {
    issues.push({
      index,
      field: "operation",
      problem: `${operation.alias} (${operation.operationId}) is in the spec, but this version of @gong-engage/client cannot send it yet`,
    });
  }
  const event = item.event;
  if (!event || typeof event !== "object" || Array.isArray(event)) {
    issues.push({ index, field: "(event)", problem: "must be a JSON object" });
  } else if (operation) {
    for (const issue of spec.validate(operation, event)) issues.push({ index, ...issue });
  }
  if (issues.length > before || !operation?.sendable) return undefined;
  let full = event;
  let eventId = operation.eventIdField ? event[operation.eventIdField] : undefined;
  if (operation.eventIdField && (eventId === undefined || eventId === null || eventId === "")) {
    eventId = stableEventId(item.tenant, operation, event);
    full = { ...event, [operation.eventIdField]: eventId };
  }
  return {
    tenant: item.tenant,
    operation: operation.operationId,
    scope: operation.duplicateKeyScope,
    key: duplicateKeyOf(full, operation),
    eventId: eventId === undefined ? undefined : String(eventId),
    payload: JSON.stringify(full),
  };
}

/** Inserts prepared rows through `db` (no transaction of its own: the caller's, or autocommit). */
export async function insertRows(db: Queryable, rows: readonly Row[]): Promise<EnqueueResult> {
  if (rows.length === 0) return { stored: 0, duplicates: 0, items: [] };
  const tenants = [...new Set(rows.map((r) => r.tenant))];
  const known = await db.query("select id from gong_relay.tenant where id = any($1::text[])", [tenants]);
  const knownIds = new Set(known.rows.map((r: { id: string }) => r.id));
  const unknown = tenants.filter((t) => !knownIds.has(t));
  if (unknown.length) throw new UnknownTenantError(unknown);
  const inserted = await db.query(
    `insert into gong_relay.event (tenant, operation, dedupe_scope, dedupe_key, event_id, payload)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     on conflict (tenant, dedupe_scope, dedupe_key) do nothing
     returning tenant, dedupe_scope, dedupe_key`,
    [
      rows.map((r) => r.tenant),
      rows.map((r) => r.operation),
      rows.map((r) => r.scope),
      rows.map((r) => r.key),
      rows.map((r) => r.eventId ?? null),
      rows.map((r) => r.payload),
    ],
  );
  const fresh = new Set(
    inserted.rows.map((r: { tenant: string; dedupe_scope: string; dedupe_key: string }) => `${r.tenant}\u0000${r.dedupe_scope}\u0000${r.dedupe_key}`),
  );
  if (fresh.size) await db.query("select pg_notify('gong_relay', '')");
  const seen = new Set<string>();
  const items = rows.map((r) => {
    const id = `${r.tenant}\u0000${r.scope}\u0000${r.key}`;
    const stored = fresh.has(id) && !seen.has(id);
    seen.add(id);
    return { eventId: r.eventId, stored };
  });
  const stored = items.filter((i) => i.stored).length;
  return { stored, duplicates: rows.length - stored, items };
}

/** Enqueue through the relay's own pool, in a transaction of its own: all the items or none. */
export async function enqueueOwn(pool: Pool, rows: readonly Row[]): Promise<EnqueueResult> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await insertRows(client, rows);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
