// Tenants on OAuth: a tenant may hold an OAuth grant (access token, single-use refresh token, expiry, the customer's
// base URL, optionally its own OAuth app) instead of keys, stored encrypted in gong_relay.oauth_grant
// (migrations/0002_oauth.sql). Each worker gives the tenant's client a token source (the client's GongTokenSource:
// it asks for the token before a send, and after a 401 asks once for a renewed one and resends the same event).
// Renewals go through the database, serialized per tenant across every worker:
//   begin; select ... from oauth_grant where tenant = $1 for update      -- the row lock: one refresh at a time
//   re-read the grant: if another worker renewed it meanwhile, use its token (no call to Gong)
//   else refresh at Gong (the client's createOAuthApp), then store the new tokens, generation + 1  -- the old
//   refresh token is spent in the same transaction that stores the new one; commit
// Gong refusing the refresh token (invalid_grant, GongAuthorizationRequiredError) marks the grant refused and
// pauses the tenant with "authorization needed" in that transaction; its events stay queued.
// Known limit: a worker that dies (or loses the database) after Gong answered a refresh and before the commit
// loses the new refresh token, and Gong has spent the old one: the tenant is then paused with "authorization
// needed" at its next refresh. Single-use refresh tokens leave no way around that.
import { createOAuthApp, type GongAccess, GongAuthorizationRequiredError, type GongOAuthApp, type GongTokenSource } from "@gong-engage/client";
import type { Pool, PoolClient } from "pg";
import { RelayUsageError } from "./errors.js";
import { RenewedAfterRejection } from "./outcome.js";
import { decryptJson, encryptJson, grantAad } from "./secrets.js";

/** The relay-wide OAuth app (its client id and secret), used for tenants that do not store an app of their own. */
export interface OAuthAppConfig {
  clientId: string;
  clientSecret: string;
  /** Gong's token endpoint. @default the spec's oauth2 tokenUrl (https://app.gong.io/oauth2/generate-customer-token) */
  tokenUrl?: string | undefined;
}

export const OAUTH_ENV = { clientId: "GONG_OAUTH_CLIENT_ID", clientSecret: "GONG_OAUTH_CLIENT_SECRET", tokenUrl: "GONG_OAUTH_TOKEN_URL" } as const;

/** The relay's app from the environment (GONG_OAUTH_CLIENT_ID, GONG_OAUTH_CLIENT_SECRET, GONG_OAUTH_TOKEN_URL), if set. */
export function oauthAppFromEnv(env: NodeJS.ProcessEnv = process.env): OAuthAppConfig | undefined {
  const clientId = env[OAUTH_ENV.clientId];
  const clientSecret = env[OAUTH_ENV.clientSecret];
  if (!clientId && !clientSecret) return undefined;
  return { clientId: clientId ?? "", clientSecret: clientSecret ?? "", tokenUrl: env[OAUTH_ENV.tokenUrl] || undefined };
}

/**
 * A grant as given to `tenant add --oauth` (what the client's `GongTokens.toStorable()` gives, JSON), with the
 * tenant's own OAuth app optionally.
 */
