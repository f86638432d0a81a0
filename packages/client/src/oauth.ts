// The OAuth side of a Gong partner app: the URL that sends a customer's technical admin to Gong's consent page,
// and the two grants at Gong's token endpoint (exchange the callback's code, refresh a token). What Gong says
// and what is our reading of working integrations is in the root README, "OAuth app":
//   - authorize: GET <authorizationUrl>?client_id&response_type=code&scope (space separated)&redirect_uri&state
//     (Gong's own example);
//   - token: POST <tokenUrl> with `Authorization: Basic base64(client_id:client_secret)` and the grant's
//     parameters in the query string, no body (the form Gong's guide is cited for; every working integration
//     sends the Basic header);
//   - answer: access_token, refresh_token (single-use: a new one on every refresh), expires_in (seconds),
//     scope, token_type, api_base_url_for_customer (the customer's own API host).
// The default URLs and scopes are the spec's oauth2 scheme (src/generated/oauth.ts). Credentials (the client
// secret, codes, tokens) never appear in a message, an error, or the JSON / string / inspected form of a result.
import { checkBaseUrl } from "@gong-engage/spec-model/runtime";
import { attemptSignal } from "./abort.js";
import { base64 } from "./auth.js";
import { oauth2Flow } from "./generated/oauth.js";

export interface OAuthAppOptions {
  /** The Client ID Gong shows for the integration (Admin center > Settings > Ecosystem > API > Integrations). */
  clientId: string;
  /** The integration's client secret. Sent only in the token endpoint's Basic header. */
  clientSecret: string;
  /** One of the Redirect URIs registered on the integration: where Gong sends the admin back with `code` and `state`. */
  redirectUri: string;
  /** Gong's authorization page. @default the spec's `authorizationUrl` (https://app.gong.io/oauth2/authorize) */
  authorizeUrl?: string;
  /** Gong's token endpoint. @default the spec's `tokenUrl` (https://app.gong.io/oauth2/generate-customer-token) */
  tokenUrl?: string;
  /** Per token request, in ms; 0 turns the timeout off. @default 30000 */
  timeoutMs?: number;
  /** A fetch to use instead of globalThis.fetch (tests, proxies, instrumentation); it gets a `Request`. */
  fetch?: (input: Request) => Promise<Response>;
}

export interface AuthorizeUrlParams {
  /** An unguessable value tied to the admin's session (e.g. crypto.randomUUID()); Gong returns it unchanged. */
  state: string;
  /** The scopes to ask for. @default every scope of the spec's oauth2 flow */
  scopes?: readonly string[];
}

/** An installation's tokens as an app stores them (what `tokens.toStorable()` gives and `refresh` takes). */
export interface GongTokenSet {
  accessToken: string;
  /** Single-use: after a refresh only the new one works. */
  refreshToken: string;
  /** When the access token expires, in epoch milliseconds; undefined when Gong did not say (no expires_in). */
  expiresAt?: number | undefined;
  /** The scopes granted, space separated as Gong sends them. */
  scope?: string | undefined;
  /** The customer's API base URL (`api_base_url_for_customer`), without a trailing slash. */
  baseUrl?: string | undefined;
}

export type OAuthGrant = "authorization_code" | "refresh_token";

/** A token endpoint's answer, read. Secrets are private fields: they show in no JSON, string or console form. */
export class GongTokens implements GongTokenSet {
  readonly #accessToken: string;
  readonly #refreshToken: string;
  /** When the access token expires, in epoch milliseconds (`receivedAt + expires_in * 1000`); undefined when not said. */
  readonly expiresAt: number | undefined;
  /** The access token's lifetime as Gong gave it (`expires_in`), in seconds. */
  readonly expiresIn: number | undefined;
  /** The scopes granted, space separated, as Gong sends them ("" when not said). */
  readonly scope: string;
  /** The same, as a list. */
  readonly scopes: readonly string[];
  /** The customer's API base URL (`api_base_url_for_customer`), checked, without a trailing slash. */
  readonly baseUrl: string | undefined;
  /** `token_type` as Gong sends it (its case is not documented: compare case-insensitively). */
  readonly tokenType: string | undefined;
  /**
   * Fields of Gong's answer that could not be read and were left out, each with its problem (e.g. an
   * `expires_in` that is not a number). The tokens are kept all the same: once Gong has answered a refresh, the
   * old refresh token is spent, and throwing the new ones away would leave the installation to re-authorize.
   */
  readonly ignored: readonly string[];

