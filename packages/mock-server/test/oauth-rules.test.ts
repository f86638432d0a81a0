// The OAuth server's rules, called directly on an injected clock (no server, no real time): codes, the two
// grants, rotating single-use refresh tokens, expiry, replacement, revocation, the company's host and the
// operation's scope. The HTTP walk-through is oauth-server.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../src/answer.js";
import { MockConfigError } from "../src/config-error.js";
import { bearerToken, loggableUrl, type MockOAuthClient, MockOAuthServer, parseOAuthClient, tagCompany, takeCustomerPrefix } from "../src/oauth-server.js";
import { type LoadedSpec, loadSpec } from "../src/spec.js";
import { basic } from "./helpers.js";

const APP: MockOAuthClient = { clientId: "app-1", clientSecret: "secret-1" };
const NARROW: MockOAuthClient = { clientId: "app-2", clientSecret: "secret-2", scopes: ["api:calls:read:basic"], redirectUris: ["http://127.0.0.1:9/cb"] };
const REDIRECT = "http://127.0.0.1:9/cb";
const BASE = "http://mock.local";

let spec: LoadedSpec;
let allScopes: string[];
beforeAll(async () => {
  spec = await loadSpec();
  allScopes = [...new Set(spec.operations.flatMap((o) => o.scopes))];
});

function setup(options: { tokenTtlSeconds?: number; codeTtlSeconds?: number } = {}) {
  const clock = { now: 1_000_000 };
  const server = new MockOAuthServer(
    { clients: [APP, NARROW], ...options },
    () => BASE,
    () => spec,
    () => clock.now,
  );
  const call = (method: string, path: string, { auth, body, type }: { auth?: string; body?: string; type?: string } = {}) =>
    server.route(
      method,
      new URL(`${BASE}${path}`),
      { ...(auth ? { authorization: auth } : {}), ...(type ? { "content-type": type } : {}) },
      body === undefined ? undefined : Buffer.from(body),
    );
  const authorize = (params: Record<string, string> = {}) => {
    const query = new URLSearchParams({
      client_id: APP.clientId,
      response_type: "code",
      scope: allScopes.join(" "),
      redirect_uri: REDIRECT,
      state: "st",
      ...params,
    });
    return call("GET", `/oauth2/authorize?${query}`)!;
  };
  const codeOf = (answer: Answer) => new URL((answer.headers as Record<string, string>).Location!).searchParams.get("code")!;
  const token = (params: Record<string, string>, client: MockOAuthClient = APP) =>
    call("POST", `/oauth2/generate-customer-token?${new URLSearchParams(params)}`, { auth: basic(client.clientId, client.clientSecret) })!;
  const exchange = (code: string, client: MockOAuthClient = APP) => token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }, client);
  const refresh = (refreshToken: string, client: MockOAuthClient = APP) => token({ grant_type: "refresh_token", refresh_token: refreshToken }, client);
  const grant = (params: Record<string, string> = {}) => exchange(codeOf(authorize(params))).body as TokenBody;
  const check = (accessToken: string, operation = spec.operations[0]!, customer?: string) =>
    server.checkBearer(accessToken, operation, customer ?? companyOf(server, accessToken));
  return { clock, server, call, authorize, codeOf, token, exchange, refresh, grant, check };
}

interface TokenBody {
  access_token: string;
  refresh_token: string;
  scope: string;
  token_type: string;
  expires_in: number;
  api_base_url_for_customer: string;
}

/** The company a token belongs to, from the admin state (the last company for an unknown token). */
function companyOf(server: MockOAuthServer, _token: string): string | undefined {
  const companies = server.describe().companies as Array<{ company: string }>;
  return companies.at(-1)?.company;
}

const oauthError = (answer: Answer | undefined) => answer && { status: answer.status, ...(answer.body as { error: string; error_description: string }) };
const errors = (check: ReturnType<MockOAuthServer["checkBearer"]>) => (check.ok ? [] : (check.answer.body as { errors: string[] }).errors);