export interface OAuthGrantInput {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, epoch milliseconds (or an ISO 8601 time). Without it only a 401 renews. */
  expiresAt?: number | string | undefined;
  /** The customer's API base URL (api_base_url_for_customer). */
  baseUrl?: string | undefined;
  scope?: string | undefined;
  /** This tenant's own OAuth app; without it the relay's (GONG_OAUTH_CLIENT_ID / _SECRET, or createRelay's oauthApp). */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

interface GrantSecrets {
  accessToken: string;
  refreshToken: string;
  clientId?: string;
  clientSecret?: string;
}

/** What status and tenant list show of a grant: never a token. */
export interface OAuthGrantInfo {
  expiresAt: string | null;
  refreshedAt: string | null;
  /** 1 for the tokens given at `tenant add`, +1 per refresh. */
  generation: number;
  /** "tenant": the tenant stores its own OAuth app; "relay": the relay's is used. */
  app: "tenant" | "relay";
  scope: string;
  /** Gong refused its refresh token: the customer must authorize the app again. */
  authorizationNeeded: boolean;
}

export const AUTHORIZATION_NEEDED = "authorization needed";

const oneLine = (v: unknown) => typeof v === "string" && v.trim() !== "" && !/[\r\n]/.test(v);

/** Checks a grant input; the messages name the field, never its value. */
export function checkGrant(input: unknown, checkUrl: (value: unknown) => string): OAuthGrantInput & { expiresAtMs: number | undefined } {
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    throw new RelayUsageError("the OAuth tokens must be a JSON object { accessToken, refreshToken, expiresAt, baseUrl } (GongTokens.toStorable())");
  }
  const g = input as Record<string, unknown>;
  for (const name of ["accessToken", "refreshToken"]) {
    if (!oneLine(g[name])) throw new RelayUsageError(`OAuth tokens: ${name} must be a non-empty single line`);
  }
  let expiresAtMs: number | undefined;
  if (g.expiresAt !== undefined && g.expiresAt !== null) {
    expiresAtMs = typeof g.expiresAt === "number" ? g.expiresAt : typeof g.expiresAt === "string" ? Date.parse(g.expiresAt) : Number.NaN;
    if (!Number.isFinite(expiresAtMs)) throw new RelayUsageError("OAuth tokens: expiresAt must be epoch milliseconds or an ISO 8601 time");
  }
  if (g.scope !== undefined && typeof g.scope !== "string") throw new RelayUsageError("OAuth tokens: scope must be a string (space separated)");
  if ((g.clientId === undefined) !== (g.clientSecret === undefined)) {
    throw new RelayUsageError("OAuth tokens: give the tenant's own OAuth app as both clientId and clientSecret, or neither (the relay's app is used)");
  }
  if (g.clientId !== undefined && (!oneLine(g.clientId) || !oneLine(g.clientSecret) || String(g.clientId).includes(":"))) {
    throw new RelayUsageError("OAuth tokens: clientId and clientSecret must be non-empty single lines (clientId without ':')");
  }
  return {
    accessToken: g.accessToken as string,
    refreshToken: g.refreshToken as string,
    expiresAtMs,
    baseUrl: g.baseUrl === undefined || g.baseUrl === null ? undefined : checkUrl(g.baseUrl),
    scope: (g.scope as string | undefined) ?? "",
    clientId: g.clientId as string | undefined,
    clientSecret: g.clientSecret as string | undefined,
  };
}

/** Stores (or replaces) a tenant's grant, through `db` (the caller's transaction). */
export async function writeGrant(
  db: Pick<PoolClient, "query">,
  key: Buffer,
  tenant: string,
  grant: ReturnType<typeof checkGrant>,
  baseUrl: string,
): Promise<void> {
  const secrets: GrantSecrets = { accessToken: grant.accessToken, refreshToken: grant.refreshToken };
  if (grant.clientId) Object.assign(secrets, { clientId: grant.clientId, clientSecret: grant.clientSecret });
  await db.query(
    `insert into gong_relay.oauth_grant (tenant, secrets, own_app, expires_at, base_url, scope)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant) do update set secrets = excluded.secrets, own_app = excluded.own_app, expires_at = excluded.expires_at,
       base_url = excluded.base_url, scope = excluded.scope, generation = 1, refreshed_at = null, refreshed_by = null,
       refused_at = null, updated_at = clock_timestamp()`,
    [
      tenant,
      encryptJson(key, grantAad(tenant), secrets),
      !!grant.clientId,
      grant.expiresAtMs === undefined ? null : new Date(grant.expiresAtMs),
      baseUrl,
      grant.scope ?? "",
    ],
  );
}

export async function grantInfo(pool: Pool, tenants: string[]): Promise<Map<string, OAuthGrantInfo>> {
  const { rows } = await pool.query(
    "select tenant, expires_at, refreshed_at, generation, own_app, scope, refused_at from gong_relay.oauth_grant where tenant = any($1::text[])",
    [tenants],
  );
  return new Map(
    rows.map((r) => [
      r.tenant as string,
      {
        expiresAt: r.expires_at ? (r.expires_at as Date).toISOString() : null,
        refreshedAt: r.refreshed_at ? (r.refreshed_at as Date).toISOString() : null,
        generation: r.generation as number,
        app: r.own_app ? "tenant" : "relay",
        scope: r.scope as string,
        authorizationNeeded: r.refused_at !== null,
      },
    ]),
  );
}

