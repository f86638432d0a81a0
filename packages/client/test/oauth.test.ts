// The OAuth helper against a real HTTP server on loopback: the authorize URL, the two grants as Gong takes them
// (Basic client auth, parameters in the query string, no body), typed and redacted results, and its errors:
// invalid_grant ("authorize again") apart from transient failures, with no credential in any of them.
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { oauth2Flow } from "../src/generated/oauth.js";
import { createOAuthApp, GongAuthorizationRequiredError, GongOAuthError, GongTokens, type OAuthAppOptions } from "../src/index.js";
import { type ScriptedServer, type Step, scriptedServer } from "./scripted-server.js";

const SECRET = "client-secret-Zq81mXw";
const app = (options: Partial<OAuthAppOptions> = {}) =>
  createOAuthApp({ clientId: "app-7Hq2", clientSecret: SECRET, redirectUri: "https://partner.example.com/oauth/gong/callback", ...options });

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function appFor(steps: Step[], options: Partial<OAuthAppOptions> = {}) {
  server = await scriptedServer(steps);
  return { oauth: app({ tokenUrl: `${server.url}/oauth2/generate-customer-token`, ...options }), server };
}
const tokenAnswer = (fields: Record<string, unknown> = {}): Step => ({
  status: 200,
  body: {
    access_token: "at-first-0001",
    refresh_token: "rt-first-0001",
    scope: "api:engagement-data:write api:digital-interactions:write",
    token_type: "bearer",
    expires_in: 86_400,
    api_base_url_for_customer: "https://company-17.api.gong.io/",
    ...fields,
  },
});

describe("authorizeUrl", () => {
  it("is Gong's authorize URL with client_id, response_type=code, space-separated scope (%20), redirect_uri and state", () => {
    const url = app().authorizeUrl({ state: "b7e0c1", scopes: ["api:engagement-data:write", "api:digital-interactions:write"] });
    expect(url).toBe(
      `${oauth2Flow!.authorizationUrl}?client_id=app-7Hq2&response_type=code&scope=api%3Aengagement-data%3Awrite%20api%3Adigital-interactions%3Awrite` +
        "&redirect_uri=https%3A%2F%2Fpartner.example.com%2Foauth%2Fgong%2Fcallback&state=b7e0c1",
    );
    expect(new URL(url).searchParams.get("scope")).toBe("api:engagement-data:write api:digital-interactions:write");
  });

  it("defaults to the spec's authorize URL and scopes, and refuses a missing state or bad scopes", () => {
    const url = new URL(app().authorizeUrl({ state: "s" }));
    expect(`${url.origin}${url.pathname}`).toBe(oauth2Flow!.authorizationUrl);
    expect(url.searchParams.get("scope")).toBe(oauth2Flow!.scopes.join(" "));
    expect(() => app().authorizeUrl({ state: "" })).toThrow("authorizeUrl: `state` must be a non-empty string");
    expect(() => app().authorizeUrl({ state: "s", scopes: [] })).toThrow("`scopes` must be a non-empty list of scope names");
    expect(() => app().authorizeUrl({ state: "s", scopes: ["a b"] })).toThrow("`scopes` must be a non-empty list of scope names");
  });

  it("checks the options: URLs absolute http(s), id without ':', secrets non-empty (never echoed)", () => {
    expect(() => app({ redirectUri: "/callback" })).toThrow("`redirectUri` must be an absolute http(s) URL");
    expect(() => app({ tokenUrl: "ftp://app.gong.io/token" })).toThrow("`tokenUrl` must use http or https");
    expect(() => app({ authorizeUrl: "https://user:pw@app.gong.io/oauth2/authorize" })).toThrow("`authorizeUrl` must not carry credentials");
    expect(() => app({ clientId: "a:b" })).toThrow("`clientId` must not contain ':'");
    expect(() => app({ clientSecret: " " })).toThrow("createOAuthApp: `clientSecret` must be a non-empty string.");
    expect(() => app({ timeoutMs: -1 })).toThrow("`timeoutMs` must be a non-negative number");
  });
});

