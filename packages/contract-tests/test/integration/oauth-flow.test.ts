// A partner app's whole OAuth life against the mock as Gong's OAuth server, with the real client: authorize,
// exchange the code, report at the customer's base URL, the access token expires, the client renews it by
// itself (single flight, the new refresh token stored before use), events keep landing once each; a reused
// refresh token is refused; `invalid_grant` becomes "authorize again"; no secret or token is written anywhere.
// Expiry is forced through the mock's admin endpoint (no waiting, no timing assertion).
import {
  type ContentSharedEvent,
  createEngagementClient,
  createOAuthApp,
  createRenewingAuth,
  GongApiError,
  GongAuthorizationRequiredError,
  type GongTokens,
} from "@gong-engage/client";
import { type MockServer, startMockServer } from "@gong-engage/mock-server";
import { bundledSpecModel } from "@gong-engage/spec-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLIENT_ID = "partner-app";
const CLIENT_SECRET = "partner-secret-9f2c41d7";
const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"; // never called: the test reads the redirect's Location

let mock: MockServer;
const logLines: string[] = [];
const seen = new Set<string>(); // every code and token the flow handled: none may appear in any output

beforeAll(async () => {
  mock = await startMockServer({
    port: 0,
    ratePerSecond: 0,
    oauth: { clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }], tokenTtlSeconds: 3600 },
    log: (line) => logLines.push(line),
  });
});
afterAll(() => mock.close());

const shared = bundledSpecModel().operation("reportContentShared")!;
let counter = 0;
const event = (): ContentSharedEvent => ({ ...(Object.values(shared.examples)[0] as ContentSharedEvent), eventId: `oauth-${process.pid}-${++counter}` });

const oauthApp = () =>
  createOAuthApp({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    authorizeUrl: `${mock.url}/oauth2/authorize`,
    tokenUrl: `${mock.url}/oauth2/generate-customer-token`,
  });

/** The admin approves at once: the mock redirects to the redirect URI with code and state. */
async function authorize(app: ReturnType<typeof oauthApp>): Promise<string> {
  const state = `state-${++counter}`;
  const response = await fetch(app.authorizeUrl({ state }), { redirect: "manual" });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  expect(location.searchParams.get("state")).toBe(state);
  const code = location.searchParams.get("code")!;
  seen.add(code);
  return code;
}

