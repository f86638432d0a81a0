// Tenants on OAuth (issue 16, item 5), against the real mock as Gong's OAuth server with a 5-second token TTL:
// 3 worker processes, 10 tenants, each authorized through the mock's authorize page and code exchange (half with
// their own OAuth app in the grant, half on the relay's from GONG_OAUTH_CLIENT_ID / _SECRET) and added with
// `gong-relay tenant add --oauth --tokens-file` (one tenant for each way: tokens from a file or from stdin, its own
// app or the relay's; the others through the API that command calls). 60 events per tenant take at least 20 s at Gong's 3 calls/s, so
// the run crosses at least 4 token lifetimes (a lower bound set by the pacing, not a timing assertion); halfway,
// every access token is expired at once (the mock's expire-all) so that sends meet 401s and renew under the lock.
// Checked: every event in the mock's journal exactly once, each tenant's refresh tokens each used once (zero
// refused refreshes at the mock, and the grant's generation moved exactly once per refresh the mock counted),
// no event failed or paused for auth. An 11th tenant whose company is revoked is paused with "authorization
// needed", its events kept. Tokens and secrets appear in no log line, status, tenant list or stored reason.
// reportDigitalInteraction (alias digital-interaction) flows too: the relay names no operation in its source.
import { createOAuthApp, type GongTokenSet } from "@gong-engage/client";
import { loadSpecModel } from "@gong-engage/spec-model";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRelay, type Relay } from "../src/index.js";
import { decryptJson } from "../src/secrets.js";
import {
  acceptedIds,
  cli,
  eventsByStatus,
  finished,
  freshDatabase,
  type Mock,
  query,
  SECRET_KEY,
  sharedEvent,
  startCli,
  startMock,
  tempDir,
  until,
  writeNdjson,
} from "./helpers.js";

const RELAY_APP = { clientId: "relay-app", clientSecret: "relay-app-secret-9f2c41" };
const OWN_APP = { clientId: "own-app", clientSecret: "own-app-secret-7b1d03" };
const REDIRECT = "http://127.0.0.1:9/callback";
const TENANTS = Array.from({ length: 10 }, (_, i) => `o${i}`);
const REVOKED = "revoked";
const PER_TENANT = 60;
const DIGITAL = 3; // digital-interaction events for tenant o0, on top of its shared ones

let mock: Mock;
let relay: Relay;
let url: string;
const secrets = new Set<string>([RELAY_APP.clientSecret, OWN_APP.clientSecret]);
const companyOf = new Map<string, string>();

