// The mock as Gong's OAuth server, over plain HTTP: the authorize page, the token endpoint (both grants, Basic
// client auth, query string or form body, single-use codes, rotating single-use refresh tokens), Bearer tokens
// on the API (expired, replaced, revoked, wrong host, missing scope), per-company limits and journal views,
// the admin endpoints, the CLI flags, and no secret in any log line or answer but the token response.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MockConfigError } from "../src/config-error.js";
import { MockOAuthServer } from "../src/oauth-server.js";
import { type MockServer, startMockServer } from "../src/server.js";
import { loadSpec } from "../src/spec.js";
import { basic, eventFor, model, put, SHARED, sharedEvent } from "./helpers.js";

const APP = { clientId: "app-1", clientSecret: "secret-of-app-1" };
const OTHER = { clientId: "app-2", clientSecret: "secret-of-app-2", scopes: ["api:calls:read:basic"] };
const REDIRECT = "http://127.0.0.1:9/callback";
const SCOPE = "api:engagement-data:write"; // the spec's oauth2 scope (checked below against GET /__mock/oauth)

let mock: MockServer;
const logLines: string[] = [];
const issued = new Set<string>();

beforeAll(async () => {
  mock = await startMockServer({ port: 0, ratePerSecond: 0, oauth: { clients: [APP, OTHER] }, log: (line) => logLines.push(line) });
});
afterAll(() => mock.close());

