// Tenants: one Gong customer company each, with its base URL, its credentials (encrypted, see secrets.ts) and
// its limits. Pacing is derived here once, when a tenant is written: at most `burst` calls in any `window_ms`,
// at least `interval_ms` apart, at most `day_cap` per UTC day, after leaving the `reserve` share to the
// customer's other integrations. Nothing returned from here carries a credential.
import type { GongAuth } from "@gong-engage/client";
import { checkBaseUrl as checkSpecBaseUrl } from "@gong-engage/spec-model/runtime";
import type { Pool, PoolClient } from "pg";
import { RelayUsageError, UnknownTenantError } from "./errors.js";
import { checkGrant, grantInfo, type OAuthGrantInfo, type OAuthGrantInput, writeGrant } from "./oauth.js";
import { encryptCredentials } from "./secrets.js";

export interface TenantLimits {
  /** Calls per second Gong allows this customer. @default the spec's x-gong-rate-limits.perSecond (3) */
  perSecond?: number;
  /** Calls per UTC day Gong allows this customer. @default the spec's x-gong-rate-limits.perDay (10,000) */
  perDay?: number;
  /** Share of both limits left for the customer's other Gong integrations, 0 to below 1. @default 0 */
  reserve?: number;
}

export interface TenantInput extends TenantLimits {
  /** Your name for the customer: letters, digits, `.`, `_`, `-`, `:` (at most 100). */
  id: string;
  /** The customer's Gong API base URL. With an OAuth grant: optional, the grant's baseUrl (api_base_url_for_customer) wins. */
  baseUrl?: string;
  /**
   * { accessKey, accessKeySecret }, { bearerToken } (a fixed token), or { oauth: grant }: a renewing OAuth grant
   * (tokens as GongTokens.toStorable() gives them, optionally the tenant's own clientId / clientSecret). Stored encrypted.
   */
  auth: TenantAuth;
}

export type TenantAuth = GongAuth | { oauth: OAuthGrantInput };

export type TenantChanges = Partial<Omit<TenantInput, "id">>;

/** A tenant as the relay reports it: never its credentials. */
export interface TenantInfo {
  id: string;
  baseUrl: string;
  authKind: "basic" | "bearer" | "oauth";
  /** OAuth tenants: the grant's expiry, last refresh, generation and app (never a token). */
  oauth?: OAuthGrantInfo;
  perSecond: number;
  perDay: number;
  reserve: number;
  paused: boolean;
  pausedReason: string | null;
}

export class Tenants {
  constructor(
    private readonly pool: Pool,
    private readonly defaults: () => { perSecond: number; perDay: number },
    private readonly secretKey: () => Buffer,
  ) {}

  async add(input: TenantInput): Promise<TenantInfo> {
    checkId(input?.id);
    const limits = this.limits(input);
    const { auth, grant, baseUrl } = this.checkAuthAndUrl(input.auth, input.baseUrl, undefined);
    const blob = auth && encryptCredentials(this.secretKey(), input.id, auth);
    await this.transaction(async (db) => {
      const result = await db.query(
        `insert into gong_relay.tenant (id, base_url, auth_kind, credentials, per_second, per_day, reserve, burst, interval_ms, window_ms, day_cap)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing returning id`,
        [input.id, baseUrl, auth ? authKind(auth) : "oauth", blob ?? null, ...pacingColumns(limits)],
      );
      if (result.rowCount === 0) throw new RelayUsageError(`tenant ${JSON.stringify(input.id)} exists already: use \`gong-relay tenant update\``);
      if (grant) await writeGrant(db, this.secretKey(), input.id, grant, baseUrl);
    });
    return this.get(input.id);
  }