describe("authorize", () => {
  it("approves at once: a new company per authorization, a code, the state back, no caching", () => {
    const { authorize, server } = setup();
    const first = authorize();
    const second = authorize({ state: "other" });
    expect(first.status).toBe(302);
    expect(first.headers).toMatchObject({ "Cache-Control": "no-store" });
    const location = new URL((first.headers as Record<string, string>).Location!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("st");
    expect(location.searchParams.get("code")).toMatch(/^mock-code-\S{20,}$/);
    expect(first.body).toEqual({ location: location.href });
    expect(new URL((second.headers as Record<string, string>).Location!).searchParams.get("state")).toBe("other");
    expect(
      (server.describe().companies as Array<{ company: string; scopes: string[]; clientId: string; baseUrl: string }>).map((c) => [
        c.company,
        c.clientId,
        c.baseUrl,
      ]),
    ).toEqual([
      ["company-1", "app-1", `${BASE}/customer/company-1`],
      ["company-2", "app-1", `${BASE}/customer/company-2`],
    ]);
  });

  it("without state, sends none back; repeated scopes are granted once", () => {
    const { call, server } = setup();
    const scope = `${allScopes[0]} ${allScopes[0]}`;
    const answer = call("GET", `/oauth2/authorize?${new URLSearchParams({ client_id: APP.clientId, response_type: "code", scope, redirect_uri: REDIRECT })}`)!;
    expect(new URL((answer.headers as Record<string, string>).Location!).searchParams.has("state")).toBe(false);
    expect((server.describe().companies as Array<{ scopes: string[] }>)[0]!.scopes).toEqual([allScopes[0]]);
  });

  it("answers itself (never redirecting) for a wrong client or redirect URI", () => {
    const { authorize, call } = setup();
    const problem = (answer: Answer) => [answer.status, (answer.body as { errors: string[] }).errors[0]];
    expect(problem(call("GET", `/oauth2/authorize?redirect_uri=${REDIRECT}`)!)).toEqual([400, "client_id: is required"]);
    expect(problem(authorize({ client_id: "nobody" }))).toEqual([400, "client_id: no OAuth app with this client id"]);
    expect(problem(call("GET", `/oauth2/authorize?client_id=${APP.clientId}`)!)).toEqual([400, "redirect_uri: is required"]);
    expect(problem(authorize({ redirect_uri: "ftp://x/cb" }))).toEqual([400, "redirect_uri: must be an absolute http(s) URL"]);
    expect(problem(authorize({ redirect_uri: "not a url" }))).toEqual([400, "redirect_uri: must be an absolute http(s) URL"]);
    expect(problem(authorize({ redirect_uri: "https://x/cb#frag" }))).toEqual([400, "redirect_uri: must not have a fragment"]);
    expect(authorize({ redirect_uri: "https://x/cb" }).status).toBe(302);
    expect(problem(authorize({ client_id: NARROW.clientId, redirect_uri: "http://127.0.0.1:9/other" }))).toEqual([
      400,
      "redirect_uri: is not one of the app's registered redirect URIs",
    ]);
  });

  it("sends other problems back to the redirect URI with error, error_description and the state", () => {
    const { authorize } = setup();
    const back = (answer: Answer) => {
      expect(answer.status).toBe(302);
      const params = new URL((answer.headers as Record<string, string>).Location!).searchParams;
      expect(params.get("state")).toBe("st");
      expect(params.has("code")).toBe(false);
      return [params.get("error"), params.get("error_description")];
    };
    expect(back(authorize({ response_type: "token" }))).toEqual(["unsupported_response_type", "response_type must be code"]);
    expect(back(authorize({ scope: " " }))).toEqual(["invalid_scope", "scope is required (space-separated scope names)"]);
    expect(back(authorize({ scope: `${allScopes[0]} api:made-up` }))).toEqual([
      "invalid_scope",
      `not a scope of this app: api:made-up; it may ask for ${allScopes.join(" ")}`,
    ]);
    expect(back(authorize({ client_id: NARROW.clientId, scope: allScopes[0]! }))).toEqual([
      "invalid_scope",
      `not a scope of this app: ${allScopes[0]}; it may ask for api:calls:read:basic`,
    ]);
  });

  it("routes only GET to authorize and only POST to the token endpoint; trailing slashes are the same path", () => {
    const { call } = setup();
    expect(call("POST", "/oauth2/authorize")).toMatchObject({ status: 405, headers: { Allow: "GET" }, body: { errors: ["POST /oauth2/authorize: use GET"] } });
    expect(call("GET", "/oauth2/generate-customer-token/")).toMatchObject({ status: 405, headers: { Allow: "POST" } });
    expect(call("GET", "/oauth2/authorize/")!.status).toBe(400); // reached authorize: no client_id
    expect(call("GET", "/v2/anything")).toBeUndefined();
  });
});

describe("the token endpoint", () => {
  it("exchanges a code once for tokens: the fields a partner app reads, no caching", () => {
    const { authorize, codeOf, exchange, server } = setup({ tokenTtlSeconds: 30 });
    const code = codeOf(authorize());
    const answer = exchange(code);
    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual({ "Cache-Control": "no-store", Pragma: "no-cache" });
    const body = answer.body as TokenBody;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^mock-at-\S{20,}$/),
      refresh_token: expect.stringMatching(/^mock-rt-\S{20,}$/),
      scope: allScopes.join(" "),
      token_type: "bearer",
      expires_in: 30,
      api_base_url_for_customer: `${BASE}/customer/company-1`,
    });
    expect(oauthError(exchange(code))).toEqual({ status: 400, error: "invalid_grant", error_description: "the authorization code was already used" });
    expect(server.describe().companies).toEqual([expect.objectContaining({ codeExchanges: 1, refreshes: 0, refusedRefreshes: 0, revoked: false })]);
  });

  it("refuses a code that is unknown, another app's, expired, or sent with another redirect URI", () => {
    const { authorize, codeOf, exchange, token, clock } = setup({ codeTtlSeconds: 60 });
    expect(oauthError(exchange("made-up"))).toEqual({ status: 400, error: "invalid_grant", error_description: "the authorization code is invalid" });
    expect(oauthError(exchange(codeOf(authorize()), NARROW))).toMatchObject({ error: "invalid_grant", error_description: "the authorization code is invalid" });
    const late = codeOf(authorize());
    clock.now += 59_999;
    const inTime = codeOf(authorize());
    clock.now += 1;
    expect(oauthError(exchange(late))).toMatchObject({ error: "invalid_grant", error_description: "the authorization code has expired" });
    expect(exchange(inTime).status).toBe(200);
    const code = codeOf(authorize());
    expect(oauthError(token({ grant_type: "authorization_code", code, redirect_uri: "http://127.0.0.1:9/other" }))).toMatchObject({
      error: "invalid_grant",
      error_description: "redirect_uri does not match the one sent to /oauth2/authorize",
    });
    expect(oauthError(token({ grant_type: "authorization_code", code }))).toEqual({
      status: 400,
      error: "invalid_request",
      error_description: "redirect_uri is required (the one sent to /oauth2/authorize)",
    });
    expect(oauthError(token({ grant_type: "authorization_code", redirect_uri: REDIRECT }))).toEqual({
      status: 400,
      error: "invalid_request",
      error_description: "code is required",
    });
  });

  it("authenticates the app by Basic client_id:client_secret; a client_id parameter must match it", () => {
    const { call, authorize, codeOf, token } = setup();
    const path = `/oauth2/generate-customer-token?grant_type=authorization_code&code=${codeOf(authorize())}&redirect_uri=${REDIRECT}`;
    const refused = (auth?: string) => oauthError(call("POST", path, { auth }));
    expect(refused()).toEqual({
      status: 401,
      error: "invalid_client",
      error_description: "client authentication is required: Authorization: Basic base64(client_id:client_secret)",
    });
    expect(refused("Bearer x")).toMatchObject({ status: 401, error: "invalid_client" });
    expect(refused(basic(APP.clientId, "wrong"))).toEqual({
      status: 401,
      error: "invalid_client",
      error_description: "unknown client id or wrong client secret",
    });
    expect(refused(basic(APP.clientId, `${APP.clientSecret}x`))).toMatchObject({ error_description: "unknown client id or wrong client secret" });
    expect(refused(basic("nobody", APP.clientSecret))).toMatchObject({ error_description: "unknown client id or wrong client secret" });
    expect(refused(`Basic ${Buffer.from(`:${APP.clientSecret}`).toString("base64")}`)).toMatchObject({ error: "invalid_client" });
    expect(refused(`Basic ${Buffer.from(APP.clientId).toString("base64")}`)).toMatchObject({ error: "invalid_client" });
    expect(oauthError(token({ grant_type: "authorization_code", code: "c", redirect_uri: REDIRECT, client_id: NARROW.clientId }))).toEqual({
      status: 401,
      error: "invalid_client",
      error_description: "client_id does not match the Basic credentials",
    });
    expect(oauthError(token({ grant_type: "authorization_code", code: "c", redirect_uri: REDIRECT, client_id: APP.clientId }))).toMatchObject({
      error: "invalid_grant",
    });
  });

  it("needs a grant_type it knows", () => {
    const { token } = setup();
    expect(oauthError(token({}))).toEqual({
      status: 400,
      error: "invalid_request",
      error_description: "grant_type is required: authorization_code or refresh_token",
    });
    expect(oauthError(token({ grant_type: "client_credentials" }))).toEqual({
      status: 400,
      error: "unsupported_grant_type",
      error_description: "grant_type must be authorization_code or refresh_token",
    });
  });

  it("reads the parameters from a form body or a JSON object as well as the query string", () => {
    const { call, authorize, codeOf } = setup();
    const auth = basic(APP.clientId, APP.clientSecret);
    const form = new URLSearchParams({ grant_type: "authorization_code", code: codeOf(authorize()), redirect_uri: REDIRECT }).toString();
    expect(call("POST", "/oauth2/generate-customer-token", { auth, body: form, type: "application/x-www-form-urlencoded; charset=utf-8" })!.status).toBe(200);
    const json = JSON.stringify({ grant_type: "authorization_code", code: codeOf(authorize()), redirect_uri: REDIRECT, ignored: 5 });
    expect(call("POST", "/oauth2/generate-customer-token", { auth, body: json, type: "application/json" })!.status).toBe(200);
    const unreadable = "the parameters go in the query string or an application/x-www-form-urlencoded body";
    for (const [body, type] of [
      ["grant_type=x", "text/plain"],
      ["[1]", "application/json"],
      ["{no", "application/json"],
      ["null", "application/json"],
    ] as const) {
      expect(oauthError(call("POST", "/oauth2/generate-customer-token", { auth, body, type })), `${type} ${body}`).toEqual({
        status: 400,
        error: "invalid_request",
        error_description: unreadable,
      });
    }
    expect(oauthError(call("POST", "/oauth2/generate-customer-token?grant_type=refresh_token", { auth, body: "  ", type: "text/plain" }))).toMatchObject({
      error_description: "refresh_token is required",
    });
  });
});

