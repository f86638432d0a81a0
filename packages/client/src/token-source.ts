// Renewing OAuth auth for createEngagementClient: instead of a fixed `{ bearerToken }`, the client asks a token
// source for the access token and the customer's base URL before each request. The source renews the tokens a
// margin ahead of their expiry, and again when Gong refuses a token (401; the client then resends the same
// event once). Refresh tokens are single-use, so:
//   - one refresh at a time (single flight): concurrent calls wait for the same refresh;
//   - the app's `onTokens` is awaited with the new tokens BEFORE the new access token is used, so the new
//     refresh token is stored first; if storing fails, the new tokens are kept in memory unused and offered to
//     `onTokens` again on the next call (the old refresh token is spent: refreshing again would fail);
//   - a refusal (`invalid_grant`) is final: every later call fails at once with "authorize again".
import { fitsInHeader } from "./auth.js";
import { GongApiError } from "./errors.js";
// Types, and the stored base URL's check (a small function of the OAuth helper's module).
import { type GongOAuthApp, type GongOAuthError, type GongTokenSet, type GongTokens, storedBaseUrlOf } from "./oauth.js";

/** What the client sends with: the access token and the customer's base URL (undefined when not known). */
export interface GongAccess {
  accessToken: string;
  baseUrl: string | undefined;
}

/**
 * What createEngagementClient accepts as `auth` besides fixed credentials. `createRenewingAuth` makes one from an
 * OAuth app; any object with these two methods will do (e.g. one that takes tokens from a shared store).
 */
export interface GongTokenSource {
  /** The access to send a request with now (renewed first when it expires within the margin). */
  access(options?: { signal?: AbortSignal | undefined }): Promise<GongAccess>;
  /** Gong refused `rejectedAccessToken` (401): renew unless that already happened; resolves with the access to resend with. */
  renewAfterRejection(rejectedAccessToken: string, options?: { signal?: AbortSignal | undefined }): Promise<GongAccess>;
}

export interface RenewingAuthOptions {
  /** The installation's tokens: from `exchangeCode`, or as stored (`tokens.toStorable()`). */
  tokens: GongTokenSet;
  /** What renews them: an app from `createOAuthApp` (only its `refresh` is used). */
  app: Pick<GongOAuthApp, "refresh">;
  /**
   * Awaited with the new tokens after every refresh, before the new access token is used: store them (the new
   * refresh token is the only one that works now). If it throws, the calls waiting for the refresh fail and the
   * next call offers the same new tokens again.
   */
  onTokens: (tokens: GongTokens) => void | Promise<void>;
  /**
   * Renew this long before `expiresAt`, in ms; never more than half the token's lifetime (so that a short-lived
   * token is not renewed on every call). @default 300000 (5 minutes)
   */
  refreshMarginMs?: number;
  /** The clock, in epoch ms (for tests). @default Date.now */
  now?: () => number;
}

export interface RenewingAuth extends GongTokenSource {
  /** How many refreshes this source has completed. */
  readonly refreshes: number;
}

const DEFAULT_MARGIN_MS = 5 * 60_000;