const remember = (tokens: GongTokens) => {
  seen.add(tokens.accessToken);
  seen.add(tokens.refreshToken);
};
const admin = (path: string, body?: unknown) =>
  fetch(`${mock.url}/__mock/oauth${path}`, {
    method: body === undefined && path === "" ? "GET" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json());
const companyState = async (company: string) => ((await admin("")).companies as Array<Record<string, unknown>>).find((c) => c.company === company)!;
const companyOf = (baseUrl: string | undefined) => baseUrl!.split("/customer/")[1]!;
const journalIds = (company: string) =>
  mock
    .journal()
    .filter((e) => e.company === company)
    .map((e) => (e.body as { eventId: string }).eventId);

// Both describes run at once: the TTL test below has a mock of its own and spends its time waiting out real
// token lifetimes. The tests here share one mock (and expire all of its tokens), so they run in order.
describe.concurrent("OAuth end to end: the client against the mock as Gong's OAuth server", () => {
  it.sequential("authorize, exchange, report at the customer's base URL, expire, renew by itself: every event once, none failed", async () => {
    const app = oauthApp();
    const tokens = await app.exchangeCode(await authorize(app));
    remember(tokens);
    expect(tokens.baseUrl).toMatch(new RegExp(`^${mock.url}/customer/company-\\d+$`));
    expect(tokens.scopes).toEqual(mock.oauth()!.scopes); // the authorize URL asked for every scope of the spec's flow
    const company = companyOf(tokens.baseUrl);

    const stored: Array<{ refreshToken: string; usedBefore: boolean }> = [];
    const sentWith = new Set<string>(); // access tokens seen on requests
    const auth = createRenewingAuth({
      tokens,
      app,
      refreshMarginMs: 0,
      onTokens: async (next) => {
        remember(next);
        await new Promise((resolve) => setTimeout(resolve, 20)); // a slow store: nothing may use the token meanwhile
        stored.push({ refreshToken: next.refreshToken, usedBefore: sentWith.has(next.accessToken) });
      },
    });
    const fetchSpy = (request: Request) => {
      sentWith.add(request.headers.get("authorization")!.replace(/^Bearer /, ""));
      return fetch(request);
    };
    // No baseUrl option: the client takes the customer's base URL from the tokens.
    const gong = createEngagementClient({ auth, rateLimit: false, fetch: fetchSpy });

    const sent: string[] = [];
    const report = async () => {
      const e = event();
      sent.push(e.eventId!);
      return gong.reportContentShared(e);
    };
    for (let i = 0; i < 3; i++) expect((await report()).alreadyReported).toBe(false);
    await admin("/expire-all", {});
    for (let i = 0; i < 3; i++) expect((await report()).alreadyReported).toBe(false);
    await admin("/expire-all", {});
    const results = await Promise.all(Array.from({ length: 5 }, report));
    expect(results.every((r) => r.alreadyReported === false)).toBe(true);

    expect(auth.refreshes).toBe(2);
    expect(stored).toHaveLength(2);
    expect(stored.every((s) => !s.usedBefore)).toBe(true); // stored before the new access token was sent
    expect(await companyState(company)).toMatchObject({ refreshes: 2, refusedRefreshes: 0 });
    expect(journalIds(company).sort()).toEqual([...sent].sort()); // every event landed, once
  });

  it.sequential("50 concurrent calls across an expiry cause exactly one refresh, and every event lands once", async () => {
    const app = oauthApp();
    const tokens = await app.exchangeCode(await authorize(app));
    remember(tokens);
    const company = companyOf(tokens.baseUrl);
    let stores = 0;
    const auth = createRenewingAuth({
      tokens,
      app,
      refreshMarginMs: 0,
      onTokens: (next) => {
        remember(next);
        stores++;
      },
    });
    const gong = createEngagementClient({ auth, rateLimit: false });
    await gong.reportContentShared(event()); // warm up with the first token
    await admin("/expire-all", {});

    const events = Array.from({ length: 50 }, event);
    const results = await Promise.all(events.map((e) => gong.reportContentShared(e)));
    expect(results.every((r) => r.alreadyReported === false)).toBe(true);
    expect(stores).toBe(1);
    expect(auth.refreshes).toBe(1);
    expect(await companyState(company)).toMatchObject({ refreshes: 1, refusedRefreshes: 0 });
    const landed = journalIds(company);
    for (const e of events) expect(landed.filter((id) => id === e.eventId)).toHaveLength(1);
  });

  it.sequential("each company has its own journal view and its own rate budget", async () => {
    const app = oauthApp();
    const first = await app.exchangeCode(await authorize(app));
    const second = await app.exchangeCode(await authorize(app));
    [first, second].forEach(remember);
    expect(first.baseUrl).not.toBe(second.baseUrl);
    const a = createEngagementClient({ auth: createRenewingAuth({ tokens: first, app, onTokens: remember }), rateLimit: false });
    const b = createEngagementClient({ auth: createRenewingAuth({ tokens: second, app, onTokens: remember }), rateLimit: false });
    const [ea, eb] = [event(), event()];
    await Promise.all([a.reportContentShared(ea), b.reportContentShared(eb)]);
    const view = async (company: string) =>
      ((await (await fetch(`${mock.url}/__mock/events?company=${company}`)).json()).events as Array<{ body: { eventId: string } }>).map((e) => e.body.eventId);
    expect(await view(companyOf(first.baseUrl))).toEqual([ea.eventId]);
    expect(await view(companyOf(second.baseUrl))).toEqual([eb.eventId]);
  });

  it.sequential("a reused refresh token is refused by the mock, and the client turns invalid_grant into 'authorize again'", async () => {
    const app = oauthApp();
    const tokens = await app.exchangeCode(await authorize(app));
    remember(tokens);
    const renewed = await app.refresh(tokens);
    remember(renewed);
    expect(renewed.refreshToken).not.toBe(tokens.refreshToken);

    // The helper: the spent refresh token is refused with invalid_grant.
    const reused = await app.refresh(tokens).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(GongAuthorizationRequiredError);
    expect(reused).toMatchObject({ code: "AUTHORIZATION_REQUIRED", status: 400, oauthError: "invalid_grant", retryable: false });
    expect((reused as Error).message).toMatch(/the customer must authorize the app again/);

    // The client: a source holding the spent refresh token (another process rotated it), its access expired.
    await admin("/expire-all", {});
    const auth = createRenewingAuth({ tokens, app, refreshMarginMs: 0, onTokens: remember });
    const gong = createEngagementClient({ auth, rateLimit: false });
    const failures = await Promise.all([gong.reportContentShared(event()), gong.reportContentShared(event())].map((p) => p.catch((e: unknown) => e)));
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(GongApiError);
      expect(failure).toMatchObject({ code: "AUTHORIZATION_REQUIRED", mayHaveLanded: false });
      expect((failure as Error).cause).toBeInstanceOf(GongAuthorizationRequiredError);
      expect((failure as Error).message).toMatch(/authorize the app again/);
    }
    // One refusal for the two calls (the helper's above was the first), then the source fails at once: it does
    // not keep spending requests on a dead grant.
    expect(await companyState(companyOf(tokens.baseUrl))).toMatchObject({ refusedRefreshes: 2 });
    await expect(gong.reportContentShared(event())).rejects.toMatchObject({ code: "AUTHORIZATION_REQUIRED" });
    expect(await companyState(companyOf(tokens.baseUrl))).toMatchObject({ refusedRefreshes: 2 });
  });

  it.sequential("a customer who removes the app: the next refresh is refused, and the error says to authorize again", async () => {
    const app = oauthApp();
    const tokens = await app.exchangeCode(await authorize(app));
    remember(tokens);
    const company = companyOf(tokens.baseUrl);
    expect(await admin("/revoke", { company })).toEqual({ revoked: "company", company });
    const gong = createEngagementClient({ auth: createRenewingAuth({ tokens, app, onTokens: remember }), rateLimit: false });
    await expect(gong.reportContentShared(event())).rejects.toMatchObject({ code: "AUTHORIZATION_REQUIRED", status: undefined });
  });

  it.sequential("no code, token or secret appears in the journal, the mock's log, the admin state or any error", async () => {
    // Errors of every kind the flow can produce, with the credentials at hand.
    const app = oauthApp();
    const tokens = await app.exchangeCode(await authorize(app));
    remember(tokens);
    const errors: unknown[] = [];
    errors.push(await app.refresh({ refreshToken: tokens.accessToken }).catch((e) => e)); // not a refresh token
    errors.push(
      await createOAuthApp({
        clientId: CLIENT_ID,
        clientSecret: "wrong-secret-x",
        redirectUri: REDIRECT_URI,
        tokenUrl: `${mock.url}/oauth2/generate-customer-token`,
      })
        .refresh(tokens)
        .catch((e) => e),
    );
    errors.push(await app.exchangeCode([...seen][0]!).catch((e) => e)); // a used code
    const raw = await fetch(`${tokens.baseUrl}/v2/customer-engagement/content/shared`, { method: "PUT", headers: { Authorization: `Bearer ${[...seen][1]}` } });
    errors.push(await raw.text());
    errors.push(await fetch(`${mock.url}/__mock/oauth/revoke`, { method: "POST", body: JSON.stringify({ token: tokens.refreshToken }) }).then((r) => r.text()));
    expect(errors.filter((e) => e instanceof Error).length).toBe(3);

    const outputs = [
      JSON.stringify(mock.journal(), (_, v) => (typeof v === "bigint" ? v.toString() : v)),
      await (await fetch(`${mock.url}/__mock/events`)).text(),
      await (await fetch(`${mock.url}/__mock/oauth`)).text(),
      logLines.join("\n"),
      ...errors.flatMap((e) => (e instanceof Error ? [e.message, String(e.stack), JSON.stringify(e), String(e)] : [String(e)])),
      JSON.stringify(tokens),
      String(tokens),
    ].join("\n");
    expect(seen.size).toBeGreaterThan(20);
    for (const secret of [CLIENT_SECRET, ...seen]) expect(outputs.includes(secret), "a credential leaked").toBe(false);
    expect(logLines.some((line) => line.includes("/oauth2/generate-customer-token"))).toBe(true); // the log was read
  });
});