describe("refresh tokens: single use, rotating", () => {
  it("a refresh returns new tokens; the old refresh token is spent and the old access token stops working", () => {
    const { grant, refresh, check, server } = setup();
    const first = grant();
    const second = refresh(first.refresh_token).body as TokenBody;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.api_base_url_for_customer).toBe(first.api_base_url_for_customer);
    expect(errors(check(first.access_token))).toEqual(["Access denied: the access token was replaced by a refresh"]);
    expect(check(second.access_token)).toEqual({ ok: true, principal: "company:company-1" });
    expect(oauthError(refresh(first.refresh_token))).toEqual({
      status: 400,
      error: "invalid_grant",
      error_description: "the refresh token was already used (refresh tokens are single-use)",
    });
    expect(refresh(second.refresh_token).status).toBe(200);
    expect(server.describe().companies).toEqual([expect.objectContaining({ codeExchanges: 1, refreshes: 2, refusedRefreshes: 1 })]);
  });

  it("refuses an unknown token, another app's, and a missing one", () => {
    const { grant, refresh, token } = setup();
    const tokens = grant();
    expect(oauthError(refresh("made-up"))).toEqual({ status: 400, error: "invalid_grant", error_description: "Refresh token code is invalid" });
    expect(oauthError(refresh(tokens.refresh_token, NARROW))).toMatchObject({ error: "invalid_grant", error_description: "Refresh token code is invalid" });
    expect(oauthError(token({ grant_type: "refresh_token" }))).toEqual({
      status: 400,
      error: "invalid_request",
      error_description: "refresh_token is required",
    });
    expect(refresh(tokens.refresh_token).status).toBe(200); // the refused attempts did not spend it
  });

  it("a revoked refresh token, or a revoked company, means the customer must authorize again", () => {
    const { grant, refresh, call, authorize, codeOf, exchange } = setup();
    const a = grant();
    expect(call("POST", "/__mock/oauth/revoke", { body: JSON.stringify({ token: a.refresh_token }) })).toMatchObject({
      status: 200,
      body: { revoked: "refresh token", company: "company-1" },
    });
    expect(oauthError(refresh(a.refresh_token))).toMatchObject({
      error: "invalid_grant",
      error_description: "the refresh token has been revoked: the customer must authorize the app again",
    });
    const b = grant();
    const pending = codeOf(authorize());
    expect(call("POST", "/__mock/oauth/revoke", { body: JSON.stringify({ company: "company-2" }) })).toMatchObject({
      status: 200,
      body: { revoked: "company", company: "company-2" },
    });
    expect(oauthError(refresh(b.refresh_token))).toMatchObject({
      error_description: "the refresh token has been revoked: the customer must authorize the app again",
    });
    expect(exchange(pending).status).toBe(200); // company-3: another authorization
    const waiting = codeOf(authorize()); // company-4, revoked before its code is exchanged
    call("POST", "/__mock/oauth/revoke", { body: JSON.stringify({ company: "company-4" }) });
    expect(oauthError(exchange(waiting))).toEqual({ status: 400, error: "invalid_grant", error_description: "the authorization was revoked" });
  });
});

