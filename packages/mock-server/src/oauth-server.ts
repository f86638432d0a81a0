// The mock as Gong's OAuth server (off unless configured): the authorization page, the token endpoint, and the
// Bearer tokens it issued, checked on every API call. For rehearsing a partner app locally; what is Gong's word
// and what is our reading is in the README ("OAuth server"):
//   GET  /oauth2/authorize                 approves at once: a new customer company, 302 to redirect_uri?code&state
//   POST /oauth2/generate-customer-token   authorization_code and refresh_token grants; client by Basic;
//                                          parameters in the query string or a form body; single-use codes and
//                                          rotating single-use refresh tokens
//   /customer/<company>/v2/...             each company's API base URL (api_base_url_for_customer): its tokens
//                                          work there only, as Gong's tokens work only on the customer's host
//   /__mock/oauth, .../revoke, .../expire-all   the state, revoking, expiring every access token now (tests)
// Each company has its own rate limits (its tokens share one budget across refreshes) and journal view. Tokens,
// codes and secrets never appear in an answer other than the token response, nor in the journal or log lines.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type Answer, errorAnswer, jsonAnswer } from "./answer.js";
import { MockConfigError } from "./config-error.js";
import type { LoadedSpec, SpecOperation } from "./spec.js";

export interface MockOAuthClient {
  clientId: string;
  clientSecret: string;
  /** Redirect URIs accepted (exact match). Absent or empty: any absolute http(s) URL. */
  redirectUris?: string[];
  /** The scopes this app may be granted. @default every scope of the spec's oauth2 flow */
  scopes?: string[];
}

export interface MockOAuthOptions {
  /** The OAuth apps the mock knows (at least one). */
  clients: MockOAuthClient[];
  /** Access-token lifetime, in seconds (`expires_in`). @default 86400 (a day, as third parties report for Gong) */
  tokenTtlSeconds?: number;
  /** How long a code may wait for its exchange, in seconds. @default 60 */
  codeTtlSeconds?: number;
}

/** What a Bearer check decides: the request goes on as this company, or is refused. */
export type BearerCheck = { ok: true; principal: string } | { ok: false; answer: Answer };

interface Company {
  id: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
  codeExchanges: number;
  refreshes: number;
  refusedRefreshes: number;
}
interface Code {
  company: Company;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}
interface AccessToken {
  company: Company;
  expiresAt: number;
  /** Replaced by a refresh (our reading: the previous access token stops working), or revoked by the admin. */
  revoked: "replaced" | "revoked" | undefined;
}
interface RefreshToken {
  company: Company;
  used: boolean;
  revoked: boolean;
  access: AccessToken;
}

const CUSTOMER_PREFIX = /^\/customer\/([a-z0-9-]+)(\/.*)$/;
const SECRET_PARAMS = ["code", "refresh_token", "access_token", "client_secret"];

export class MockOAuthServer {
  readonly clients: Map<string, MockOAuthClient>;
  readonly tokenTtlSeconds: number;
  private readonly codeTtlSeconds: number;
  private readonly companies = new Map<string, Company>();
  private readonly codes = new Map<string, Code>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();

  constructor(
    options: MockOAuthOptions,
    private readonly mockUrl: () => string,
    private readonly spec: () => LoadedSpec,
    private readonly now: () => number = Date.now,
  ) {
    const { clients, tokenTtlSeconds = 86_400, codeTtlSeconds = 60 } = checkOAuthOptions(options, this.spec().document);
    this.clients = new Map(clients.map((client) => [client.clientId, client]));
    this.tokenTtlSeconds = tokenTtlSeconds;
    this.codeTtlSeconds = codeTtlSeconds;
  }

  /** The API base URL of a company (`api_base_url_for_customer`). */
  baseUrlOf(company: string): string {
    return `${this.mockUrl()}/customer/${company}`;
  }