export function createRenewingAuth(options: RenewingAuthOptions): RenewingAuth {
  if (!options || typeof options !== "object") throw new TypeError("createRenewingAuth: options are required: { tokens, app, onTokens }.");
  const { app, onTokens } = options;
  if (typeof app?.refresh !== "function") throw new TypeError("createRenewingAuth: `app` must be an OAuth app from createOAuthApp (with a refresh method).");
  if (typeof onTokens !== "function") {
    throw new TypeError("createRenewingAuth: `onTokens` is required: a function that stores the new tokens (refresh tokens are single-use).");
  }
  const storedBaseUrl = checkTokenSet(options.tokens);
  const marginMs = options.refreshMarginMs ?? DEFAULT_MARGIN_MS;
  if (!Number.isFinite(marginMs) || marginMs < 0) {
    throw new TypeError(`createRenewingAuth: \`refreshMarginMs\` must be a non-negative number of milliseconds, got ${String(marginMs)}.`);
  }
  const now = options.now ?? Date.now;

  // A stored null or "" base URL (a nullable column) is "not known": the client's `baseUrl` is used then.
  let current: GongTokenSet = options.tokens.baseUrl === storedBaseUrl ? options.tokens : withBaseUrl(options.tokens, storedBaseUrl);
  let lifetimeMs = "expiresIn" in options.tokens && typeof options.tokens.expiresIn === "number" ? options.tokens.expiresIn * 1000 : undefined;
  let unstored: GongTokens | undefined;
  let inflight: Promise<GongAccess> | undefined;
  let refusal: GongOAuthError | undefined;
  // The token endpoint said to wait (a 429's Retry-After): no refresh is asked for before then.
  let coolUntil = 0;
  let cooling: unknown;
  // The access token Gong last refused (401): never handed out again as "still good".
  let rejected: string | undefined;
  let refreshes = 0;

  const accessOf = (tokens: GongTokenSet): GongAccess => ({ accessToken: tokens.accessToken, baseUrl: tokens.baseUrl });
  const expiresSoon = () => {
    if (current.expiresAt === undefined) return false;
    const margin = lifetimeMs === undefined ? marginMs : Math.min(marginMs, lifetimeMs / 2);
    return now() >= current.expiresAt - margin;
  };

  async function refreshAndStore(): Promise<GongAccess> {
    let next = unstored;
    if (!next) {
      try {
        next = await app.refresh(current);
      } catch (error) {
        if (isRefusal(error)) refusal = error;
        const retryAfter = (error as { retryAfter?: unknown } | null)?.retryAfter;
        if (typeof retryAfter === "number" && retryAfter > 0) [coolUntil, cooling] = [now() + retryAfter * 1000, error];
        throw error;
      }
      unstored = next;
      refreshes++;
    }
    try {
      await onTokens(next);
    } catch (cause) {
      throw new TokenStoreError(cause);
    }
    current = next;
    lifetimeMs = next.expiresIn === undefined ? lifetimeMs : next.expiresIn * 1000;
    unstored = undefined;
    return accessOf(current);
  }

  function renew(signal: AbortSignal | undefined): Promise<GongAccess> {
    if (!inflight && !unstored && now() < coolUntil) return Promise.reject(cooling);
    inflight ??= refreshAndStore().finally(() => (inflight = undefined));
    // The refresh is shared: one caller's abort stops its own wait, not the refresh.
    return signal ? untilAborted(inflight, signal) : inflight;
  }

  return {
    get refreshes() {
      return refreshes;
    },
    async access({ signal } = {}) {
      if (refusal) throw refusal;
      if (!(inflight || unstored || expiresSoon() || current.accessToken === rejected)) return accessOf(current);
      try {
        return await renew(signal);
      } catch (error) {
        // Renewing ahead of expiry failed for now (the endpoint down, or asking to wait): the current token still
        // works until it expires. A refusal, a failed store and the caller's abort are not "for now".
        const transient = (error as { retryable?: unknown } | null)?.retryable === true;
        const stillGood = current.expiresAt !== undefined && now() < current.expiresAt && current.accessToken !== rejected;
        if (transient && !signal?.aborted && !unstored && stillGood) return accessOf(current);
        throw error;
      }
    },
    async renewAfterRejection(rejectedAccessToken, { signal } = {}) {
      if (refusal) throw refusal;
      if (current.accessToken === rejectedAccessToken) rejected = rejectedAccessToken;
      if (inflight || unstored || current.accessToken === rejectedAccessToken) return renew(signal);
      return accessOf(current); // another call renewed it meanwhile
    },
  };
}