  constructor(init: GongTokenSet & { expiresIn?: number | undefined; tokenType?: string | undefined; ignored?: readonly string[] | undefined }) {
    this.#accessToken = init.accessToken;
    this.#refreshToken = init.refreshToken;
    this.expiresAt = init.expiresAt;
    this.expiresIn = init.expiresIn;
    this.scope = init.scope ?? "";
    this.scopes = this.scope.split(" ").filter(Boolean);
    this.baseUrl = init.baseUrl;
    this.tokenType = init.tokenType;
    this.ignored = init.ignored ?? [];
  }

  get accessToken(): string {
    return this.#accessToken;
  }

  get refreshToken(): string {
    return this.#refreshToken;
  }

  /** The plain object to store for the installation, secrets included: keep it where secrets belong. */
  toStorable(): GongTokenSet {
    return { accessToken: this.#accessToken, refreshToken: this.#refreshToken, expiresAt: this.expiresAt, scope: this.scope, baseUrl: this.baseUrl };
  }

  /** Redacted: logging a result never writes a token. Use `toStorable()` to persist it. */
  toJSON(): Record<string, unknown> {
    return {
      accessToken: "[redacted]",
      refreshToken: "[redacted]",
      expiresAt: this.expiresAt,
      expiresIn: this.expiresIn,
      scope: this.scope,
      baseUrl: this.baseUrl,
      tokenType: this.tokenType,
      ...(this.ignored.length ? { ignored: this.ignored } : {}),
    };
  }

  toString(): string {
    const expires = this.expiresAt === undefined ? "no stated expiry" : `expires ${new Date(this.expiresAt).toISOString()}`;
    return `GongTokens(${this.baseUrl ?? "no base URL"}, ${expires}, scope "${this.scope}")`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): Record<string, unknown> {
    return this.toJSON();
  }
}

/**
 * Why a token request failed:
 * - AUTHORIZATION_REQUIRED: `invalid_grant`: the refresh token was already used, expired or revoked (the customer
 *   removed the app), or the code was used or expired. Only a new authorization by the customer's admin helps.
 * - INVALID_CLIENT: the client id or secret was refused (`invalid_client`, or 401): fix the app's configuration.
 * - REJECTED: another refusal (4xx) of this request; resending it unchanged will not help.
 * - TRANSIENT: no answer (network error, timeout), 429 or 5xx: retry later (`retryAfter` when Gong said).
 *   A refresh whose answer was lost may still have used the refresh token (see the README).
 * - INVALID_RESPONSE: a 2xx the client cannot read (not JSON, no access_token, a bad base URL).
 */
export type GongOAuthErrorCode = "AUTHORIZATION_REQUIRED" | "INVALID_CLIENT" | "REJECTED" | "TRANSIENT" | "INVALID_RESPONSE";

export interface GongOAuthErrorInit {
  code: GongOAuthErrorCode;
  grant: OAuthGrant;
  problem: string;
  status?: number | undefined;
  oauthError?: string | undefined;
  retryAfter?: number | undefined;
}

/** A failed token request. Its message and fields never carry the secret, the code or a token. */
export class GongOAuthError extends Error {
  override readonly name: string = "GongOAuthError";
  readonly code: GongOAuthErrorCode;
  /** The grant that failed. */
  readonly grant: OAuthGrant;
  /** The token endpoint's HTTP status; undefined when no answer arrived. */
  readonly status: number | undefined;
  /** The OAuth `error` of the answer (`invalid_grant`, `invalid_client`, ...), when it had one. */
  readonly oauthError: string | undefined;
  /** True for TRANSIENT: the same request may succeed later. */
  readonly retryable: boolean;
  /** For 429: the seconds to wait (Retry-After). */
  readonly retryAfter: number | undefined;