beforeAll(async () => {
  mock = await startMock({ oauth: { clients: [RELAY_APP, OWN_APP], tokenTtlSeconds: 5 } });
  url = await freshDatabase();
  relay = await createRelay({ databaseUrl: url, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
});
afterAll(async () => {
  await relay?.close();
  await mock?.close();
});

/** The customer's admin approves the app (the mock's authorize page), and the app exchanges the code. */
async function authorize(app: { clientId: string; clientSecret: string }): Promise<GongTokenSet> {
  const oauth = createOAuthApp({
    ...app,
    redirectUri: REDIRECT,
    authorizeUrl: `${mock.url}/oauth2/authorize`,
    tokenUrl: `${mock.url}/oauth2/generate-customer-token`,
  });
  const consent = await fetch(oauth.authorizeUrl({ state: "s" }), { redirect: "manual" });
  const code = new URL(consent.headers.get("location")!).searchParams.get("code")!;
  const tokens = (await oauth.exchangeCode(code)).toStorable();
  secrets.add(code).add(tokens.accessToken).add(tokens.refreshToken);
  return tokens;
}

test.concurrent("3 workers, 10 OAuth tenants, 5-second tokens: every event once, each refresh token used once, none failed for auth; a revoked tenant paused, events kept", async () => {
  const dir = tempDir("gong-relay-oauth-");
  const env = { DATABASE_URL: url };
  // Through the command: o0 (stdin, the relay's app), o1 (a file, its own), o2 (a file, the relay's), o3 (stdin,
  // its own) and the revoked one (a file).
  const viaCommand = new Set([...TENANTS.slice(0, 4), REVOKED]);
  const authorized: Array<{ tenant: string; tokens: GongTokenSet; grant: GongTokenSet & Partial<typeof OWN_APP> }> = [];
  for (const [i, tenant] of [...TENANTS, REVOKED].entries()) {
    const own = i % 2 === 1;
    const tokens = await authorize(own ? OWN_APP : RELAY_APP);
    companyOf.set(tenant, tokens.baseUrl!.split("/customer/")[1]!);
    authorized.push({ tenant, tokens, grant: own ? { ...tokens, ...OWN_APP } : tokens });
  }
  await Promise.all(
    authorized.map(async ({ tenant, tokens, grant }, i) => {
      if (!viaCommand.has(tenant)) {
        await relay.tenants.add({ id: tenant, auth: { oauth: grant } });
        return;
      }
      // From a file, or from stdin: never as a flag.
      const added =
        i % 3 === 0
          ? await cli(["tenant", "add", tenant, "--oauth", "--tokens-file", "-"], env, JSON.stringify(grant))
          : await cli(["tenant", "add", tenant, "--oauth", "--tokens-file", writeNdjson(dir, `${tenant}.json`, [grant])], env);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain(`${tenant}: ${tokens.baseUrl}, OAuth grant (access token expires`);
    }),
  );

  const digital = Object.values(loadSpecModel().byAlias("digital-interaction")!.examples)[0] as Record<string, unknown>;
  await relay.enqueue([
    ...TENANTS.flatMap((tenant) => Array.from({ length: PER_TENANT }, (_, n) => ({ tenant, operation: "shared", event: sharedEvent(tenant, n) }))),
    ...Array.from({ length: DIGITAL }, (_, n) => ({ tenant: "o0", operation: "digital-interaction", event: { ...digital, eventId: `o0-d${n}` } })),
    ...Array.from({ length: 5 }, (_, n) => ({ tenant: REVOKED, operation: "shared", event: sharedEvent(REVOKED, n) })),
  ]);
  // The customer removes the app before anything is sent.
  const revoke = await fetch(`${mock.url}/__mock/oauth/revoke`, { method: "POST", body: JSON.stringify({ company: companyOf.get(REVOKED) }) });
  expect(revoke.status).toBe(200);

  const workerEnv = {
    ...env,
    GONG_OAUTH_CLIENT_ID: RELAY_APP.clientId,
    GONG_OAUTH_CLIENT_SECRET: RELAY_APP.clientSecret,
    GONG_OAUTH_TOKEN_URL: `${mock.url}/oauth2/generate-customer-token`,
  };
  const workers = [1, 2, 3].map((n) => startCli(["run", "--until-idle", "--concurrency", "4", "--worker-id", `w${n}`, "--verbose"], workerEnv));
  // Halfway: every access token expires now; the sends in flight meet 401s and renew under the grant's lock.
  await until(async () => (await mock.accepted()) >= (TENANTS.length * PER_TENANT) / 2, 90_000, "half the events");
  expect((await fetch(`${mock.url}/__mock/oauth/expire-all`, { method: "POST" })).status).toBe(200);
  const results = await Promise.all(workers.map(finished));
  for (const result of results) expect(result.code, result.stderr).toBe(0);

  // Every event in Gong exactly once; the revoked tenant's none.
  const journal = await mock.journal();
  const requests = await mock.requests();
  const oauthState = await mock.oauth();
  const accepted = acceptedIds(journal);
  expect(accepted.size).toBe(TENANTS.length * PER_TENANT + DIGITAL);
  expect([...accepted.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  for (let n = 0; n < DIGITAL; n++) expect(accepted.get(`o0-d${n}`)).toBe(1);
  expect([...accepted.keys()].some((id) => id.startsWith(`${REVOKED}-`))).toBe(false);
  expect(requests.filter((r) => / 401 /.test(r.line)).length, "the expire-all made sends meet 401s").toBeGreaterThan(0);

  // Each refresh token used once: the mock refused no refresh of a live tenant, and each refresh it answered is
  // the one the relay stored (the generation moved once per refresh). The run crossed several token lifetimes.
  const companies = (oauthState.companies as Array<{ company: string; refreshes: number; refusedRefreshes: number }>).reduce(
    (map, c) => map.set(c.company, c),
    new Map<string, { refreshes: number; refusedRefreshes: number }>(),
  );
  const grants = await query<{ tenant: string; generation: number; secrets: Buffer; refused_at: Date | null }>(
    url,
    "select tenant, generation, secrets, refused_at from gong_relay.oauth_grant",
  );
  for (const tenant of TENANTS) {
    const company = companies.get(companyOf.get(tenant)!)!;
    const grant = grants.find((g) => g.tenant === tenant)!;
    expect(company.refusedRefreshes, tenant).toBe(0);
    expect(company.refreshes, tenant).toBeGreaterThanOrEqual(3);
    expect(grant.generation - 1, tenant).toBe(company.refreshes);
    expect(grant.refused_at, tenant).toBeNull();
  }
  const refreshCounts = TENANTS.map((t) => companies.get(companyOf.get(t)!)!.refreshes);
  console.log(
    `refreshes per tenant: min ${Math.min(...refreshCounts)}, max ${Math.max(...refreshCounts)}; 401s answered by the mock: ${requests.filter((r) => / 401 /.test(r.line)).length}`,
  );
  for (const grant of grants) {
    const stored = decryptJson(Buffer.from(SECRET_KEY, "base64"), `${grant.tenant}\u0000oauth-grant`, grant.secrets) as Record<string, string>;
    for (const name of ["accessToken", "refreshToken", "clientSecret"]) if (stored[name]) secrets.add(stored[name]);
  }

  // None failed or paused for auth; the revoked tenant paused with "authorization needed", its events kept.
  const byStatus = await eventsByStatus(url);
  expect(byStatus).toEqual({ accepted: TENANTS.length * PER_TENANT + DIGITAL, pending: 5 });
  const [status, table, list] = await Promise.all([cli(["status", "--json"], env), cli(["status"], env), cli(["tenant", "list"], env)]);
  const rows = JSON.parse(status.stdout) as Array<{ tenant: string; paused: boolean; pausedReason: string | null; pending: number; oauth: unknown }>;
  for (const row of rows.filter((r) => r.tenant !== REVOKED)) {
    expect(row, row.tenant).toMatchObject({ paused: false, pending: 0, oauth: { expiresAt: expect.any(String), authorizationNeeded: false } });
  }
  const revoked = rows.find((r) => r.tenant === REVOKED)!;
  expect(revoked).toMatchObject({ paused: true, pending: 5, oauth: { authorizationNeeded: true } });
  expect(revoked.pausedReason).toMatch(/^authorization needed: .*invalid_grant.*authorize the app again/);
  expect(companies.get(companyOf.get(REVOKED)!)!.refusedRefreshes).toBe(1);

  // No token or secret in any log line, status, tenant list or stored reason.
  expect(table.stdout).toMatch(/oauth token expires/);
  const reasons = await query(
    url,
    "select reason, errors::text, request_id from gong_relay.event union all select paused_reason, null, null from gong_relay.tenant",
  );
  const texts = [
    ...results.flatMap((r) => [r.stdout, r.stderr]),
    status.stdout,
    status.stderr,
    table.stdout,
    list.stdout,
    ...requests.map((r) => r.line),
    JSON.stringify(oauthState),
    JSON.stringify(journal),
    JSON.stringify(reasons),
  ].join("\n");
  expect(secrets.size).toBeGreaterThan(40);
  expect([...secrets].filter((s) => texts.includes(s))).toEqual([]);
  expect(results.map((r) => r.stderr).join("\n")).toContain(`tenant ${REVOKED}: paused, its events kept: authorization needed`);
});

// Beside the scenario above: every command here is refused before it stores anything.
test.concurrent("tenant add --oauth: usage errors name the flag or field, never a token's value", async () => {
  const env = { DATABASE_URL: url };
  const dir = tempDir("gong-relay-oauth-usage-");
  const [noFile, both, notJson, noRefresh, noUrl] = await Promise.all([
    cli(["tenant", "add", "u1", "--oauth"], env),
    cli(["tenant", "add", "u1", "--oauth", "--tokens-file", "-", "--bearer-token", "x"], env, "{}"),
    cli(["tenant", "add", "u1", "--oauth", "--tokens-file", "-"], env, '{"accessToken": "at-leak-me-1234", '),
    cli(["tenant", "add", "u1", "--oauth", "--tokens-file", writeNdjson(dir, "t.json", [{ accessToken: "at-leak-me-1234", baseUrl: mock.url }])], env),
    cli(["tenant", "add", "u1", "--oauth", "--tokens-file", "-"], env, JSON.stringify({ accessToken: "a-1234", refreshToken: "r-1234" })),
  ]);
  expect(noFile).toMatchObject({ code: 2 });
  expect(noFile.stderr).toContain("--oauth needs --tokens-file");
  expect(both.stderr).toContain("either an OAuth grant or keys");
  expect(notJson).toMatchObject({ code: 2 });
  expect(notJson.stderr).toContain("not JSON");
  expect(notJson.stderr).not.toContain("at-leak-me-1234");
  expect(noRefresh).toMatchObject({ code: 2 });
  expect(noRefresh.stderr).toContain("refreshToken must be a non-empty single line");
  expect(noRefresh.stderr).not.toContain("at-leak-me-1234");
  expect(noUrl.stderr).toContain("the OAuth tokens carry no baseUrl");
  expect((await relay.tenants.list()).some((t) => t.id === "u1")).toBe(false);
});