  // Keys or a grant; the base URL from the grant, else the one given, else (update) the current one.
  private checkAuthAndUrl(given: unknown, baseUrlGiven: string | undefined, current: string | undefined) {
    const isGrant = !!given && typeof given === "object" && "oauth" in given;
    const grant = isGrant ? checkGrant((given as { oauth: unknown }).oauth, checkBaseUrl) : undefined;
    const auth = given === undefined || isGrant ? undefined : checkAuth(given);
    const url = grant?.baseUrl ?? (baseUrlGiven === undefined ? current : checkBaseUrl(baseUrlGiven));
    if (url === undefined) {
      throw new RelayUsageError(
        grant
          ? "baseUrl: the OAuth tokens carry no baseUrl (api_base_url_for_customer): give --base-url"
          : "baseUrl is required (the customer's Gong API base URL)",
      );
    }
    return { auth, grant, baseUrl: url };
  }

  private async transaction(work: (db: PoolClient) => Promise<void>): Promise<void> {
    const db = await this.pool.connect();
    try {
      await db.query("begin");
      await work(db);
      await db.query("commit");
    } catch (error) {
      await db.query("rollback").catch(() => {});
      throw error;
    } finally {
      db.release();
    }
  }

  async update(id: string, changes: TenantChanges): Promise<TenantInfo> {
    const current = await this.get(id);
    const limits = this.limits({ perSecond: current.perSecond, perDay: current.perDay, reserve: current.reserve, ...definedOnly(changes) });
    const { auth, grant, baseUrl } = this.checkAuthAndUrl(changes.auth, changes.baseUrl, current.baseUrl);
    await this.transaction(async (db) => {
      // New keys drop a grant; a new grant (after the customer authorized the app again) replaces the keys.
      const kind = auth ? authKind(auth) : grant ? "oauth" : null;
      if (grant) await db.query("update gong_relay.tenant set auth_kind = 'oauth', credentials = null where id = $1", [id]);
      await db.query(
        `update gong_relay.tenant set base_url = $2, per_second = $3, per_day = $4, reserve = $5, burst = $6, interval_ms = $7,
           window_ms = $8, day_cap = $9, updated_at = clock_timestamp(),
           auth_kind = coalesce($10, auth_kind), credentials = case when $10 = 'oauth' then null else coalesce($11, credentials) end
         where id = $1`,
        [id, baseUrl, ...pacingColumns(limits), kind, auth ? encryptCredentials(this.secretKey(), id, auth) : null],
      );
      if (grant) await writeGrant(db, this.secretKey(), id, grant, baseUrl);
      // An OAuth tenant's sends go to its grant's base URL: a new one given here applies there too (the next
      // token answer that names one still wins, as Gong's word).
      else if (!auth && changes.baseUrl !== undefined) {
        await db.query("update gong_relay.oauth_grant set base_url = $2, updated_at = clock_timestamp() where tenant = $1", [id, baseUrl]);
      }
      if (auth) await db.query("delete from gong_relay.oauth_grant where tenant = $1", [id]);
    });
    await this.pool.query("select pg_notify('gong_relay', $1)", [id]);
    return this.get(id);
  }

  async pause(id: string, reason = "paused by an operator"): Promise<TenantInfo> {
    await this.setPaused(id, true, reason);
    return this.get(id);
  }

  async resume(id: string): Promise<TenantInfo> {
    await this.setPaused(id, false, null);
    await this.pool.query("select pg_notify('gong_relay', $1)", [id]);
    return this.get(id);
  }

  async list(): Promise<TenantInfo[]> {
    const { rows } = await this.pool.query(`${SELECT_INFO} order by id`);
    return this.withGrants(rows.map(toInfo));
  }

  async get(id: string): Promise<TenantInfo> {
    const { rows } = await this.pool.query(`${SELECT_INFO} where id = $1`, [id]);
    if (!rows[0]) throw new UnknownTenantError([id]);
    return (await this.withGrants([toInfo(rows[0])]))[0]!;
  }

  private async withGrants(infos: TenantInfo[]): Promise<TenantInfo[]> {
    const oauth = infos.filter((t) => t.authKind === "oauth").map((t) => t.id);
    if (!oauth.length) return infos;
    const grants = await grantInfo(this.pool, oauth);
    return infos.map((t) => (grants.has(t.id) ? { ...t, oauth: grants.get(t.id)! } : t));
  }