/** The app's `onTokens` failed: the new tokens were not used (the next call offers them again). */
export class TokenStoreError extends Error {
  override readonly name = "TokenStoreError";
  constructor(cause: unknown) {
    // The app's own error is the cause; its message is the app's (it should not carry the tokens it was given).
    super(
      `onTokens failed to store the renewed tokens, so they were not used; the next call offers them again: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

export function isTokenSource(auth: unknown): auth is GongTokenSource {
  return !!auth && typeof (auth as GongTokenSource).access === "function" && typeof (auth as GongTokenSource).renewAfterRejection === "function";
}

/**
 * For the client: the access for one attempt, as the request options openapi-fetch takes (`baseUrl`, `headers`).
 * `rejected`: the access token Gong just refused with 401 on this call. A failure becomes a GongApiError
 * (AUTHORIZATION_REQUIRED or TOKEN_UNAVAILABLE, the OAuth error as its cause): nothing was sent with it.
 */
export async function accessForAttempt(
  source: GongTokenSource,
  call: {
    operationId: string;
    baseUrl: string | undefined;
    signal: AbortSignal | undefined;
    rejected: string | undefined;
    attempts: number;
    mayHaveLanded: boolean;
  },
): Promise<{ accessToken: string; request: { baseUrl: string; headers: { Authorization: string } } }> {
  let access: GongAccess;
  try {
    access =
      call.rejected === undefined ? await source.access({ signal: call.signal }) : await source.renewAfterRejection(call.rejected, { signal: call.signal });
    if (!access || typeof access.accessToken !== "string" || access.accessToken.trim() === "" || !fitsInHeader(access.accessToken)) {
      throw new TypeError("the token source gave no usable access token (a non-empty string with no control characters, within Latin-1)");
    }
  } catch (error) {
    if (call.signal?.aborted) throw call.signal.reason;
    const refused = isRefusal(error);
    throw new GongApiError({
      code: refused ? "AUTHORIZATION_REQUIRED" : "TOKEN_UNAVAILABLE",
      operationId: call.operationId,
      errors: [error instanceof Error ? error.message : String(error)],
      attempts: call.attempts,
      mayHaveLanded: call.mayHaveLanded,
      cause: error,
    });
  }
  // The customer's own host; never a silent fallback to the generic api.gong.io (tokens work only on their host).
  const baseUrl = access.baseUrl ?? call.baseUrl;
  if (!baseUrl) {
    throw new GongApiError({
      code: "TOKEN_UNAVAILABLE",
      operationId: call.operationId,
      errors: [
        "no base URL: the tokens carry no api_base_url_for_customer and createEngagementClient got no `baseUrl`; store the customer's base URL with its tokens",
      ],
      attempts: call.attempts,
      mayHaveLanded: call.mayHaveLanded,
    });
  }
  return { accessToken: access.accessToken, request: { baseUrl, headers: { Authorization: `Bearer ${access.accessToken}` } } };
}

/**
 * openapi-fetch middleware for the client's `raw` with a token source: the current token on each request, the
 * customer's base URL in place of the placeholder `rawBase`, and a renewal after a 401 (no resend: `raw` is for
 * full control).
 */
export function tokenMiddleware(source: GongTokenSource, rawBase: string, fallbackBaseUrl: string | undefined) {
  return {
    async onRequest({ request }: { request: Request }): Promise<Request> {
      const access = await source.access({ signal: request.signal });
      const baseUrl = (access.baseUrl ?? fallbackBaseUrl)?.replace(/\/+$/, "");
      if (!baseUrl) throw new TypeError("raw: no base URL: the tokens carry no api_base_url_for_customer and createEngagementClient got no `baseUrl`.");
      const url = request.url.startsWith(rawBase) ? baseUrl + request.url.slice(rawBase.length) : request.url;
      const headers = new Headers(request.headers);
      headers.set("Authorization", `Bearer ${access.accessToken}`);
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      return new Request(url, { method: request.method, headers, body: body ?? null, signal: request.signal });
    },
    async onResponse({ request, response }: { request: Request; response: Response }): Promise<undefined> {
      const sent = request.headers.get("Authorization")?.replace(/^Bearer /, "");
      if (response.status === 401 && sent) await source.renewAfterRejection(sent).catch(() => {});
      return undefined;
    },
  };
}

/** The same tokens with another base URL (GongTokens keeps its secrets in private fields: no spreading). */
function withBaseUrl(tokens: GongTokenSet, baseUrl: string | undefined): GongTokenSet {
  const { accessToken, refreshToken, expiresAt, scope } = tokens;
  return { accessToken, refreshToken, expiresAt, scope, baseUrl };
}

/** Checks the stored tokens; returns their base URL, checked (undefined when not known). */
function checkTokenSet(tokens: GongTokenSet): string | undefined {
  if (!tokens || typeof tokens !== "object")
    throw new TypeError("createRenewingAuth: `tokens` is required: { accessToken, refreshToken, expiresAt?, baseUrl? }.");
  for (const name of ["accessToken", "refreshToken"] as const) {
    if (typeof tokens[name] !== "string" || tokens[name].trim() === "")
      throw new TypeError(`createRenewingAuth: \`tokens.${name}\` must be a non-empty string.`);
  }
  if (tokens.expiresAt !== undefined && !Number.isFinite(tokens.expiresAt)) {
    throw new TypeError("createRenewingAuth: `tokens.expiresAt` must be a time in epoch milliseconds (or absent).");
  }
  return storedBaseUrlOf(tokens.baseUrl, "createRenewingAuth: `tokens.baseUrl`");
}

/** `invalid_grant` from the OAuth helper (GongAuthorizationRequiredError), or any error coded the same way. */
function isRefusal(error: unknown): error is GongOAuthError {
  return error instanceof Error && (error as { code?: unknown }).code === "AUTHORIZATION_REQUIRED";
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