describe.concurrent("OAuth with a real TTL of a few seconds", () => {
  it("the client renews ahead of expiry by its own clock, and events keep landing once each", async () => {
    const short = await startMockServer({
      port: 0,
      ratePerSecond: 0,
      oauth: { clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }], tokenTtlSeconds: 2 },
    });
    try {
      const app = createOAuthApp({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        authorizeUrl: `${short.url}/oauth2/authorize`,
        tokenUrl: `${short.url}/oauth2/generate-customer-token`,
      });
      const redirect = await fetch(app.authorizeUrl({ state: "ttl" }), { redirect: "manual" });
      const tokens = await app.exchangeCode(new URL(redirect.headers.get("location")!).searchParams.get("code")!);
      expect(tokens.expiresIn).toBe(2);
      // The default margin (5 minutes) is capped at half the token's lifetime: renewed in its last second.
      const auth = createRenewingAuth({ tokens, app, onTokens: () => {} });
      const gong = createEngagementClient({ auth, rateLimit: false });
      const sent: string[] = [];
      for (let round = 0; round < 3; round++) {
        const events = Array.from({ length: 3 }, event);
        sent.push(...events.map((e) => e.eventId!));
        await Promise.all(events.map((e) => gong.reportContentShared(e)));
        await new Promise((resolve) => setTimeout(resolve, 2_100)); // past the token's lifetime (not a timing assertion)
      }
      expect(auth.refreshes).toBeGreaterThanOrEqual(2);
      const landed = short.journal().map((e) => (e.body as { eventId: string }).eventId);
      expect(landed.sort()).toEqual(sent.sort());
    } finally {
      await short.close();
    }
  });
});