describe("Bearer tokens on the API", () => {
  it("an access token works until its expiry, at its company's base URL only", () => {
    const { grant, check, clock, server } = setup({ tokenTtlSeconds: 10 });
    const tokens = grant();
    const operation = spec.operations[0]!;
    expect(check(tokens.access_token)).toEqual({ ok: true, principal: "company:company-1" });
    expect(errors(server.checkBearer(tokens.access_token, operation, undefined))).toEqual([
      `Access denied: this access token is valid only at its company's base URL (api_base_url_for_customer), ${BASE}/customer/company-1`,
    ]);
    expect(errors(server.checkBearer(tokens.access_token, operation, "company-9"))[0]).toMatch(/valid only at its company's base URL/);
    clock.now += 9_999;
    expect(check(tokens.access_token).ok).toBe(true);
    clock.now += 1;
    const expired = check(tokens.access_token);
    expect(errors(expired)).toEqual(["Access denied: the access token has expired"]);
    expect(expired.ok ? undefined : expired.answer).toMatchObject({ status: 401, headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } });
    expect(errors(check("made-up"))).toEqual(["Access denied: the access token is not valid"]);
  });

  it("expire-all ends every live access token now; refresh tokens still work", () => {
    const { grant, refresh, call, server, clock } = setup({ tokenTtlSeconds: 10 });
    const a = grant();
    const b = grant();
    clock.now += 10_000; // a and b have expired already: not counted
    const c = grant();
    expect(call("POST", "/__mock/oauth/expire-all")).toMatchObject({ status: 200, body: { expired: 1 } });
    expect(server.expireAll()).toBe(0);
    expect(errors(server.checkBearer(c.access_token, spec.operations[0]!, "company-3"))).toEqual(["Access denied: the access token has expired"]);
    expect(refresh(a.refresh_token).status).toBe(200);
    expect(errors(server.checkBearer(b.access_token, spec.operations[0]!, "company-2"))).toEqual(["Access denied: the access token has expired"]);
  });

  it("a revoked access token or company is refused; the admin's answer names the kind and company, never the token", () => {
    const { grant, check, call } = setup();
    const a = grant();
    const revoked = call("POST", "/__mock/oauth/revoke", { body: JSON.stringify({ token: a.access_token }) })!;
    expect(revoked).toMatchObject({ status: 200, body: { revoked: "access token", company: "company-1" } });
    expect(JSON.stringify(revoked.body)).not.toContain(a.access_token);
    expect(errors(check(a.access_token))).toEqual(["Access denied: the access token has been revoked"]);
    const b = grant();
    call("POST", "/__mock/oauth/revoke", { body: JSON.stringify({ company: "company-2" }) });
    expect(errors(check(b.access_token))).toEqual(["Access denied: the access token has been revoked"]);
  });

  it("a token without the operation's scope gets 401 naming the scope (our reading), never the token", () => {
    const { server, call, codeOf } = setup();
    const query = new URLSearchParams({ client_id: NARROW.clientId, response_type: "code", scope: "api:calls:read:basic", redirect_uri: REDIRECT });
    const code = codeOf(call("GET", `/oauth2/authorize?${query}`)!);
    const tokens = call("POST", `/oauth2/generate-customer-token?${new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT })}`, {
      auth: basic(NARROW.clientId, NARROW.clientSecret),
    })!.body as TokenBody;
    for (const operation of spec.operations) {
      const check = server.checkBearer(tokens.access_token, operation, "company-1");
      expect(check.ok).toBe(false);
      const answer = check.ok ? undefined : check.answer;
      expect(answer).toMatchObject({
        status: 401,
        headers: { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${operation.scopes.join(" ")}"` },
        body: {
          requestId: expect.any(String),
          errors: [`Access denied: ${operation.operationId} needs the scope ${operation.scopes.join(" ")}, which this token was not granted`],
        },
      });
      expect(JSON.stringify(answer)).not.toContain(tokens.access_token);
    }
  });

  it("an operation without an oauth2 requirement does not take OAuth tokens", () => {
    const { grant, check } = setup();
    const tokens = grant();
    const document = structuredClone(spec.document) as { paths: Record<string, Record<string, { security?: unknown }>>; security?: unknown };
    const operation = spec.operations[0]!;
    document.paths[operation.path]![operation.method.toLowerCase()]!.security = [{ basicAuth: [] }];
    const basicOnly = { ...spec, document } as LoadedSpec;
    // The same token, first under the real spec, then under one whose operation takes Basic only (a reload).
    const swapped = { current: spec };
    const live = new MockOAuthServer(
      { clients: [APP] },
      () => BASE,
      () => swapped.current,
      () => 0,
    );
    const code = new URL(
      (
        live.route(
          "GET",
          new URL(
            `${BASE}/oauth2/authorize?client_id=${APP.clientId}&response_type=code&scope=${encodeURIComponent(allScopes.join(" "))}&redirect_uri=${REDIRECT}`,
          ),
          {},
          undefined,
        )!.headers as Record<string, string>
      ).Location!,
    ).searchParams.get("code")!;
    const issued = live.route(
      "POST",
      new URL(`${BASE}/oauth2/generate-customer-token?grant_type=authorization_code&code=${code}&redirect_uri=${REDIRECT}`),
      { authorization: basic(APP.clientId, APP.clientSecret) },
      undefined,
    )!.body as TokenBody;
    expect(live.checkBearer(issued.access_token, operation, "company-1").ok).toBe(true);
    swapped.current = basicOnly;
    expect(errors(live.checkBearer(issued.access_token, operation, "company-1"))).toEqual([
      `Access denied: ${operation.operationId} does not accept OAuth tokens`,
    ]);
    expect(check(tokens.access_token).ok).toBe(true);
  });

  it("authenticate decides Bearer requests and hands every other request to the usual check", () => {
    const { grant, server } = setup();
    const tokens = grant();
    const operation = spec.operations[0]!;
    const request = (authorization?: string) => ({
      req: { headers: authorization === undefined ? {} : { authorization } },
      operation,
      principal: undefined as string | undefined,
    });
    const accepted = request(`Bearer ${tokens.access_token}`);
    expect(server.authenticate(accepted, "company-1")).toBe("accepted");
    expect(accepted.principal).toBe("company:company-1");
    const refused = request("Bearer made-up");
    expect(server.authenticate(refused, "company-1")).toMatchObject({ status: 401 });
    expect(refused.principal).toBeUndefined();
    expect(server.authenticate(request(basic()), "company-1")).toBeUndefined();
    expect(server.authenticate(request(), undefined)).toBeUndefined();
  });
});

describe("admin endpoints", () => {
  it("describes apps, URLs, scopes and companies, never a token or secret", () => {
    const { grant, call } = setup({ tokenTtlSeconds: 7, codeTtlSeconds: 9 });
    const tokens = grant();
    const state = call("GET", "/__mock/oauth")!;
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      clients: ["app-1", "app-2"],
      tokenTtlSeconds: 7,
      codeTtlSeconds: 9,
      authorizeUrl: `${BASE}/oauth2/authorize`,
      tokenUrl: `${BASE}/oauth2/generate-customer-token`,
      scopes: allScopes,
    });
    const text = JSON.stringify(state.body);
    for (const secret of [tokens.access_token, tokens.refresh_token, APP.clientSecret]) expect(text).not.toContain(secret);
  });

  it("refuses a revoke it cannot read, an unknown company or token, and unknown admin paths", () => {
    const { call, grant } = setup();
    const revoke = (body?: string) => call("POST", "/__mock/oauth/revoke", { body });
    expect(revoke("{bad")).toMatchObject({ status: 400, body: { errors: ['body: JSON, {"token": "<access or refresh token>"} or {"company": "company-1"}'] } });
    expect(revoke("{}")).toMatchObject({ status: 400, body: { errors: ['body: {"token": "<access or refresh token>"} or {"company": "company-1"}'] } });
    expect(revoke()).toMatchObject({ status: 400 });
    expect(revoke(JSON.stringify({ company: "company-1" }))).toMatchObject({
      status: 404,
      body: { errors: ['company: no company "company-1"; the companies are none yet'] },
    });
    grant();
    expect(revoke(JSON.stringify({ company: "company-7" }))).toMatchObject({
      status: 404,
      body: { errors: ['company: no company "company-7"; the companies are company-1'] },
    });
    expect(revoke(JSON.stringify({ token: "made-up" }))).toMatchObject({ status: 404, body: { errors: ["token: not a token this mock issued"] } });
    expect(call("GET", "/__mock/oauth/revoke")).toMatchObject({ status: 404 });
    expect(call("POST", "/__mock/oauth")).toMatchObject({ status: 404 });
    expect(call("DELETE", "/__mock/oauthx")).toMatchObject({ status: 404 });
    expect(call("GET", "/__mock/events")).toBeUndefined();
  });
});