function authorizeUrl(params: Record<string, string>) {
  const url = new URL(`${mock.url}/oauth2/authorize`);
  for (const [name, value] of Object.entries({
    client_id: APP.clientId,
    response_type: "code",
    scope: SCOPE,
    redirect_uri: REDIRECT,
    state: "s-1",
    ...params,
  })) {
    if (value !== "") url.searchParams.set(name, value);
  }
  return url.href;
}
async function authorize(params: Record<string, string> = {}) {
  const response = await fetch(authorizeUrl(params), { redirect: "manual" });
  const location = response.headers.get("location");
  return { status: response.status, location: location ? new URL(location) : undefined, body: await response.json() };
}
async function code(params: Record<string, string> = {}) {
  const value = (await authorize(params)).location!.searchParams.get("code")!;
  issued.add(value);
  return value;
}
async function token(params: Record<string, string>, { auth = basic(APP.clientId, APP.clientSecret), form = false } = {}) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${mock.url}/oauth2/generate-customer-token${form ? "" : `?${query}`}`, {
    method: "POST",
    headers: { ...(auth ? { Authorization: auth } : {}), ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}) },
    body: form ? query : undefined,
  });
  const json = await response.json();
  for (const name of ["access_token", "refresh_token"]) if (json[name]) issued.add(json[name]);
  return { status: response.status, json };
}
const exchange = async (value: string, extra: Record<string, string> = {}) =>
  token({ grant_type: "authorization_code", code: value, redirect_uri: REDIRECT, ...extra });
const refresh = (refreshToken: string, options?: Parameters<typeof token>[1]) => token({ grant_type: "refresh_token", refresh_token: refreshToken }, options);
const bearer = (accessToken: string) => ({ Authorization: `Bearer ${accessToken}` });
const admin = (path: string, body: unknown) =>
  fetch(`${mock.url}/__mock/oauth${path}`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));
const companyOf = (baseUrl: string) => baseUrl.split("/customer/")[1]!;

describe("GET /oauth2/authorize", () => {
  it("approves at once: a redirect to the redirect URI with a code and the state unchanged", async () => {
    const { status, location, body } = await authorize({ state: "opaque value/ü" });
    expect(status).toBe(302);
    expect(`${location!.origin}${location!.pathname}`).toBe(REDIRECT);
    expect(location!.searchParams.get("state")).toBe("opaque value/ü");
    expect(location!.searchParams.get("code")).toMatch(/\S{20,}/);
    expect(body.location).toBe(location!.href);
  });

  it("answers itself, without redirecting, when the client or the redirect URI is wrong", async () => {
    for (const [params, problem] of [
      [{ client_id: "" }, "client_id: is required"],
      [{ client_id: "nobody" }, "client_id: no OAuth app with this client id"],
      [{ redirect_uri: "" }, "redirect_uri: is required"],
      [{ redirect_uri: "ftp://x/cb" }, "redirect_uri: must be an absolute http(s) URL"],
    ] as const) {
      const { status, location, body } = await authorize(params);
      expect(status).toBe(400);
      expect(location).toBeUndefined();
      expect(body.errors).toEqual([problem]);
      expect(body.requestId).toEqual(expect.any(String));
    }
  });

  it("sends other errors back to the redirect URI with error and state: response_type, unknown or missing scope", async () => {
    for (const [params, error] of [
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ scope: `${SCOPE} api:made-up:write` }, "invalid_scope"],
      [{ scope: "" }, "invalid_scope"],
    ] as const) {
      const { status, location } = await authorize(params);
      expect(status).toBe(302);
      expect(location!.searchParams.get("error")).toBe(error);
      expect(location!.searchParams.get("state")).toBe("s-1");
      expect(location!.searchParams.has("code")).toBe(false);
    }
  });
});

describe("POST /oauth2/generate-customer-token", () => {
  it("exchanges a code (parameters in the query string): the token response Gong gives, base URL on the mock", async () => {
    const { status, json } = await exchange(await code(), { client_id: APP.clientId });
    expect(status).toBe(200);
    expect(json).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: SCOPE,
      token_type: "bearer",
      expires_in: 86_400,
      api_base_url_for_customer: expect.stringMatching(new RegExp(`^${mock.url}/customer/company-\\d+$`)),
    });
    const state = mock.oauth()!;
    expect(state.scopes).toContain(SCOPE); // the scope used above is one of the spec's
  });

  it("takes the parameters from a form body too", async () => {
    const first = await token({ grant_type: "authorization_code", code: await code(), redirect_uri: REDIRECT }, { form: true });
    expect(first.status).toBe(200);
    const renewed = await token({ grant_type: "refresh_token", refresh_token: first.json.refresh_token }, { form: true });
    expect(renewed.status).toBe(200);
  });

  it("refuses a missing or wrong client authentication with 401 invalid_client", async () => {
    const missing = await token({ grant_type: "authorization_code", code: await code(), redirect_uri: REDIRECT }, { auth: "" });
    expect(missing).toMatchObject({ status: 401, json: { error: "invalid_client" } });
    const wrong = await token(
      { grant_type: "authorization_code", code: await code(), redirect_uri: REDIRECT },
      { auth: basic(APP.clientId, "not-the-secret") },
    );
    expect(wrong).toMatchObject({ status: 401, json: { error: "invalid_client", error_description: "unknown client id or wrong client secret" } });
    const mismatch = await exchange(await code(), { client_id: OTHER.clientId });
    expect(mismatch).toMatchObject({ status: 401, json: { error: "invalid_client" } });
  });

  it("codes are single-use, bound to their app and redirect URI", async () => {
    const value = await code();
    expect((await exchange(value, { redirect_uri: "http://127.0.0.1:9/elsewhere" })).json).toEqual({
      error: "invalid_grant",
      error_description: "redirect_uri does not match the one sent to /oauth2/authorize",
    });
    expect(
      (await token({ grant_type: "authorization_code", code: value, redirect_uri: REDIRECT }, { auth: basic(OTHER.clientId, OTHER.clientSecret) })).json.error,
    ).toBe("invalid_grant");
    expect((await exchange(value)).status).toBe(200);
    expect(await exchange(value)).toEqual({ status: 400, json: { error: "invalid_grant", error_description: "the authorization code was already used" } });
    expect((await exchange("made-up-code")).json.error).toBe("invalid_grant");
    expect((await token({ grant_type: "authorization_code", code: await code() })).json).toMatchObject({ error: "invalid_request" });
    expect((await token({ grant_type: "password" })).json).toMatchObject({ error: "unsupported_grant_type" });
    expect((await token({})).json).toMatchObject({ error: "invalid_request" });
    const get = await fetch(`${mock.url}/oauth2/generate-customer-token`);
    expect(get.status).toBe(405);
  });

  it("refresh tokens rotate and are single-use; the replaced access token stops working", async () => {
    const first = (await exchange(await code())).json;
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    expect(second.json.access_token).not.toBe(first.access_token);
    expect(second.json.api_base_url_for_customer).toBe(first.api_base_url_for_customer);
    expect(await refresh(first.refresh_token)).toEqual({
      status: 400,
      json: { error: "invalid_grant", error_description: "the refresh token was already used (refresh tokens are single-use)" },
    });
    const base = first.api_base_url_for_customer;
    const old = await put(base, SHARED, sharedEvent(), bearer(first.access_token));
    expect(old.status).toBe(401);
    expect(old.json.errors).toEqual(["Access denied: the access token was replaced by a refresh"]);
    expect((await put(base, SHARED, sharedEvent(), bearer(second.json.access_token))).status).toBe(200);
    expect((await refresh(second.json.refresh_token, { auth: basic(OTHER.clientId, OTHER.clientSecret) })).json.error).toBe("invalid_grant");
  });
});

describe("Bearer tokens on the API", () => {
  it("expired (POST /__mock/oauth/expire-all): 401 with requestId and errors as Gong answers; a refresh still works", async () => {
    const tokens = (await exchange(await code())).json;
    const base = tokens.api_base_url_for_customer;
    expect((await put(base, SHARED, sharedEvent(), bearer(tokens.access_token))).status).toBe(200);
    const { json } = await admin("/expire-all", {});
    expect(json.expired).toBeGreaterThan(0);
    const refused = await put(base, SHARED, sharedEvent(), bearer(tokens.access_token)); // checked against the spec's 401
    expect(refused.status).toBe(401);
    expect(refused.json.errors).toEqual(["Access denied: the access token has expired"]);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    const renewed = (await refresh(tokens.refresh_token)).json;
    expect((await put(base, SHARED, sharedEvent(), bearer(renewed.access_token))).status).toBe(200);
  });

  it("revoked: an access token, a refresh token, or the whole company (the customer removed the app)", async () => {
    const tokens = (await exchange(await code())).json;
    const base = tokens.api_base_url_for_customer;
    expect(await admin("/revoke", { token: tokens.access_token })).toEqual({ status: 200, json: { revoked: "access token", company: companyOf(base) } });
    expect((await put(base, SHARED, sharedEvent(), bearer(tokens.access_token))).json.errors).toEqual(["Access denied: the access token has been revoked"]);
    const renewed = (await refresh(tokens.refresh_token)).json;
    expect((await put(base, SHARED, sharedEvent(), bearer(renewed.access_token))).status).toBe(200);
    expect(await admin("/revoke", { company: companyOf(base) })).toEqual({ status: 200, json: { revoked: "company", company: companyOf(base) } });
    expect((await put(base, SHARED, sharedEvent(), bearer(renewed.access_token))).status).toBe(401);
    expect((await refresh(renewed.refresh_token)).json.error).toBe("invalid_grant");
    expect((await admin("/revoke", { token: "never-issued" })).status).toBe(404);
    expect((await admin("/revoke", { company: "company-999" })).status).toBe(404);
    expect((await admin("/revoke", {})).status).toBe(400);
  });

  it("a token works only at its company's base URL, and an unknown Bearer token is refused", async () => {
    const a = (await exchange(await code())).json;
    const b = (await exchange(await code())).json;
    const atBare = await put(mock.url, SHARED, sharedEvent(), bearer(a.access_token));
    expect(atBare.status).toBe(401);
    expect(atBare.json.errors[0]).toContain(a.api_base_url_for_customer);
    expect((await put(b.api_base_url_for_customer, SHARED, sharedEvent(), bearer(a.access_token))).status).toBe(401);
    expect((await put(a.api_base_url_for_customer, SHARED, sharedEvent(), bearer("made-up"))).json.errors).toEqual([
      "Access denied: the access token is not valid",
    ]);
    // Access keys keep working beside OAuth.
    expect((await put(mock.url, SHARED, sharedEvent(), { Authorization: basic() })).status).toBe(200);
  });

  it("a token without the operation's scope is refused with a documented 401 (our reading) naming the scope, never the token", async () => {
    const value = (await authorize({ client_id: OTHER.clientId, scope: OTHER.scopes[0]! })).location!.searchParams.get("code")!;
    const tokens = (await token({ grant_type: "authorization_code", code: value, redirect_uri: REDIRECT }, { auth: basic(OTHER.clientId, OTHER.clientSecret) }))
      .json;
    issued.add(value).add(tokens.access_token).add(tokens.refresh_token);
    expect(tokens.scope).toBe(OTHER.scopes[0]);
    for (const operation of model.operations) {
      // put() also checks the answer against what the spec documents for the operation (status, body, headers).
      const reply = await put(tokens.api_base_url_for_customer, operation.path, eventFor(operation), bearer(tokens.access_token), operation.method);
      expect(reply.status, operation.operationId).toBe(401);
      expect(reply.json.requestId).toEqual(expect.any(String));
      expect(reply.json.errors).toEqual([
        `Access denied: ${operation.operationId} needs the scope ${operation.scopes.join(" ")}, which this token was not granted`,
      ]);
      expect(reply.headers.get("www-authenticate")).toBe(`Bearer error="insufficient_scope", scope="${operation.scopes.join(" ")}"`);
      expect(reply.text).not.toContain(tokens.access_token);
    }
    // A token with one operation's scope only is accepted there and refused at the others.
    const [first, ...others] = model.operations;
    const narrow = (await exchange(await code({ scope: first!.scopes.join(" ") }))).json;
    expect((await put(narrow.api_base_url_for_customer, first!.path, eventFor(first!), bearer(narrow.access_token), first!.method)).status).toBe(200);
    for (const operation of others.filter((o) => o.scopes.some((scope) => !first!.scopes.includes(scope)))) {
      expect((await put(narrow.api_base_url_for_customer, operation.path, eventFor(operation), bearer(narrow.access_token), operation.method)).status).toBe(
        401,
      );
    }
  });

  it("journal entries carry the company; GET /__mock/events?company= is that company's view", async () => {
    const a = (await exchange(await code())).json;
    const b = (await exchange(await code())).json;
    const [ea, eb] = [sharedEvent(), sharedEvent()];
    await put(a.api_base_url_for_customer, SHARED, ea, bearer(a.access_token));
    await put(b.api_base_url_for_customer, SHARED, eb, bearer(b.access_token));
    const view = async (base: string) => (await (await fetch(`${mock.url}/__mock/events?company=${companyOf(base)}`)).json()).events;
    expect((await view(a.api_base_url_for_customer)).map((e: { body: { eventId: string } }) => e.body.eventId)).toEqual([ea.eventId]);
    expect((await view(b.api_base_url_for_customer))[0]).toMatchObject({ company: companyOf(b.api_base_url_for_customer), body: { eventId: eb.eventId } });
  });

  it("no code, token or secret appears in a log line, the journal or the admin state", async () => {
    expect(issued.size).toBeGreaterThan(30);
    const outputs = [logLines.join("\n"), await (await fetch(`${mock.url}/__mock/events`)).text(), await (await fetch(`${mock.url}/__mock/oauth`)).text()].join(
      "\n",
    );
    for (const secret of [APP.clientSecret, OTHER.clientSecret, ...issued]) expect(outputs.includes(secret), "a credential leaked").toBe(false);
    expect(logLines.some((line) => /POST \/oauth2\/generate-customer-token\?grant_type=refresh_token&refresh_token=%5Bredacted%5D 200/.test(line))).toBe(true);
  });
});

describe("rate limits per company", () => {
  it("a company's refreshed tokens share its budget; another company has its own", async () => {
    const limited = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 1, oauth: { clients: [APP] } });
    try {
      const grant = async () => {
        const redirect = await fetch(`${limited.url}/oauth2/authorize?client_id=${APP.clientId}&response_type=code&scope=${SCOPE}&redirect_uri=${REDIRECT}`, {
          redirect: "manual",
        });
        const value = new URL(redirect.headers.get("location")!).searchParams.get("code")!;
        const response = await fetch(`${limited.url}/oauth2/generate-customer-token?grant_type=authorization_code&code=${value}&redirect_uri=${REDIRECT}`, {
          method: "POST",
          headers: { Authorization: basic(APP.clientId, APP.clientSecret) },
        });
        return response.json();
      };
      const [a, b] = [await grant(), await grant()];
      expect((await put(a.api_base_url_for_customer, SHARED, sharedEvent(), bearer(a.access_token))).status).toBe(200);
      const renewed = await (
        await fetch(`${limited.url}/oauth2/generate-customer-token?grant_type=refresh_token&refresh_token=${a.refresh_token}`, {
          method: "POST",
          headers: { Authorization: basic(APP.clientId, APP.clientSecret) },
        })
      ).json();
      // One call a day per company (the token endpoint is not rate limited): company A's budget is spent.
      expect((await put(a.api_base_url_for_customer, SHARED, sharedEvent(), bearer(renewed.access_token))).status).toBe(429);
      expect((await put(b.api_base_url_for_customer, SHARED, sharedEvent(), bearer(b.access_token))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("OAuth off, options and flags", () => {
  it("without `oauth` the OAuth routes do not exist and any Bearer token is accepted as before", async () => {
    const plain = await startMockServer({ port: 0, ratePerSecond: 0 });
    try {
      expect((await fetch(`${plain.url}/oauth2/authorize`)).status).toBe(404);
      expect((await put(plain.url, SHARED, sharedEvent(), bearer("anything"))).status).toBe(200);
      expect(plain.oauth()).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it("refuses bad oauth options, and options OAuth cannot work with, as a MockConfigError naming the option", async () => {
    const refused: Array<[Parameters<typeof startMockServer>[0], string]> = [
      [{ oauth: { clients: [] } }, "`oauth.clients` must list at least one { clientId, clientSecret }"],
      [{ oauth: { clients: [{ clientId: "a:b", clientSecret: "s" }] } }, "`oauth.clients[0].clientId` must not contain ':'"],
      [{ oauth: { clients: [APP, { clientId: APP.clientId, clientSecret: "x" }] } }, '`oauth.clients[1].clientId` repeats "app-1"'],
      [{ oauth: { clients: [{ clientId: "a", clientSecret: " " }] } }, "`oauth.clients[0].clientSecret` must be a non-empty string"],
      [{ oauth: { clients: [{ ...APP, scopes: [] }] } }, "`oauth.clients[0].scopes` must list at least one scope name"],
      [{ oauth: { clients: [{ ...APP, redirectUris: ["ftp://x/cb"] }] } }, "`oauth.clients[0].redirectUris[0]` must be an absolute http(s) URL"],
      [{ oauth: { clients: [APP], tokenTtlSeconds: 0 } }, "`oauth.tokenTtlSeconds` must be a whole number of seconds from 1"],
      [{ oauth: { clients: [APP], codeTtlSeconds: 1.5 } }, "`oauth.codeTtlSeconds` must be a whole number of seconds from 1"],
      [{ oauth: { clients: [APP] }, upstream: "http://127.0.0.1:9" }, "`oauth` cannot be combined with `upstream`"],
      [{ oauth: { clients: [APP] }, credentials: { bearerTokens: ["fixed"] } }, "`credentials.bearerTokens` cannot be combined with `oauth`"],
    ];
    for (const [options, message] of refused) {
      const error = await startMockServer({ port: 0, ...options }).then(
        async (started) => {
          await started.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error, message).toBeInstanceOf(MockConfigError);
      expect((error as Error).message).toContain(message);
    }
    // A fixed access key works beside OAuth.
    const both = await startMockServer({ port: 0, oauth: { clients: [APP] }, credentials: { accessKeys: [{ accessKey: "k", accessKeySecret: "s" }] } });
    try {
      expect((await put(both.url, SHARED, sharedEvent(), { Authorization: basic("k", "s") })).status).toBe(200);
      expect((await put(both.url, SHARED, sharedEvent(), { Authorization: basic("k", "other") })).status).toBe(401);
    } finally {
      await both.close();
    }
  });

  it("a spec without an oauth2 scheme cannot run the OAuth server", () => {
    const spec = { document: { components: { securitySchemes: { basicAuth: { type: "http", scheme: "basic" } } } } } as never;
    expect(
      () =>
        new MockOAuthServer(
          { clients: [APP] },
          () => "http://mock.local",
          () => spec,
        ),
    ).toThrow(MockConfigError);
    expect(
      () =>
        new MockOAuthServer(
          { clients: [APP] },
          () => "http://mock.local",
          () => spec,
        ),
    ).toThrow("needs a spec with an oauth2 security scheme");
  });

  it("a code expires after codeTtlSeconds", async () => {
    const spec = await loadSpec();
    let now = 1_000_000;
    const server = new MockOAuthServer(
      { clients: [APP], codeTtlSeconds: 60 },
      () => "http://mock.local",
      () => spec,
      () => now,
    );
    const redirect = server.route("GET", new URL(authorizeUrl({}).replace(mock.url, "http://mock.local")), {}, undefined)!;
    const value = new URL((redirect.headers as Record<string, string>).Location!).searchParams.get("code")!;
    now += 60_000;
    const url = new URL(
      `http://mock.local/oauth2/generate-customer-token?grant_type=authorization_code&code=${value}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    const answer = server.route("POST", url, { authorization: basic(APP.clientId, APP.clientSecret) }, undefined)!;
    expect(answer).toMatchObject({ status: 400, body: { error: "invalid_grant", error_description: "the authorization code has expired" } });
  });

  it("gong-mock --oauth-client id:secret --token-ttl n: the banner names the app, never its secret, and says which credentials work", async () => {
    const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    // Every OAuth flag problem: exit 2, one line naming it. These processes stop before loading Prism, so they
    // run beside the one that starts.
    const refusals: Array<[string[], Record<string, string>, string]> = [
      [["--token-ttl", "5"], {}, "--token-ttl needs --oauth-client <id>:<secret>"],
      [["--oauth-client", "a:b", "--token-ttl", "0"], {}, "--token-ttl must be a whole number of seconds from 1"],
      [["--oauth-client", "no-secret"], {}, "--oauth-client: an OAuth client is <client id>:<client secret>"],
      [["--oauth-client", "a:b", "--oauth-client", "a:c"], {}, "`oauth.clients[1].clientId` repeats"],
      [["--oauth-client", "a:b", "--upstream", "http://127.0.0.1:9"], {}, "--oauth-client cannot be combined with --upstream"],
      [["--oauth-client", "a:b"], { GONG_MOCK_BEARER_TOKEN: "fixed" }, "GONG_MOCK_BEARER_TOKEN cannot be combined with --oauth-client"],
      [[], { GONG_MOCK_OAUTH_CLIENTS: "a:b", GONG_MOCK_TOKEN_TTL: "soon" }, "--token-ttl must be a whole number of seconds from 1"],
    ];
    const refused = Promise.all(
      refusals.map(([args, env]) => {
        const usage = spawn(process.execPath, [cli, "--port", "0", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        usage.stderr!.on("data", (d) => (err += d));
        return new Promise<{ code: number | null; err: string }>((resolve) => usage.on("exit", (code) => resolve({ code, err })));
      }),
    );
    const help = spawn(process.execPath, [cli, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    help.stdout!.on("data", (d) => (text += d));
    const helped = new Promise((resolve) => help.on("exit", resolve));

    const child = spawn(process.execPath, [cli, "--port", "0", "--oauth-client", "cli-app:cli-secret-123", "--token-ttl", "5"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    try {
      const deadline = Date.now() + 30_000;
      while (!/token:\s+POST/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(/OAuth server for cli-app; access tokens live 5s/);
      expect(out).toMatch(/^Credentials: Basic any well-formed key:secret; Bearer only access tokens its OAuth server issued/m);
      expect(out).not.toContain("cli-secret-123");
      const url = /listening on (http:\/\/[\d.:]+)/.exec(out)![1]!;
      const state = await (await fetch(`${url}/__mock/oauth`)).json();
      expect(state).toMatchObject({ clients: ["cli-app"], tokenTtlSeconds: 5 });
      // The banner's word holds: a Bearer token the OAuth server did not issue is refused.
      expect((await put(url, SHARED, sharedEvent(), bearer("any-token"))).status).toBe(401);
    } finally {
      child.kill("SIGKILL");
    }
    (await refused).forEach(({ code, err }, i) => {
      expect(code, refusals[i]![2]).toBe(2);
      expect(err.trimEnd().split("\n")).toEqual([expect.stringContaining(refusals[i]![2])]);
      expect(err).not.toContain("fixed");
    });
    expect(await helped).toBe(0);
    for (const word of ["--oauth-client <id>:<secret>", "GONG_MOCK_OAUTH_CLIENTS", "--token-ttl <seconds>", "GONG_MOCK_TOKEN_TTL"])
      expect(text).toContain(word);
  });
});