  private async setPaused(id: string, paused: boolean, reason: string | null): Promise<void> {
    const result = await this.pool.query("update gong_relay.tenant set paused = $2, paused_reason = $3 where id = $1", [id, paused, reason]);
    if (result.rowCount === 0) throw new UnknownTenantError([id]);
  }

  private limits(input: TenantLimits): Required<TenantLimits> {
    const perSecond = input.perSecond ?? this.defaults().perSecond;
    const perDay = input.perDay ?? this.defaults().perDay;
    const reserve = input.reserve ?? 0;
    if (typeof perSecond !== "number" || !(perSecond > 0) || !Number.isFinite(perSecond)) {
      throw new RelayUsageError(`perSecond must be a positive number of calls per second, got ${JSON.stringify(perSecond)}`);
    }
    if (!Number.isInteger(perDay) || perDay <= 0) {
      throw new RelayUsageError(`perDay must be a positive whole number of calls per UTC day, got ${JSON.stringify(perDay)}`);
    }
    if (typeof reserve !== "number" || !(reserve >= 0 && reserve < 1)) {
      throw new RelayUsageError(
        `reserve must be a share from 0 to below 1 (0.2 leaves a fifth of the limits to other integrations), got ${JSON.stringify(reserve)}`,
      );
    }
    return { perSecond, perDay, reserve };
  }
}

const SELECT_INFO = "select id, base_url, auth_kind, per_second, per_day, reserve, paused, paused_reason from gong_relay.tenant";

// biome-ignore lint/suspicious/noExplicitAny: a row of SELECT_INFO, as pg returns it (columns typed by the migration).
function toInfo(row: Record<string, any>): TenantInfo {
  return {
    id: row.id,
    baseUrl: row.base_url,
    authKind: row.auth_kind,
    perSecond: row.per_second,
    perDay: row.per_day,
    reserve: row.reserve,
    paused: row.paused,
    pausedReason: row.paused_reason,
  };
}

/** per_second, per_day, reserve, burst, interval_ms, window_ms, day_cap */
export function pacingColumns({ perSecond, perDay, reserve }: Required<TenantLimits>): [number, number, number, number, number, number, number] {
  const share = 1 - reserve;
  const burst = Math.max(1, Math.ceil(perSecond));
  const intervalMs = 1000 / (perSecond * share);
  const windowMs = burst * intervalMs;
  const dayCap = Math.max(1, Math.floor(perDay * share));
  return [perSecond, perDay, reserve, burst, intervalMs, windowMs, dayCap];
}

function checkId(id: unknown): asserts id is string {
  if (typeof id !== "string" || !/^[A-Za-z0-9._:-]{1,100}$/.test(id)) {
    throw new RelayUsageError(`a tenant id must be 1 to 100 letters, digits, '.', '_', '-' or ':', got ${JSON.stringify(id)}`);
  }
}

/** The one base-URL check (spec-model's), as a usage error of the relay. */
function checkBaseUrl(value: unknown): string {
  try {
    return checkSpecBaseUrl(String(value), "baseUrl", { credentialsHint: "give them as the access key / bearer token" });
  } catch (error) {
    throw new RelayUsageError((error as Error).message.replace(/\.$/, ""));
  }
}

function checkAuth(auth: unknown): GongAuth {
  const a = (auth ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => typeof v === "string" && v.trim() !== "" && !/[\r\n]/.test(v);
  if ("bearerToken" in a) {
    if (!text(a.bearerToken)) throw new RelayUsageError("the bearer token must be a non-empty single line");
    return { bearerToken: a.bearerToken as string };
  }
  if (!text(a.accessKey) || !text(a.accessKeySecret)) {
    throw new RelayUsageError("credentials: give an access key and its secret (--access-key, --access-key-secret) or a bearer token (--bearer-token)");
  }
  if ((a.accessKey as string).includes(":")) throw new RelayUsageError("the access key must not contain ':'");
  return { accessKey: a.accessKey as string, accessKeySecret: a.accessKeySecret as string };
}

function authKind(auth: GongAuth): "basic" | "bearer" {
  return "bearerToken" in auth ? "bearer" : "basic";
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