describe("helpers", () => {
  it("takeCustomerPrefix takes the company off a company's base URL path", () => {
    const url = new URL(`${BASE}/customer/company-12/v2/x?y=1`);
    expect(takeCustomerPrefix(url)).toBe("company-12");
    expect(url.pathname).toBe("/v2/x");
    const plain = new URL(`${BASE}/v2/x`);
    expect(takeCustomerPrefix(plain)).toBeUndefined();
    expect(plain.pathname).toBe("/v2/x");
    expect(takeCustomerPrefix(new URL(`${BASE}/customer/Company_1/v2`))).toBeUndefined();
    expect(takeCustomerPrefix(new URL(`${BASE}/x/customer/c/v2`))).toBeUndefined();
  });

  it("bearerToken reads one Bearer token, any case, and nothing else", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("  bearer   abc  ")).toBe("abc");
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("xBearer abc")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it("tagCompany marks an accepted event with the company that sent it, and nothing else", () => {
    const journal = { company: undefined } as unknown as NonNullable<Answer["journal"]>;
    expect(tagCompany({ status: 200, headers: {}, journal }, "company:company-3").journal!.company).toBe("company-3");
    const basicEntry = {} as NonNullable<Answer["journal"]>;
    tagCompany({ status: 200, headers: {}, journal: basicEntry }, "basic:key");
    expect(basicEntry.company).toBeUndefined();
    expect(tagCompany({ status: 401, headers: {} }, "company:x")).toEqual({ status: 401, headers: {} });
  });

  it("loggableUrl redacts codes, tokens and secrets in the query string only", () => {
    expect(loggableUrl("/oauth2/generate-customer-token?grant_type=refresh_token&refresh_token=rt-1&client_secret=s&code=c&access_token=a&state=ok")).toBe(
      "/oauth2/generate-customer-token?grant_type=refresh_token&refresh_token=%5Bredacted%5D&client_secret=%5Bredacted%5D&code=%5Bredacted%5D&access_token=%5Bredacted%5D&state=ok",
    );
    expect(loggableUrl("/v2/x")).toBe("/v2/x");
    expect(loggableUrl(undefined)).toBe("");
    expect(loggableUrl("/v2/x?a=1")).toBe("/v2/x?a=1");
  });

  it("parseOAuthClient splits id:secret at the first colon, both non-empty", () => {
    expect(parseOAuthClient("id:se:cret")).toEqual({ clientId: "id", clientSecret: "se:cret" });
    for (const bad of ["id", ":secret", "id:", ""])
      expect(() => parseOAuthClient(bad), bad).toThrow("an OAuth client is <client id>:<client secret>, both non-empty");
  });

  it("the server's options are checked up front (MockConfigError)", () => {
    expect(
      () =>
        new MockOAuthServer(
          { clients: [APP], codeTtlSeconds: 0 },
          () => BASE,
          () => spec,
        ),
    ).toThrow(MockConfigError);
    expect(
      () =>
        new MockOAuthServer(
          { clients: [{ ...APP, redirectUris: [5 as unknown as string] }] },
          () => BASE,
          () => spec,
        ),
    ).toThrow("redirectUris[0]");
    expect(
      () =>
        new MockOAuthServer(
          { clients: [{ ...APP, redirectUris: "x" as unknown as string[] }] },
          () => BASE,
          () => spec,
        ),
    ).toThrow("must be a list of absolute http(s) URLs");
    expect(
      () =>
        new MockOAuthServer(
          { clients: [{ ...APP, scopes: ["a b"] }] },
          () => BASE,
          () => spec,
        ),
    ).toThrow("must list at least one scope name (no spaces)");
    expect(
      () =>
        new MockOAuthServer(
          undefined as never,
          () => BASE,
          () => spec,
        ),
    ).toThrow("`oauth.clients` must list at least one");
    expect(
      new MockOAuthServer(
        { clients: [APP] },
        () => BASE,
        () => spec,
      ).tokenTtlSeconds,
    ).toBe(86_400);
  });
});