/** A renewal failed with no refusal by Gong (the token endpoint is down, no app is configured, ...). */
export class GrantUnavailableError extends Error {
  override readonly name = "GrantUnavailableError";
}

/** Refused for good: the customer must authorize the app again. `code` is what the client reads as a refusal. */
export class AuthorizationNeededError extends Error {
  override readonly name = "AuthorizationNeededError";
  readonly code = "AUTHORIZATION_REQUIRED";
}

interface Cached extends GongAccess {
  generation: number;
  expiresAt: number | undefined;
  lifetimeMs: number | undefined;
}

export interface GrantSourceOptions {
  pool: Pool;
  tenant: string;
  secretKey: () => Buffer;
  /** The relay's app, for tenants without one of their own. */
  relayApp: OAuthAppConfig | undefined;
  workerId: string;
  timeoutMs: number;
  /** Renew this long before expiry, never more than half the token's lifetime. @default 300000 */
  marginMs?: number;
}

/** The token source of one tenant in one worker: the grant in the database, renewed under its row lock. */
export class GrantTokenSource implements GongTokenSource {
  private cached: Cached | undefined;
  private inflight: Promise<GongAccess> | undefined;
  private app: GongOAuthApp | undefined;
  /** Refreshes this source made at Gong (for the worker's log). */
  refreshes = 0;

  constructor(private readonly options: GrantSourceOptions) {}

  async access(): Promise<GongAccess> {
    const c = this.cached;
    if (c && !this.expiresSoon(c.expiresAt, c.lifetimeMs)) return { accessToken: c.accessToken, baseUrl: c.baseUrl };
    return this.renew(undefined);
  }

  async renewAfterRejection(rejectedAccessToken: string): Promise<GongAccess> {
    return this.renew(rejectedAccessToken);
  }

  private expiresSoon(expiresAt: number | undefined, lifetimeMs: number | undefined): boolean {
    if (expiresAt === undefined) return false;
    const margin = Math.min(this.options.marginMs ?? 300_000, (lifetimeMs ?? Number.POSITIVE_INFINITY) / 2);
    return Date.now() >= expiresAt - margin;
  }