  /** The mock's OAuth routes: /oauth2/* and /__mock/oauth*; undefined for any other path. */
  route(method: string, url: URL, headers: IncomingHttpHeaders, body: Buffer | undefined): Answer | undefined {
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/oauth2/authorize") return method === "GET" ? this.authorize(url) : methodNotAllowed(method, path, "GET");
    if (path === "/oauth2/generate-customer-token") return method === "POST" ? this.token(url, headers, body) : methodNotAllowed(method, path, "POST");
    if (path === "/__mock/oauth" && method === "GET") return jsonAnswer(200, this.describe());
    if (path === "/__mock/oauth/expire-all" && method === "POST") return jsonAnswer(200, { expired: this.expireAll() });
    if (path === "/__mock/oauth/revoke" && method === "POST") return this.revokeAnswer(body);
    if (path.startsWith("/__mock/oauth")) {
      return errorAnswer(404, [
        `No mock endpoint at ${method} ${url.pathname}; there are GET /__mock/oauth, POST /__mock/oauth/revoke and POST /__mock/oauth/expire-all`,
      ]);
    }
    return undefined;
  }

  /**
   * Checks a Bearer token the mock issued, for `operation` at the company base URL the request came to
   * (`customer`, undefined at the mock's bare URL): 401 for an unknown, expired, replaced or revoked token or the
   * wrong host, and for a token without the operation's scope (the status is our reading: Gong documents only 401
   * for these operations; see the spec's 401 response and the README).
   */
  checkBearer(token: string, operation: SpecOperation, customer: string | undefined): BearerCheck {
    const refuse = (status: number, problem: string, headers: Record<string, string> = {}): BearerCheck => ({
      ok: false,
      answer: errorAnswer(status, [problem], headers),
    });
    const invalid = (problem: string) => refuse(401, problem, { "WWW-Authenticate": `Bearer error="invalid_token"` });
    const access = this.accessTokens.get(token);
    if (!access) return invalid("Access denied: the access token is not valid");
    if (access.company.revoked || access.revoked === "revoked") return invalid("Access denied: the access token has been revoked");
    if (access.revoked === "replaced") return invalid("Access denied: the access token was replaced by a refresh");
    if (this.now() >= access.expiresAt) return invalid("Access denied: the access token has expired");
    if (customer !== access.company.id) {
      return invalid(
        `Access denied: this access token is valid only at its company's base URL (api_base_url_for_customer), ${this.baseUrlOf(access.company.id)}`,
      );
    }
    const needed = this.scopesFor(operation);
    if (needed === undefined) return invalid(`Access denied: ${operation.operationId} does not accept OAuth tokens`);
    const missing = needed.filter((scope) => !access.company.scopes.includes(scope));
    if (missing.length) {
      return refuse(401, `Access denied: ${operation.operationId} needs the scope ${missing.join(" ")}, which this token was not granted`, {
        "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${needed.join(" ")}"`,
      });
    }
    return { ok: true, principal: `company:${access.company.id}` };
  }

  /** Every access token expires now (refresh tokens still work): the next calls get 401 and must refresh. */
  expireAll(): number {
    const now = this.now();
    let expired = 0;
    for (const access of this.accessTokens.values()) {
      if (access.expiresAt > now) {
        access.expiresAt = now;
        expired++;
      }
    }
    return expired;
  }

  /**
   * The credentials stage when OAuth is on: a Bearer request is decided here ("accepted", with the company as
   * `request.principal`, or the refusal); undefined hands any other request to the usual check (Basic).
   */
  authenticate(
    request: { req: { headers: IncomingHttpHeaders }; operation: SpecOperation; principal?: string },
    customer: string | undefined,
  ): Answer | "accepted" | undefined {
    const token = bearerToken(request.req.headers.authorization);
    if (token === undefined) return undefined;
    const check = this.checkBearer(token, request.operation, customer);
    if (!check.ok) return check.answer;
    request.principal = check.principal;
    return "accepted";
  }

  describe(): Record<string, unknown> {
    return {
      clients: [...this.clients.keys()],
      tokenTtlSeconds: this.tokenTtlSeconds,
      codeTtlSeconds: this.codeTtlSeconds,
      authorizeUrl: `${this.mockUrl()}/oauth2/authorize`,
      tokenUrl: `${this.mockUrl()}/oauth2/generate-customer-token`,
      scopes: specScopes(this.spec().document),
      companies: [...this.companies.values()].map((c) => ({
        company: c.id,
        clientId: c.clientId,
        baseUrl: this.baseUrlOf(c.id),
        scopes: c.scopes,
        revoked: c.revoked,
        codeExchanges: c.codeExchanges,
        refreshes: c.refreshes,
        refusedRefreshes: c.refusedRefreshes,
      })),
    };
  }

  // GET /oauth2/authorize: an admin who approves at once. Errors about the client or the redirect URI are
  // answered here (never redirected to an unverified URI); the others go back to the redirect URI with `error`.
  private authorize(url: URL): Answer {
    const params = url.searchParams;
    const clientId = params.get("client_id");
    const client = clientId === null ? undefined : this.clients.get(clientId);
    if (!client) return errorAnswer(400, [`client_id: ${clientId === null ? "is required" : "no OAuth app with this client id"}`]);
    const redirectUri = params.get("redirect_uri");
    if (redirectUri === null) return errorAnswer(400, ["redirect_uri: is required"]);
    const redirectProblem = checkRedirectUri(redirectUri, client);
    if (redirectProblem) return errorAnswer(400, [`redirect_uri: ${redirectProblem}`]);
    const state = params.get("state");
    const back = (query: Record<string, string>): Answer => {
      const location = new URL(redirectUri);
      for (const [name, value] of Object.entries(query)) location.searchParams.set(name, value);
      if (state !== null) location.searchParams.set("state", state);
      return { status: 302, headers: { Location: location.href, "Cache-Control": "no-store" }, body: { location: location.href } };
    };
    if (params.get("response_type") !== "code") {
      return back({ error: "unsupported_response_type", error_description: "response_type must be code" });
    }
    const asked = (params.get("scope") ?? "").split(" ").filter(Boolean);
    const allowed = client.scopes ?? specScopes(this.spec().document);
    const unknown = asked.filter((scope) => !allowed.includes(scope));
    if (asked.length === 0 || unknown.length) {
      const problem =
        asked.length === 0
          ? "scope is required (space-separated scope names)"
          : `not a scope of this app: ${unknown.join(" ")}; it may ask for ${allowed.join(" ")}`;
      return back({ error: "invalid_scope", error_description: problem });
    }
    const company: Company = {
      id: `company-${this.companies.size + 1}`,
      clientId: client.clientId,
      scopes: [...new Set(asked)],
      revoked: false,
      codeExchanges: 0,
      refreshes: 0,
      refusedRefreshes: 0,
    };
    this.companies.set(company.id, company);
    const code = newSecret("code");
    this.codes.set(code, { company, redirectUri, expiresAt: this.now() + this.codeTtlSeconds * 1000, used: false });
    return back({ code });
  }

  // POST /oauth2/generate-customer-token
  private token(url: URL, headers: IncomingHttpHeaders, body: Buffer | undefined): Answer {
    const client = this.clientOf(headers.authorization);
    if (typeof client === "string") return oauthError(401, "invalid_client", client);
    const params = grantParams(url, headers, body);
    if (typeof params === "string") return oauthError(400, "invalid_request", params);
    const bodyClientId = params.get("client_id");
    if (bodyClientId !== null && bodyClientId !== client.clientId) return oauthError(401, "invalid_client", "client_id does not match the Basic credentials");
    switch (params.get("grant_type")) {
      case "authorization_code":
        return this.exchangeCode(client, params);
      case "refresh_token":
        return this.refresh(client, params);
      case null:
        return oauthError(400, "invalid_request", "grant_type is required: authorization_code or refresh_token");
      default:
        return oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
    }
  }

  private exchangeCode(client: MockOAuthClient, params: URLSearchParams): Answer {
    const code = params.get("code");
    if (!code) return oauthError(400, "invalid_request", "code is required");
    const redirectUri = params.get("redirect_uri");
    if (redirectUri === null) return oauthError(400, "invalid_request", "redirect_uri is required (the one sent to /oauth2/authorize)");
    const grant = this.codes.get(code);
    if (!grant || grant.company.clientId !== client.clientId) return oauthError(400, "invalid_grant", "the authorization code is invalid");
    if (grant.used) return oauthError(400, "invalid_grant", "the authorization code was already used");
    if (this.now() >= grant.expiresAt) return oauthError(400, "invalid_grant", "the authorization code has expired");
    if (redirectUri !== grant.redirectUri) return oauthError(400, "invalid_grant", "redirect_uri does not match the one sent to /oauth2/authorize");
    if (grant.company.revoked) return oauthError(400, "invalid_grant", "the authorization was revoked");
    grant.used = true;
    grant.company.codeExchanges++;
    return this.issue(grant.company);
  }

  private refresh(client: MockOAuthClient, params: URLSearchParams): Answer {
    const token = params.get("refresh_token");
    if (!token) return oauthError(400, "invalid_request", "refresh_token is required");
    const refresh = this.refreshTokens.get(token);
    if (!refresh || refresh.company.clientId !== client.clientId) return oauthError(400, "invalid_grant", "Refresh token code is invalid");
    const refused = (problem: string) => {
      refresh.company.refusedRefreshes++;
      return oauthError(400, "invalid_grant", problem);
    };
    if (refresh.revoked || refresh.company.revoked) return refused("the refresh token has been revoked: the customer must authorize the app again");
    if (refresh.used) return refused("the refresh token was already used (refresh tokens are single-use)");
    refresh.used = true;
    refresh.access.revoked ??= "replaced";
    refresh.company.refreshes++;
    return this.issue(refresh.company);
  }

  private issue(company: Company): Answer {
    const accessToken = newSecret("at");
    const refreshToken = newSecret("rt");
    const access: AccessToken = { company, expiresAt: this.now() + this.tokenTtlSeconds * 1000, revoked: undefined };
    this.accessTokens.set(accessToken, access);
    this.refreshTokens.set(refreshToken, { company, used: false, revoked: false, access });
    return jsonAnswer(
      200,
      {
        access_token: accessToken,
        refresh_token: refreshToken,
        scope: company.scopes.join(" "),
        token_type: "bearer",
        expires_in: this.tokenTtlSeconds,
        api_base_url_for_customer: this.baseUrlOf(company.id),
      },
      { "Cache-Control": "no-store", Pragma: "no-cache" },
    );
  }

  private revokeAnswer(body: Buffer | undefined): Answer {
    let request: { token?: unknown; company?: unknown };
    try {
      request = JSON.parse(body?.toString("utf8") || "{}");
    } catch {
      return errorAnswer(400, ['body: JSON, {"token": "<access or refresh token>"} or {"company": "company-1"}']);
    }
    if (typeof request.company === "string") {
      const company = this.companies.get(request.company);
      if (!company)
        return errorAnswer(404, [`company: no company "${request.company}"; the companies are ${[...this.companies.keys()].join(", ") || "none yet"}`]);
      company.revoked = true;
      return jsonAnswer(200, { revoked: "company", company: company.id });
    }
    if (typeof request.token === "string") {
      const access = this.accessTokens.get(request.token);
      const refresh = this.refreshTokens.get(request.token);
      // The answer names the kind and the company, never the token.
      if (access) access.revoked = "revoked";
      if (refresh) refresh.revoked = true;
      const company = (access ?? refresh)?.company;
      if (!company) return errorAnswer(404, ["token: not a token this mock issued"]);
      return jsonAnswer(200, { revoked: access ? "access token" : "refresh token", company: company.id });
    }
    return errorAnswer(400, ['body: {"token": "<access or refresh token>"} or {"company": "company-1"}']);
  }

  private clientOf(header: string | undefined): MockOAuthClient | string {
    const match = /^\s*basic\s+(\S+)\s*$/i.exec(header ?? "");
    if (!match) return "client authentication is required: Authorization: Basic base64(client_id:client_secret)";
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const client = colon > 0 ? this.clients.get(decoded.slice(0, colon)) : undefined;
    if (!client || !sameText(decoded.slice(colon + 1), client.clientSecret)) return "unknown client id or wrong client secret";
    return client;
  }

  /** The OAuth scopes the operation needs (its security requirement on the spec's oauth2 scheme); undefined if it takes none. */
  private scopesFor(operation: SpecOperation): string[] | undefined {
    const document = this.spec().document as SpecDocument;
    const op = document.paths?.[operation.path]?.[operation.method.toLowerCase()];
    const names = this.oauthSchemeNames();
    const requirement = (op?.security ?? document.security ?? []).find((r) => names.some((name) => name in r));
    if (!requirement) return undefined;
    return names.flatMap((name) => requirement[name] ?? []);
  }

  private oauthSchemeNames(): string[] {
    const schemes = (this.spec().document as SpecDocument).components?.securitySchemes ?? {};
    return Object.entries(schemes)
      .filter(([, scheme]) => scheme?.type === "oauth2")
      .map(([name]) => name);
  }
}

/** Every scope the spec's oauth2 flows name. */
function specScopes(document: Record<string, unknown>): string[] {
  const schemes = (document as SpecDocument).components?.securitySchemes ?? {};
  const scopes = Object.values(schemes).flatMap((scheme) => Object.values(scheme?.flows ?? {}).flatMap((flow) => Object.keys(flow?.scopes ?? {})));
  return [...new Set(scopes)];
}

type SpecDocument = {
  paths?: Record<string, Record<string, { security?: Array<Record<string, string[]>> } | undefined> | undefined>;
  security?: Array<Record<string, string[]>>;
  components?: { securitySchemes?: Record<string, { type?: string; flows?: Record<string, { scopes?: Record<string, string> } | undefined> } | undefined> };
};

/**
 * A request to a company's base URL (`/customer/<company>/v2/...`): the company, and the URL with the prefix
 * taken off (changed in place), so that routing sees the API path.
 */
export function takeCustomerPrefix(url: URL): string | undefined {
  const match = CUSTOMER_PREFIX.exec(url.pathname);
  if (!match) return undefined;
  url.pathname = match[2]!;
  return match[1];
}

/** Is this a Bearer request? (The OAuth server decides those when it is on.) */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** Tags an accepted event in the journal with the company whose token sent it. */
export function tagCompany(answer: Answer, principal: string | undefined): Answer {
  if (answer.journal && principal?.startsWith("company:")) answer.journal.company = principal.slice("company:".length);
  return answer;
}

/** The request's URL for a log line, with codes, tokens and secrets in its query string redacted. */
export function loggableUrl(url: string | undefined): string {
  if (!url?.includes("?")) return url ?? "";
  const parsed = new URL(url, "http://mock.local");
  for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, "[redacted]");
  return `${parsed.pathname}${parsed.search}`;
}

/** `--oauth-client <id>:<secret>` (the secret may contain ':'). */
export function parseOAuthClient(text: string): MockOAuthClient {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) throw new TypeError("an OAuth client is <client id>:<client secret>, both non-empty");
  return { clientId: text.slice(0, colon), clientSecret: text.slice(colon + 1) };
}

/** The OAuth options, checked against the spec `document` (its oauth2 scopes); a MockConfigError names the first problem. */
export function checkOAuthOptions(options: MockOAuthOptions, document: Record<string, unknown>): MockOAuthOptions {
  const problem = (message: string) => new MockConfigError(`startMockServer: \`oauth${message}`);
  if (!options || !Array.isArray(options.clients) || options.clients.length === 0) {
    throw problem(".clients` must list at least one { clientId, clientSecret }.");
  }
  if (specScopes(document).length === 0) throw problem("` needs a spec with an oauth2 security scheme that names its scopes; this spec has none.");
  const ids = new Set<string>();
  options.clients.forEach((client, i) => {
    for (const name of ["clientId", "clientSecret"] as const) {
      if (typeof client?.[name] !== "string" || client[name].trim() === "") throw problem(`.clients[${i}].${name}\` must be a non-empty string.`);
    }
    if (client.clientId.includes(":")) throw problem(`.clients[${i}].clientId\` must not contain ':'.`);
    if (ids.has(client.clientId)) throw problem(`.clients[${i}].clientId\` repeats ${JSON.stringify(client.clientId)}.`);
    ids.add(client.clientId);
    if (client.scopes !== undefined) {
      // Scopes beyond the spec's are allowed: a real app may hold others (api:calls:read:basic, ...).
      if (!Array.isArray(client.scopes) || client.scopes.length === 0 || client.scopes.some((scope) => typeof scope !== "string" || !/^\S+$/.test(scope))) {
        throw problem(`.clients[${i}].scopes\` must list at least one scope name (no spaces), or be left out (every scope of the spec).`);
      }
    }
    if (client.redirectUris !== undefined) {
      if (!Array.isArray(client.redirectUris)) throw problem(`.clients[${i}].redirectUris\` must be a list of absolute http(s) URLs.`);
      client.redirectUris.forEach((uri, j) => {
        const bad = typeof uri === "string" ? redirectUriShape(uri) : "must be an absolute http(s) URL";
        if (bad) throw problem(`.clients[${i}].redirectUris[${j}]\` ${bad}, got ${JSON.stringify(uri)}.`);
      });
    }
  });
  for (const name of ["tokenTtlSeconds", "codeTtlSeconds"] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw problem(`.${name}\` must be a whole number of seconds from 1, got ${JSON.stringify(value)}.`);
    }
  }
  return options;
}

function checkRedirectUri(value: string, client: MockOAuthClient): string | undefined {
  if (client.redirectUris?.length) return client.redirectUris.includes(value) ? undefined : "is not one of the app's registered redirect URIs";
  return redirectUriShape(value);
}

function redirectUriShape(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an absolute http(s) URL";
    if (url.hash) return "must not have a fragment";
  } catch {
    return "must be an absolute http(s) URL";
  }
  return undefined;
}

/** The grant's parameters: the query string, and a form (or JSON object) body if one was sent. */
function grantParams(url: URL, headers: IncomingHttpHeaders, body: Buffer | undefined): URLSearchParams | string {
  const params = new URLSearchParams(url.searchParams);
  const text = body?.toString("utf8").trim() ?? "";
  if (text === "") return params;
  const type = (headers["content-type"] ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    for (const [name, value] of new URLSearchParams(text)) params.set(name, value);
    return params;
  }
  if (type.includes("json")) {
    try {
      const object: unknown = JSON.parse(text);
      if (object && typeof object === "object" && !Array.isArray(object)) {
        for (const [name, value] of Object.entries(object)) if (typeof value === "string") params.set(name, value);
        return params;
      }
    } catch {
      // answered below
    }
  }
  return "the parameters go in the query string or an application/x-www-form-urlencoded body";
}

function oauthError(status: number, error: string, description: string): Answer {
  return jsonAnswer(status, { error, error_description: description }, { "Cache-Control": "no-store" });
}

function methodNotAllowed(method: string, path: string, allowed: string): Answer {
  return errorAnswer(405, [`${method} ${path}: use ${allowed}`], { Allow: allowed });
}

function newSecret(kind: string): string {
  return `mock-${kind}-${randomBytes(24).toString("base64url")}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
