// What an operator asks of the queue: status per tenant, dead letters back to the queue, old rows purged.
import type { Pool } from "pg";
import { RelayUsageError } from "./errors.js";

export interface TenantStatus {
  tenant: string;
  pending: number;
  inFlight: number;
  deliveredToday: number;
  /** Calls left today under the tenant's daily cap (after its reserve). */
  quotaLeft: number;
  /** When the next call may start (pacing, Retry-After, the daily cap), ISO 8601; null when nothing waits. */
  nextSend: string | null;
  paused: boolean;
  pausedReason: string | null;
  /** Tenants on OAuth: when the grant's access token expires (ISO 8601; null when Gong did not say). Never a token. */
  oauth: { expiresAt: string | null; authorizationNeeded: boolean } | null;
  refused: number;
  /** Dead letters by reason ("503", "timeout", ...), with how many of them may be in Gong. */
  dead: Array<{ reason: string; count: number; mayHaveLanded: number }>;
}

export async function status(pool: Pool, tenant?: string): Promise<TenantStatus[]> {
  const { rows } = await pool.query(
    `with today as (select (clock_timestamp() at time zone 'UTC')::date as d)
     select t.id, t.paused, t.paused_reason, t.day_cap, t.auth_kind, g.expires_at as oauth_expires_at, g.refused_at as oauth_refused_at,
            case when t.day = today.d then t.day_count else 0 end as used,
            greatest(t.next_at, t.hold_until, clock_timestamp(), case when t.day = today.d and t.day_count >= t.day_cap
                                     then (today.d + 1)::timestamp at time zone 'UTC' end) as next_at,
            coalesce(c.pending, 0)::int as pending, coalesce(c.in_flight, 0)::int as in_flight,
            coalesce(c.delivered_today, 0)::int as delivered_today, coalesce(c.refused, 0)::int as refused
       from gong_relay.tenant t cross join today
       left join gong_relay.oauth_grant g on g.tenant = t.id
       left join lateral (
         select count(*) filter (where e.status = 'pending') as pending,
                count(*) filter (where e.status = 'leased') as in_flight,
                count(*) filter (where e.status in ('accepted', 'already_reported')
                                   and e.finished_at >= today.d::timestamp at time zone 'UTC') as delivered_today,
                count(*) filter (where e.status = 'refused') as refused
           from gong_relay.event e where e.tenant = t.id) c on true
      where $1::text is null or t.id = $1
      order by t.id`,
    [tenant ?? null],
  );
  if (tenant && rows.length === 0) throw new RelayUsageError(`unknown tenant ${JSON.stringify(tenant)}`);
  const dead = await pool.query(
    `select tenant, coalesce(reason, '?') as reason, count(*)::int as count, count(*) filter (where may_have_landed)::int as landed
       from gong_relay.event where status = 'dead' and ($1::text is null or tenant = $1) group by 1, 2 order by 1, 3 desc`,
    [tenant ?? null],
  );
  return rows.map((row) => ({
    tenant: row.id,
    pending: row.pending,
    inFlight: row.in_flight,
    deliveredToday: row.delivered_today,
    quotaLeft: Math.max(0, row.day_cap - row.used),
    nextSend: row.pending > 0 && row.next_at && Number.isFinite(row.next_at.getTime()) ? row.next_at.toISOString() : null,
    paused: row.paused,
    pausedReason: row.paused_reason,
    oauth:
      row.auth_kind === "oauth"
        ? { expiresAt: row.oauth_expires_at ? row.oauth_expires_at.toISOString() : null, authorizationNeeded: row.oauth_refused_at !== null }
        : null,
    refused: row.refused,
    dead: dead.rows.filter((d) => d.tenant === row.id).map((d) => ({ reason: d.reason, count: d.count, mayHaveLanded: d.landed })),
  }));
}

export function formatStatus(rows: TenantStatus[]): string {
  if (rows.length === 0) return "no tenants yet: gong-relay tenant add <id> --base-url ... (see gong-relay --help)";
  const header = ["tenant", "pending", "in flight", "delivered today", "quota left", "next send", "refused", "dead letters", "oauth token expires", "paused"];
  const lines = rows.map((r) => [
    r.tenant,
    String(r.pending),
    String(r.inFlight),
    String(r.deliveredToday),
    String(r.quotaLeft),
    r.nextSend ?? "-",
    String(r.refused),
    r.dead.length ? r.dead.map((d) => `${d.count}× ${d.reason}${d.mayHaveLanded ? ` (${d.mayHaveLanded} may be in Gong)` : ""}`).join(", ") : "0",
    r.oauth ? (r.oauth.authorizationNeeded ? "refused: authorization needed" : (r.oauth.expiresAt ?? "not said")) : "-",
    r.paused ? `yes: ${r.pausedReason ?? ""}` : "no",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [format(header), ...lines.map(format)].join("\n");
}

/** Dead letters back to the queue (failures reset): returns how many. */
export async function retryDead(pool: Pool, tenant?: string): Promise<number> {
  return requeue(pool, "dead", tenant);
}

/**
 * Refused events (Gong answered a 4xx such as 400 or 404) back to the queue, after the cause is fixed (a wrong
 * base URL, a spec the events no longer met). Gong did not record them, so sending them again is safe.
 */
export async function retryRefused(pool: Pool, tenant?: string): Promise<number> {
  return requeue(pool, "refused", tenant);
}

async function requeue(pool: Pool, status: "dead" | "refused", tenant: string | undefined): Promise<number> {
  const result = await pool.query(
    `update gong_relay.event set status = 'pending', failures = 0, run_at = clock_timestamp(), finished_at = null
      where status = $2 and ($1::text is null or tenant = $1)`,
    [tenant ?? null, status],
  );
  if (result.rowCount) await pool.query("select pg_notify('gong_relay', '')");
  return result.rowCount ?? 0;
}

/**
 * Deletes finished events (accepted, already reported, refused; dead letters too with includeDead) older than
 * the given age. The queue then no longer remembers them: the same event enqueued again is sent again, and Gong
 * answers 409 (counted as already reported).
 */
export async function purge(pool: Pool, olderThanMs: number, includeDead = false): Promise<number> {
  const statuses = includeDead ? ["accepted", "already_reported", "refused", "dead"] : ["accepted", "already_reported", "refused"];
  const result = await pool.query(
    "delete from gong_relay.event where status = any($1::text[]) and finished_at < clock_timestamp() - $2 * interval '1 millisecond'",
    [statuses, olderThanMs],
  );
  return result.rowCount ?? 0;
}

/** "7d", "12h", "30m", "90s", "500ms" to milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(String(text).trim());
  if (!match) throw new RelayUsageError(`${flag} must be a duration such as 7d, 12h, 30m or 90s, got ${JSON.stringify(text)}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "ms" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