  constructor(init: GongOAuthErrorInit) {
    super(`Gong OAuth ${init.grant === "refresh_token" ? "token refresh" : "code exchange"} failed: ${init.problem}`);
    this.code = init.code;
    this.grant = init.grant;
    this.status = init.status;
    this.oauthError = init.oauthError;
    this.retryable = init.code === "TRANSIENT";
    this.retryAfter = init.retryAfter;
  }

  toJSON(): Record<string, unknown> {
    const { name, code, message, grant, status, oauthError, retryable, retryAfter } = this;
    return { name, code, message, grant, status, oauthError, retryable, retryAfter };
  }
}

/** `invalid_grant`: the customer must authorize the app again (its refresh token is spent, expired or revoked). */
export class GongAuthorizationRequiredError extends GongOAuthError {
  override readonly name = "GongAuthorizationRequiredError";
}

export interface GongOAuthApp {
  /** The URL to send the customer's technical admin to. */
  authorizeUrl(params: AuthorizeUrlParams): string;
  /** Exchanges the callback's `code` for the installation's first tokens. */
  exchangeCode(code: string, options?: { signal?: AbortSignal }): Promise<GongTokens>;
  /**
   * Renews the tokens with their (single-use) refresh token. A field Gong leaves out of the answer
   * (refresh_token, api_base_url_for_customer) keeps its value from `tokens`.
   */
  refresh(tokens: Pick<GongTokenSet, "refreshToken"> & Partial<GongTokenSet>, options?: { signal?: AbortSignal }): Promise<GongTokens>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createOAuthApp(options: OAuthAppOptions): GongOAuthApp {
  if (!options || typeof options !== "object") {
    throw new TypeError("createOAuthApp: options are required: { clientId, clientSecret, redirectUri }.");
  }
  const clientId = requireSecretText(options.clientId, "clientId");
  const clientSecret = requireSecretText(options.clientSecret, "clientSecret");
  if (clientId.includes(":")) throw new TypeError("createOAuthApp: `clientId` must not contain ':' (Basic auth separates id and secret with it).");
  const redirectUri = checkHttpUrl(options.redirectUri, "redirectUri", { asGiven: true });
  const authorizeEndpoint = checkHttpUrl(options.authorizeUrl ?? oauth2Flow?.authorizationUrl, "authorizeUrl", { asGiven: true });
  const tokenEndpoint = checkHttpUrl(options.tokenUrl ?? oauth2Flow?.tokenUrl, "tokenUrl", { asGiven: true });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`createOAuthApp: \`timeoutMs\` must be a non-negative number of milliseconds, got ${String(timeoutMs)}.`);
  }
  const fetchRequest = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const basic = `Basic ${base64(`${clientId}:${clientSecret}`)}`;