describe("exchangeCode and refresh", () => {
  it("POSTs the code exchange with Basic client auth and the parameters in the query string, no body", async () => {
    const { oauth, server } = await appFor([tokenAnswer()]);
    const before = Date.now();
    const tokens = await oauth.exchangeCode("code-Q2h3Zk1u");
    const [request] = server.received;
    expect(request!.method).toBe("POST");
    const url = new URL(request!.url, server.url);
    expect(url.pathname).toBe("/oauth2/generate-customer-token");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      grant_type: "authorization_code",
      code: "code-Q2h3Zk1u",
      redirect_uri: "https://partner.example.com/oauth/gong/callback",
      client_id: "app-7Hq2",
    });
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`app-7Hq2:${SECRET}`).toString("base64")}`);
    expect(request!.body).toBe("");
    expect(tokens).toBeInstanceOf(GongTokens);
    expect(tokens.accessToken).toBe("at-first-0001");
    expect(tokens.refreshToken).toBe("rt-first-0001");
    expect(tokens.baseUrl).toBe("https://company-17.api.gong.io"); // trailing slash trimmed
    expect(tokens.scopes).toEqual(["api:engagement-data:write", "api:digital-interactions:write"]);
    expect(tokens.expiresIn).toBe(86_400);
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + 86_400_000);
    expect(tokens.expiresAt).toBeLessThanOrEqual(Date.now() + 86_400_000);
  });

  it("refreshes with grant_type=refresh_token and the refresh token only; keeps the base URL when the answer leaves it out", async () => {
    const { oauth, server } = await appFor([tokenAnswer({ access_token: "at-2", refresh_token: "rt-2", api_base_url_for_customer: undefined })]);
    const tokens = await oauth.refresh({ accessToken: "at-1", refreshToken: "rt-1", baseUrl: "https://company-17.api.gong.io" });
    expect(Object.fromEntries(new URL(server.received[0]!.url, server.url).searchParams)).toEqual({ grant_type: "refresh_token", refresh_token: "rt-1" });
    expect(tokens.toStorable()).toEqual({
      accessToken: "at-2",
      refreshToken: "rt-2",
      expiresAt: tokens.expiresAt,
      scope: tokens.scope,
      baseUrl: "https://company-17.api.gong.io",
    });
  });

  it("uses the injected fetch, which gets a Request", async () => {
    const seen: Request[] = [];
    const oauth = app({
      tokenUrl: "https://app.gong.io/oauth2/generate-customer-token",
      fetch: async (request) => {
        seen.push(request);
        return new Response(JSON.stringify({ access_token: "a", refresh_token: "r", expires_in: 60 }), { status: 200 });
      },
    });
    const tokens = await oauth.exchangeCode("c-1");
    expect(seen[0]).toBeInstanceOf(Request);
    expect(seen[0]!.method).toBe("POST");
    expect(tokens.baseUrl).toBeUndefined();
  });

  it("a result shows no token in JSON, String or console form; toStorable() has them", async () => {
    const { oauth } = await appFor([tokenAnswer()]);
    const tokens = await oauth.exchangeCode("code-1");
    for (const text of [JSON.stringify(tokens), String(tokens), inspect(tokens), inspect({ tokens }, { depth: 5 }), `${tokens}`]) {
      expect(text).not.toContain("at-first-0001");
      expect(text).not.toContain("rt-first-0001");
    }
    expect(JSON.parse(JSON.stringify(tokens))).toMatchObject({
      accessToken: "[redacted]",
      refreshToken: "[redacted]",
      baseUrl: "https://company-17.api.gong.io",
    });
    expect(tokens.toStorable()).toMatchObject({ accessToken: "at-first-0001", refreshToken: "rt-first-0001" });
  });

  it("refuses unreadable answers with INVALID_RESPONSE naming the field", async () => {
    const cases: Array<[Step, string]> = [
      [{ status: 200, body: "<html>" }, "the body is not a JSON object"],
      [tokenAnswer({ access_token: "" }), "access_token is missing or empty"],
      [tokenAnswer({ refresh_token: undefined }), "the answer has no refresh_token"],
      [{ status: 200, body: [{ access_token: "at-1" }] }, "the body is not a JSON object"],
      [{ status: 200, body: "null" }, "the body is not a JSON object"],
      [tokenAnswer({ access_token: "   " }), "access_token is missing or empty"],
      [tokenAnswer({ access_token: 42 }), "access_token is missing or empty"],
      [tokenAnswer({ refresh_token: "" }), "the answer has no refresh_token"],
    ];
    for (const [step, problem] of cases) {
      const { oauth } = await appFor([step]);
      const error = await oauth.exchangeCode("code-1").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GongOAuthError);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", retryable: false });
      expect((error as Error).message).toContain(problem);
      await server!.close();
      server = undefined;
    }
  });
  it("keeps the tokens when another field of the answer cannot be read, and names that field in `ignored`", async () => {
    for (const [fields, ignored] of [
      [{ expires_in: "soon" }, 'expires_in: not a number of seconds ("soon"); the expiry is unknown'],
      [{ expires_in: -1 }, "expires_in: not a number of seconds (-1); the expiry is unknown"],
      [{ expires_in: "" }, 'expires_in: not a number of seconds (""); the expiry is unknown'],
      [{ expires_in: "86400s" }, 'expires_in: not a number of seconds ("86400s"); the expiry is unknown'],
      [{ api_base_url_for_customer: "company-17.api.gong.io" }, "api_base_url_for_customer: `api_base_url_for_customer` must be an absolute http(s) URL"],
    ] as const) {
      const { oauth } = await appFor([tokenAnswer(fields)]);
      const tokens = await oauth.exchangeCode("code-1");
      expect(tokens.toStorable()).toMatchObject({ accessToken: "at-first-0001", refreshToken: "rt-first-0001" });
      expect(tokens.ignored).toEqual([expect.stringContaining(ignored)]);
      expect(JSON.parse(JSON.stringify(tokens)).ignored).toEqual(tokens.ignored);
      if ("expires_in" in fields) expect([tokens.expiresIn, tokens.expiresAt]).toEqual([undefined, undefined]);
      else expect(tokens.baseUrl).toBeUndefined();
      await server!.close();
      server = undefined;
    }
    const { oauth } = await appFor([tokenAnswer()]);
    expect((await oauth.exchangeCode("code-1")).ignored).toEqual([]);
  });

  it("a refresh answer with fields it cannot read still gives the new tokens (the old refresh token is spent), on the stored base URL", async () => {
    const { oauth } = await appFor([tokenAnswer({ access_token: "at-2", refresh_token: "rt-2", expires_in: "86400s", api_base_url_for_customer: "nope" })]);
    const tokens = await oauth.refresh({ accessToken: "at-1", refreshToken: "rt-1", baseUrl: "https://company-17.api.gong.io/" });
    expect(tokens.toStorable()).toMatchObject({ accessToken: "at-2", refreshToken: "rt-2", baseUrl: "https://company-17.api.gong.io", expiresAt: undefined });
    expect(tokens.ignored).toHaveLength(2);
  });

  it("a refresh checks the stored base URL before it spends the refresh token; a stored null or empty one is not known", async () => {
    const { oauth, server: tokenServer } = await appFor([
      tokenAnswer({ api_base_url_for_customer: undefined }),
      tokenAnswer({ api_base_url_for_customer: undefined }),
    ]);
    const bad = await oauth.refresh({ refreshToken: "rt-1", baseUrl: "company-17.api.gong.io" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TypeError);
    expect((bad as Error).message).toContain("refresh: `tokens.baseUrl`: `baseUrl` must be an absolute http(s) URL");
    expect(tokenServer.received).toHaveLength(0);
    for (const stored of [null, ""]) {
      const tokens = await oauth.refresh({ refreshToken: "rt-1", baseUrl: stored as never });
      expect(tokens.baseUrl).toBeUndefined();
    }
    expect(tokenServer.received).toHaveLength(2);
  });

  it("reads what an answer may leave out or send oddly: no expiry, a zero one, a null base URL, a non-text scope or type", async () => {
    const read = async (fields: Record<string, unknown>) => {
      const { oauth } = await appFor([tokenAnswer(fields)]);
      const tokens = await oauth.exchangeCode("code-1");
      await server!.close();
      server = undefined;
      return tokens;
    };
    const unsaid = await read({ expires_in: null, api_base_url_for_customer: null, scope: 42, token_type: 7 });
    expect([unsaid.expiresIn, unsaid.expiresAt, unsaid.baseUrl, unsaid.scope, unsaid.tokenType]).toEqual([undefined, undefined, undefined, "", undefined]);
    const left = await read({ expires_in: undefined, api_base_url_for_customer: undefined, scope: undefined, token_type: undefined });
    expect([left.expiresIn, left.expiresAt, left.baseUrl, left.scope, left.tokenType]).toEqual([undefined, undefined, undefined, "", undefined]);
    const before = Date.now();
    const zero = await read({ expires_in: 0, token_type: "Bearer" });
    expect(zero.expiresIn).toBe(0);
    expect(zero.expiresAt).toBeGreaterThanOrEqual(before);
    expect(zero.expiresAt).toBeLessThanOrEqual(Date.now());
    expect(zero.tokenType).toBe("Bearer");
  });
});

describe("errors", () => {
  it("invalid_grant on refresh: GongAuthorizationRequiredError, 'the customer must authorize the app again', not retryable", async () => {
    const { oauth } = await appFor([{ status: 400, body: { error: "invalid_grant", error_description: "Refresh token code is invalid" } }]);
    const error = await oauth.refresh({ refreshToken: "rt-spent-9999" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GongAuthorizationRequiredError);
    expect(error).toBeInstanceOf(GongOAuthError);
    expect(error).toMatchObject({
      name: "GongAuthorizationRequiredError",
      code: "AUTHORIZATION_REQUIRED",
      grant: "refresh_token",
      status: 400,
      oauthError: "invalid_grant",
      retryable: false,
    });
    expect((error as Error).message).toBe(
      "Gong OAuth token refresh failed: Gong answered 400 invalid_grant: Refresh token code is invalid; the refresh token was already used, has expired or was revoked (the customer may have removed the app): the customer must authorize the app again",
    );
  });

  it("transient failures are retryable and apart from invalid_grant: 5xx, 429 with Retry-After, no answer, timeout", async () => {
    const { oauth } = await appFor(
      [{ status: 503, body: "<html>busy</html>" }, { status: 429, body: {}, headers: { "Retry-After": "7" } }, { drop: true }, { hang: true }],
      { timeoutMs: 300 },
    );
    const errors = [];
    for (let i = 0; i < 4; i++) errors.push(await oauth.refresh({ refreshToken: "rt-1" }).catch((e: unknown) => e));
    for (const error of errors) {
      expect(error).toBeInstanceOf(GongOAuthError);
      expect(error).not.toBeInstanceOf(GongAuthorizationRequiredError);
      expect(error).toMatchObject({ code: "TRANSIENT", retryable: true });
    }
    expect(errors.map((e) => (e as GongOAuthError).status)).toEqual([503, 429, undefined, undefined]);
    expect((errors[1] as GongOAuthError).retryAfter).toBe(7);
    expect((errors[1] as Error).message).toContain("retry after 7s");
    expect((errors[3] as Error).message).toContain("no answer within 300 ms");
  });

  it("a refused connection is transient too", async () => {
    const { oauth, server } = await appFor([]);
    await server.close();
    const error = await oauth.exchangeCode("code-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TRANSIENT", retryable: true });
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("invalid_client or 401: INVALID_CLIENT; another 4xx: REJECTED", async () => {
    const { oauth } = await appFor([
      { status: 401, body: { error: "invalid_client" } },
      { status: 400, body: { error: "unsupported_grant_type" } },
    ]);
    await expect(oauth.exchangeCode("c")).rejects.toMatchObject({
      code: "INVALID_CLIENT",
      retryable: false,
      message: expect.stringContaining("check the app's client id and client secret"),
    });
    await expect(oauth.exchangeCode("c")).rejects.toMatchObject({ code: "REJECTED", oauthError: "unsupported_grant_type" });
  });

  it("a caller's abort rejects with the signal's reason", async () => {
    const { oauth } = await appFor([{ hang: true }]);
    const controller = new AbortController();
    const pending = oauth.refresh({ refreshToken: "rt-1" }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(pending).rejects.toThrow("stop");
  });

  it("no credential in any error, even when the server echoes the request's credentials back", async () => {
    const echo = (credential: string) => `bad request: ${credential} with ${SECRET}`;
    const { oauth } = await appFor([
      { status: 400, body: { error: "invalid_grant", error_description: echo("code-secret-4242") } },
      { status: 500, body: { error: "server_error", error_description: echo("rt-secret-4242") } },
    ]);
    const errors = [
      await oauth.exchangeCode("code-secret-4242").catch((e: unknown) => e),
      await oauth.refresh({ refreshToken: "rt-secret-4242" }).catch((e: unknown) => e),
    ];
    for (const error of errors) {
      const texts = [(error as Error).message, String((error as Error).stack), JSON.stringify(error), inspect(error)].join("\n");
      for (const secret of ["code-secret-4242", "rt-secret-4242", SECRET]) expect(texts).not.toContain(secret);
      expect((error as Error).message).toContain("bad request: [redacted] with [redacted]");
    }
  });
});

describe("no credential in an echoed request URL", () => {
  it("the refresh token or code is cut out as sent in the URL too (percent- or form-encoded)", async () => {
    const { oauth } = await appFor([
      { status: 500, body: { error: "server_error", error_description: "failed: refresh_token=rt%2BSECRET%2Fvalue%3D%3D" } },
      { status: 400, body: { error: "invalid_request", error_description: "bad code=code+with+spaces+SECRET" } },
    ]);
    const errors = [
      await oauth.refresh({ refreshToken: "rt+SECRET/value==" }).catch((e: unknown) => e),
      await oauth.exchangeCode("code with spaces SECRET").catch((e: unknown) => e),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(GongOAuthError);
      expect((error as Error).message).not.toContain("SECRET");
      expect((error as Error).message).toContain("[redacted]");
    }
  });
});

describe("what its results, errors and refusals say", () => {
  it("a result's String form names the base URL, the expiry and the scope; its scopes are the scope's words", () => {
    const tokens = new GongTokens({
      accessToken: "at-x-0001",
      refreshToken: "rt-x-0001",
      expiresAt: Date.UTC(2026, 10, 26, 12),
      scope: "api:a  api:b",
      baseUrl: "https://company-3.api.gong.io",
    });
    expect(String(tokens)).toBe('GongTokens(https://company-3.api.gong.io, expires 2026-11-26T12:00:00.000Z, scope "api:a  api:b")');
    expect(tokens.scopes).toEqual(["api:a", "api:b"]);
    const bare = new GongTokens({ accessToken: "at-x-0001", refreshToken: "rt-x-0001" });
    expect(String(bare)).toBe('GongTokens(no base URL, no stated expiry, scope "")');
    expect([bare.scope, bare.scopes]).toEqual(["", []]);
    expect(inspect(bare)).toContain("accessToken: '[redacted]'");
  });

  it("a failed grant's message says which grant failed; its JSON form has every field, and no secret", async () => {
    const refused = { status: 400, body: { error: "invalid_request", error_description: "bad rt-only-0042" } };
    const { oauth } = await appFor([refused, refused]);
    const exchange = (await oauth.exchangeCode("code-0042").catch((e: unknown) => e)) as GongOAuthError;
    expect(exchange.message).toBe("Gong OAuth code exchange failed: Gong answered 400 invalid_request: bad rt-only-0042");
    const refresh = (await oauth.refresh({ refreshToken: "rt-only-0042" }).catch((e: unknown) => e)) as GongOAuthError;
    expect(refresh.message).toBe("Gong OAuth token refresh failed: Gong answered 400 invalid_request: bad [redacted]");
    expect(refresh.name).toBe("GongOAuthError");
    expect(JSON.parse(JSON.stringify(refresh))).toEqual({
      name: "GongOAuthError",
      code: "REJECTED",
      message: refresh.message,
      grant: "refresh_token",
      status: 400,
      oauthError: "invalid_request",
      retryable: false,
    });
  });

  it("a network failure names its code, else its message, else says 'network error'", async () => {
    const failing = (thrown: unknown) => app({ fetch: () => Promise.reject(thrown) });
    await expect(failing(new Error("socket hang up")).exchangeCode("c-1")).rejects.toThrow("could not reach the token endpoint (socket hang up); retry later");
    await expect(failing("odd").exchangeCode("c-1")).rejects.toThrow("could not reach the token endpoint (network error); retry later");
    const coded = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) });
    await expect(failing(coded).exchangeCode("c-1")).rejects.toThrow("could not reach the token endpoint (ENOTFOUND); retry later");
  });

  it("bad arguments are TypeErrors naming the argument and the problem, never echoing a secret", async () => {
    expect(() => createOAuthApp(undefined as never)).toThrow(new TypeError("createOAuthApp: options are required: { clientId, clientSecret, redirectUri }."));
    expect(() => app({ redirectUri: undefined as never })).toThrow("`redirectUri` must be an absolute http(s) URL, got nothing.");
    expect(() => app({ redirectUri: 42 as never })).toThrow("`redirectUri` must be an absolute http(s) URL, got 42.");
    expect(() => app({ clientSecret: "sec\nret" })).toThrow(new TypeError("createOAuthApp: `clientSecret` must not contain line breaks."));
    expect(() => app({ clientId: "" })).toThrow(new TypeError("createOAuthApp: `clientId` must be a non-empty string."));
    await expect(app().refresh(undefined as never)).rejects.toThrow(new TypeError("refresh: pass the installation's tokens, at least { refreshToken }."));
    await expect(app().exchangeCode(" ")).rejects.toThrow(new TypeError("exchangeCode: `code` must be a non-empty string."));
  });

  it("the redirect URI and the endpoints are used exactly as given (a trailing slash, a query)", async () => {
    const redirectUri = "https://partner.example.com/callback/";
    expect(new URL(app({ redirectUri }).authorizeUrl({ state: "s" })).searchParams.get("redirect_uri")).toBe(redirectUri);
    const authorize = new URL(app({ authorizeUrl: "https://idp.example.com/authorize/?tenant=t1" }).authorizeUrl({ state: "s" }));
    expect([authorize.pathname, authorize.searchParams.get("tenant")]).toEqual(["/authorize/", "t1"]);
    server = await scriptedServer([tokenAnswer()]);
    await app({ tokenUrl: `${server.url}/token/?tenant=t1` }).exchangeCode("code-1");
    const url = new URL(server.received[0]!.url, server.url);
    expect([url.pathname, url.searchParams.get("tenant"), url.searchParams.get("grant_type")]).toEqual(["/token/", "t1", "authorization_code"]);
  });
});
