#!/usr/bin/env node
// Rehearses a partner app's OAuth life against the mock (see the root README, "OAuth app"): sends the admin to the
// authorize URL (the mock approves at once), exchanges the code, then reports events with a renewing client for a
// while, so that the access token (short-lived: start the mock with --token-ttl) is renewed by the client itself.
// Prints what happens, never a token. Environment: GONG_MOCK_URL (default http://127.0.0.1:4010),
// GONG_CLIENT_ID / GONG_CLIENT_SECRET (the mock's --oauth-client), ROUNDS (default 10, one event a second).
import { createEngagementClient, createOAuthApp, createRenewingAuth } from "@gong-engage/client";

const mockUrl = process.env.GONG_MOCK_URL ?? "http://127.0.0.1:4010";
const clientId = process.env.GONG_CLIENT_ID;
const clientSecret = process.env.GONG_CLIENT_SECRET;
const rounds = Number(process.env.ROUNDS ?? 10);
if (!clientId || !clientSecret) {
  console.error("oauth-rehearsal: set GONG_CLIENT_ID and GONG_CLIENT_SECRET (the mock's --oauth-client <id>:<secret>).");
  process.exit(2);
}

const app = createOAuthApp({
  clientId,
  clientSecret,
  redirectUri: "http://127.0.0.1:3000/callback", // never called: the redirect's Location is read below
  authorizeUrl: `${mockUrl}/oauth2/authorize`,
  tokenUrl: `${mockUrl}/oauth2/generate-customer-token`,
});

// 1. The admin opens the authorize URL; the mock approves at once and redirects with code and state.
const state = crypto.randomUUID();
const redirect = await fetch(app.authorizeUrl({ state }), { redirect: "manual" });
const callback = new URL(redirect.headers.get("location") ?? "");
if (callback.searchParams.get("state") !== state) throw new Error(`authorize: no code (${callback.searchParams.get("error") ?? redirect.status})`);
console.log(`authorized: redirected to ${callback.origin}${callback.pathname} with a code and the state`);

// 2. Exchange the code. In an app: store tokens.toStorable() with the installation.
const tokens = await app.exchangeCode(callback.searchParams.get("code"));
console.log(`exchanged: ${tokens}`);

// 3. Report with a client that renews the tokens by itself; onTokens stores each new (single-use) refresh token.
let store = tokens.toStorable();
const auth = createRenewingAuth({
  tokens,
  app,
  onTokens: (next) => {
    store = next.toStorable();
    console.log(`renewed: ${next}`);
  },
});
const gong = createEngagementClient({ auth });
for (let i = 1; i <= rounds; i++) {
  const result = await gong.reportContentShared({
    reportingSystem: "oauth-rehearsal",
    eventId: `rehearsal-${state}-${i}`,
    eventTimestamp: new Date().toISOString(),
    contentId: "doc_1",
    contentUrl: "https://example.com/doc_1",
    contentTitle: "Proposal",
  });
  console.log(`event ${i}: accepted (requestId ${result.requestId})`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
console.log(
  `done: ${rounds} events, ${auth.refreshes} refreshes; events of this company: curl '${mockUrl}/__mock/events?company=${store.baseUrl.split("/customer/")[1]}'`,
);