  // Every credential of a request, to be cut out of any text that reaches an error (a server's description,
  // a network error's message).
  // Each as it is and as it appears in a URL (percent-encoded, or form-encoded with "+" for a space): a server
  // may echo the request URL, which carries the code or refresh token.
  const scrub = (text: string, secrets: string[]) =>
    [clientSecret, ...secrets]
      .filter((s) => s.length >= 4)
      .flatMap((s) => [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)])
      .sort((a, b) => b.length - a.length)
      .reduce((out, secret) => out.split(secret).join("[redacted]"), text);

  async function tokenRequest(grant: OAuthGrant, params: Record<string, string>, secrets: string[], signal: AbortSignal | undefined) {
    const url = new URL(tokenEndpoint);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const attempt = attemptSignal(signal, timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetchRequest(
        new Request(url, { method: "POST", headers: { Authorization: basic, Accept: "application/json" }, signal: attempt.signal ?? null }),
      );
      text = await response.text();
    } catch (thrown) {
      if (signal?.aborted) throw signal.reason;
      const what = attempt.timedOut()
        ? `no answer within ${timeoutMs} ms`
        : `could not reach the token endpoint (${scrub(describeNetworkError(thrown), secrets)})`;
      throw new GongOAuthError({ code: "TRANSIENT", grant, problem: `${what}; retry later` });
    } finally {
      attempt.dispose();
    }
    return readTokenAnswer(grant, response, text, (t) => scrub(t, secrets));
  }

  return {
    authorizeUrl({ state, scopes } = {} as AuthorizeUrlParams) {
      if (typeof state !== "string" || state.trim() === "") {
        throw new TypeError("authorizeUrl: `state` must be a non-empty string (an unguessable value tied to the admin's session).");
      }
      const asked = scopes ?? oauth2Flow?.scopes ?? [];
      if (!Array.isArray(asked) || asked.length === 0 || asked.some((s) => typeof s !== "string" || !/^\S+$/.test(s))) {
        throw new TypeError('authorizeUrl: `scopes` must be a non-empty list of scope names without spaces, e.g. ["api:engagement-data:write"].');
      }
      const url = new URL(authorizeEndpoint);
      url.searchParams.set("client_id", clientId);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("scope", asked.join(" "));
      url.searchParams.set("redirect_uri", redirectUri);
      url.searchParams.set("state", state);
      // URLSearchParams writes a space as "+"; Gong's example encodes it as %20.
      return url.href.replace(/\+/g, "%20");
    },

    async exchangeCode(code, callOptions = {}) {
      requireSecretText(code, "code", "exchangeCode");
      const params = { grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: clientId };
      const answer = await tokenRequest("authorization_code", params, [code], callOptions.signal);
      if (!answer.refreshToken) {
        throw new GongOAuthError({
          code: "INVALID_RESPONSE",
          grant: "authorization_code",
          status: 200,
          problem: "the answer has no refresh_token: the app could not renew the access token",
        });
      }
      return new GongTokens({ ...answer, refreshToken: answer.refreshToken });
    },

    async refresh(tokens, callOptions = {}) {
      if (!tokens || typeof tokens !== "object") throw new TypeError("refresh: pass the installation's tokens, at least { refreshToken }.");
      const refreshToken = requireSecretText(tokens.refreshToken, "refreshToken", "refresh");
      // Checked before the refresh token is spent. A stored null or "" (a nullable column) means "not known".
      const storedBaseUrl = storedBaseUrlOf(tokens.baseUrl, "refresh: `tokens.baseUrl`");
      const answer = await tokenRequest(
        "refresh_token",
        { grant_type: "refresh_token", refresh_token: refreshToken },
        [refreshToken, tokens.accessToken ?? ""],
        callOptions.signal,
      );
      return new GongTokens({
        ...answer,
        // Gong returns a new refresh token on every refresh; keep the old one only if an answer ever lacks it.
        refreshToken: answer.refreshToken ?? refreshToken,
        baseUrl: answer.baseUrl ?? storedBaseUrl,
        scope: answer.scope ?? tokens.scope,
      });
    },
  };
}

/** The fields of a token endpoint's answer, or the error it means. */
function readTokenAnswer(grant: OAuthGrant, response: Response, text: string, scrub: (text: string) => string) {
  const status = response.status;
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: handled below by status
  }
  if (!response.ok) throw answerError(grant, status, body, response.headers.get("Retry-After"), scrub);
  const fail = (problem: string) => new GongOAuthError({ code: "INVALID_RESPONSE", grant, status, problem: `Gong answered ${status} but ${problem}` });
  if (!body) throw fail("the body is not a JSON object");
  const accessToken = body.access_token;
  if (typeof accessToken !== "string" || accessToken.trim() === "") throw fail("access_token is missing or empty");
  const refreshToken = typeof body.refresh_token === "string" && body.refresh_token !== "" ? body.refresh_token : undefined;
  // The tokens are good: what else cannot be read is left out and named in `ignored`, never a reason to throw
  // them away (a refresh has already spent the old refresh token). Gong asks clients to read leniently.
  const ignored: string[] = [];
  let expiresIn: number | undefined;
  if (body.expires_in !== undefined && body.expires_in !== null) {
    const seconds =
      typeof body.expires_in === "number" || (typeof body.expires_in === "string" && body.expires_in.trim() !== "") ? Number(body.expires_in) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) expiresIn = seconds;
    else ignored.push(`expires_in: not a number of seconds (${shown(body.expires_in)}); the expiry is unknown`);
  }
  let baseUrl: string | undefined;
  if (body.api_base_url_for_customer !== undefined && body.api_base_url_for_customer !== null) {
    try {
      baseUrl = checkHttpUrl(body.api_base_url_for_customer, "api_base_url_for_customer");
    } catch (error) {
      ignored.push(`api_base_url_for_customer: ${(error as Error).message}`);
    }
  }
  return {
    ignored,
    accessToken,
    refreshToken,
    expiresIn,
    expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000,
    scope: typeof body.scope === "string" ? body.scope : undefined,
    tokenType: typeof body.token_type === "string" ? body.token_type : undefined,
    baseUrl,
  };
}