  // One renewal at a time in this process (lanes of one worker share it); the row lock does it across workers.
  private renew(rejected: string | undefined): Promise<GongAccess> {
    this.inflight ??= this.renewLocked(rejected).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renewLocked(rejected: string | undefined): Promise<GongAccess> {
    const { pool, tenant, secretKey } = this.options;
    const db = await pool.connect();
    try {
      await db.query("begin");
      // Waits while another worker refreshes; past the token request's own timeout something is wrong.
      await db.query(`set local lock_timeout = '${Math.ceil(this.options.timeoutMs + 15_000)}ms'`);
      const { rows } = await db.query(
        `select secrets, own_app, expires_at, base_url, generation, refused_at, refreshed_at, updated_at
           from gong_relay.oauth_grant where tenant = $1 for update`,
        [tenant],
      );
      const row = rows[0];
      if (!row)
        throw new AuthorizationNeededError(
          `${AUTHORIZATION_NEEDED}: tenant ${tenant} has no OAuth grant stored (gong-relay tenant update ${tenant} --oauth ...)`,
        );
      if (row.refused_at)
        throw new AuthorizationNeededError(
          `${AUTHORIZATION_NEEDED}: Gong refused the tenant's refresh token (invalid_grant); the customer must authorize the app again`,
        );
      const secrets = decryptJson(secretKey(), grantAad(tenant), row.secrets) as GrantSecrets;
      const expiresAt = row.expires_at ? (row.expires_at as Date).getTime() : undefined;
      // The lifetime the stored token was given (from its refresh, or its storing), for the renewal margin.
      const since = ((row.refreshed_at ?? row.updated_at) as Date).getTime();
      const lifetimeMs = expiresAt === undefined ? undefined : Math.max(0, expiresAt - since);
      const stored: Cached = { accessToken: secrets.accessToken, baseUrl: row.base_url, generation: row.generation, expiresAt, lifetimeMs };
      // Re-read under the lock: another worker (or lane) may have renewed it while this one waited.
      const needed = rejected === undefined ? this.expiresSoon(expiresAt, lifetimeMs) : secrets.accessToken === rejected;
      if (!needed) {
        await db.query("commit");
        this.cached = stored;
        return { accessToken: stored.accessToken, baseUrl: stored.baseUrl };
      }
      const app = this.appFor(secrets);
      let next: Awaited<ReturnType<GongOAuthApp["refresh"]>>;
      try {
        next = await app.refresh({ accessToken: secrets.accessToken, refreshToken: secrets.refreshToken, baseUrl: row.base_url });
      } catch (error) {
        if (error instanceof GongAuthorizationRequiredError) {
          const reason = `${AUTHORIZATION_NEEDED}: ${error.message}`;
          await db.query("update gong_relay.oauth_grant set refused_at = clock_timestamp(), updated_at = clock_timestamp() where tenant = $1", [tenant]);
          await db.query("update gong_relay.tenant set paused = true, paused_reason = $2 where id = $1", [tenant, reason]);
          await db.query("commit");
          throw new AuthorizationNeededError(reason);
        }
        throw new GrantUnavailableError(`the OAuth token of tenant ${tenant} could not be renewed: ${(error as Error).message}`);
      }
      const keep: GrantSecrets = { ...secrets, accessToken: next.accessToken, refreshToken: next.refreshToken };
      const baseUrl = next.baseUrl ?? row.base_url;
      // The new refresh token replaces the spent one in the same transaction (generation + 1).
      await db.query(
        `update gong_relay.oauth_grant set secrets = $2, expires_at = $3, base_url = $4, scope = coalesce(nullif($5, ''), scope),
           generation = generation + 1, refreshed_at = clock_timestamp(), refreshed_by = $6, updated_at = clock_timestamp()
         where tenant = $1`,
        [
          tenant,
          encryptJson(secretKey(), grantAad(tenant), keep),
          next.expiresAt === undefined ? null : new Date(next.expiresAt),
          baseUrl,
          next.scope,
          this.options.workerId,
        ],
      );
      if (baseUrl !== row.base_url) await db.query("update gong_relay.tenant set base_url = $2 where id = $1", [tenant, baseUrl]);
      await db.query("commit");
      this.refreshes++;
      this.cached = {
        accessToken: next.accessToken,
        baseUrl,
        generation: row.generation + 1,
        expiresAt: next.expiresAt,
        lifetimeMs: next.expiresIn === undefined ? undefined : next.expiresIn * 1000,
      };
      return { accessToken: next.accessToken, baseUrl };
    } catch (error) {
      await db.query("rollback").catch(() => {});
      throw error;
    } finally {
      db.release();
    }
  }

  private appFor(secrets: GrantSecrets): GongOAuthApp {
    if (secrets.clientId && secrets.clientSecret) {
      return createOAuthApp({
        clientId: secrets.clientId,
        clientSecret: secrets.clientSecret,
        tokenUrl: this.options.relayApp?.tokenUrl,
        redirectUri: REFRESH_ONLY_REDIRECT,
        timeoutMs: this.options.timeoutMs,
      });
    }
    const config = this.options.relayApp;
    if (!config?.clientId || !config.clientSecret) {
      throw new AuthorizationNeededError(
        `no OAuth app to renew the token with: set ${OAUTH_ENV.clientId} and ${OAUTH_ENV.clientSecret} for gong-relay run, or store the tenant's own app (clientId, clientSecret in its tokens file)`,
      );
    }
    this.app ??= createOAuthApp({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      tokenUrl: config.tokenUrl,
      redirectUri: REFRESH_ONLY_REDIRECT,
      timeoutMs: this.options.timeoutMs,
    });
    return this.app;
  }
}

// createOAuthApp takes the app's redirect URI for exchangeCode; the relay only refreshes, which never sends it.
const REFRESH_ONLY_REDIRECT = "https://localhost/gong-relay-refreshes-only";

/**
 * The grant's token source, for the client of a relay: after Gong's 401 it renews the token (under the grant's
 * lock) and then ends the call instead of handing the client a token to resend with at once. A claim is one paced
 * call; the resend takes the next one (RenewedAfterRejection: back to the queue, counted as one attempt).
 */
export function resendInOwnTurn(source: GongTokenSource): GongTokenSource {
  return {
    access: () => source.access(),
    async renewAfterRejection(rejected) {
      await source.renewAfterRejection(rejected);
      throw new RenewedAfterRejection();
    },
  };
}