function answerError(
  grant: OAuthGrant,
  status: number,
  body: Record<string, unknown> | undefined,
  retryAfterHeader: string | null,
  scrub: (text: string) => string,
): GongOAuthError {
  const oauthError = typeof body?.error === "string" && /^[\w.-]{1,64}$/.test(body.error) ? body.error : undefined;
  const rawDescription = typeof body?.error_description === "string" ? body.error_description : typeof body?.message === "string" ? body.message : undefined;
  const description = rawDescription ? `: ${scrub(rawDescription).slice(0, 300)}` : "";
  const said = `Gong answered ${status}${oauthError ? ` ${oauthError}` : ""}${description}`;
  if (oauthError === "invalid_grant") {
    const why =
      grant === "refresh_token"
        ? "the refresh token was already used, has expired or was revoked (the customer may have removed the app)"
        : "the authorization code was already used, has expired or does not match the redirect URI";
    return new GongAuthorizationRequiredError({
      code: "AUTHORIZATION_REQUIRED",
      grant,
      status,
      oauthError,
      problem: `${said}; ${why}: the customer must authorize the app again`,
    });
  }
  if (oauthError === "invalid_client" || status === 401) {
    return new GongOAuthError({ code: "INVALID_CLIENT", grant, status, oauthError, problem: `${said}; check the app's client id and client secret` });
  }
  if (status === 429 || status >= 500) {
    const seconds = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader.trim()) : undefined;
    const wait = seconds === undefined ? "retry later" : `retry after ${seconds}s`;
    return new GongOAuthError({ code: "TRANSIENT", grant, status, oauthError, retryAfter: seconds, problem: `${said}; ${wait}` });
  }
  return new GongOAuthError({ code: "REJECTED", grant, status, oauthError, problem: said });
}

function describeNetworkError(error: unknown): string {
  const codes: string[] = [];
  for (let at: unknown = error, depth = 0; at && typeof at === "object" && depth < 4; at = (at as { cause?: unknown }).cause, depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes[0] ?? (error instanceof Error ? error.message : "network error");
}

/** A credential-like option: a non-empty string without line breaks. Its value is never echoed. */
function requireSecretText(value: unknown, name: string, who = "createOAuthApp"): string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError(`${who}: \`${name}\` must be a non-empty string.`);
  if (/[\r\n]/.test(value)) throw new TypeError(`${who}: \`${name}\` must not contain line breaks.`);
  return value;
}

/**
 * An absolute http(s) URL without credentials. A base URL (tokens' `baseUrl`, `api_base_url_for_customer`) goes
 * through the one base-URL check (spec-model's `checkBaseUrl`: no query, trailing slash trimmed); with `asGiven`
 * (a redirect URI, which must match a registered one exactly, or an endpoint) the URL is kept exactly as given.
 */
/** A stored base URL: null, undefined or "" is "not known"; anything else must be an absolute http(s) URL. */
export function storedBaseUrlOf(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  try {
    return checkHttpUrl(value, "baseUrl");
  } catch (error) {
    throw new TypeError(`${name}: ${(error as Error).message}`);
  }
}

/** A value of a token answer, short, for a message (never a token: only non-secret fields are shown). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function checkHttpUrl(value: unknown, name: string, { asGiven = false } = {}): string {
  if (typeof value !== "string" || value === "")
    throw new TypeError(`\`${name}\` must be an absolute http(s) URL, got ${value === undefined ? "nothing" : JSON.stringify(value)}.`);
  const checked = checkBaseUrl(asGiven ? withoutQuery(value) : value, `\`${name}\``);
  return asGiven ? value : checked;
}

/** The URL without its query and fragment (they are part of an endpoint, not of what makes it a valid URL). */
function withoutQuery(value: string): string {
  return value.replace(/[?#].*$/s, "");
}
