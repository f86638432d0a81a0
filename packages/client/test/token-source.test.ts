// Renewing auth: the client with a token source against a real HTTP server on loopback (a 401, then the same
// event resent with a renewed token; the customer's base URL from the tokens), and the source's rules with an
// injected clock and an app whose refresh the test controls: renewal ahead of expiry, single flight, the new
// tokens stored before use, a failed store, a refusal that is final.
import { afterEach, describe, expect, it } from "vitest";
import {
  createEngagementClient,
  createRenewingAuth,
  GongApiError,
  GongAuthorizationRequiredError,
  type GongOAuthApp,
  GongOAuthError,
  type GongTokenSet,
  GongTokens,
  TokenStoreError,
} from "../src/index.js";
import { sharedEvent } from "./events.js";
import { fail, ok, type ScriptedServer, type Step, scriptedServer } from "./scripted-server.js";

const NOW = 1_800_000_000_000;
let servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function serve(steps: Step[]) {
  const server = await scriptedServer(steps);
  servers.push(server);
  return server;
}

/** An app whose refreshes hand out at-1, at-2, ... and count; `gate` holds a refresh until released. */
function fakeApp(options: { baseUrl?: string; lifetimeS?: number; now?: () => number; refuse?: boolean } = {}) {
  let n = 0;
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const app: Pick<GongOAuthApp, "refresh"> = {
    async refresh(tokens) {
      calls.push(tokens.refreshToken);
      if (gate) await gate;
      if (options.refuse) {
        throw new GongAuthorizationRequiredError({
          code: "AUTHORIZATION_REQUIRED",
          grant: "refresh_token",
          status: 400,
          oauthError: "invalid_grant",
          problem: "the customer must authorize the app again",
        });
      }
      n++;
      const lifetimeS = options.lifetimeS ?? 3600;
      return new GongTokens({
        accessToken: `at-${n}`,
        refreshToken: `rt-${n}`,
        expiresIn: lifetimeS,
        expiresAt: (options.now ?? (() => NOW))() + lifetimeS * 1000,
        baseUrl: options.baseUrl ?? tokens.baseUrl,
      });
    },
  };
  return {
    app,
    calls,
    hold: () => {
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
    },
    release: () => release?.(),
  };
}
const initial = (fields: Partial<GongTokenSet> = {}): GongTokenSet => ({
  accessToken: "at-0",
  refreshToken: "rt-0",
  expiresAt: NOW + 3_600_000,
  baseUrl: "https://company-17.api.gong.io",
  ...fields,
});

describe("the client with a token source", () => {
  it("sends the source's token to the customer's base URL from the tokens; on 401 renews once and resends the same body", async () => {
    const server = await serve([fail(401, ["Access denied"]), ok()]);
    const { app, calls } = fakeApp();
    const stored: string[] = [];
    const auth = createRenewingAuth({ tokens: initial({ baseUrl: server.url }), app, onTokens: (t) => void stored.push(t.refreshToken), now: () => NOW });
    const gong = createEngagementClient({ auth, rateLimit: false, retry: false });
    const event = sharedEvent();
    const result = await gong.reportContentShared(event);
    expect(result.alreadyReported).toBe(false);
    expect(server.received.map((r) => r.headers.authorization)).toEqual(["Bearer at-0", "Bearer at-1"]);
    expect(server.received[1]!.body).toBe(server.received[0]!.body);
    expect(JSON.parse(server.received[1]!.body).eventId).toBe(event.eventId);
    expect(calls).toEqual(["rt-0"]);
    expect(stored).toEqual(["rt-1"]);
  });

  it("a second 401 after the renewal is the call's failure (one renewal per call)", async () => {
    const server = await serve([fail(401), fail(401, ["Access denied"])]);
    const { app, calls } = fakeApp();
    const gong = createEngagementClient({
      auth: createRenewingAuth({ tokens: initial({ baseUrl: server.url }), app, onTokens: () => {}, now: () => NOW }),
      rateLimit: false,
    });
    await expect(gong.reportContentShared(sharedEvent())).rejects.toMatchObject({ code: "HTTP_ERROR", status: 401, attempts: 2, mayHaveLanded: false });
    expect(calls).toHaveLength(1);
  });

  it("never falls back to api.gong.io: an error when neither the tokens nor the options give a base URL; the option is the fallback", async () => {
    const { app } = fakeApp();
    const auth = createRenewingAuth({ tokens: initial({ baseUrl: undefined }), app, onTokens: () => {}, now: () => NOW });
    const seen: string[] = [];
    const gong = createEngagementClient({
      auth,
      rateLimit: false,
      fetch: async (r) => {
        seen.push(r.url);
        return new Response("{}", { status: 500 });
      },
    });
    const error = await gong.reportContentShared(sharedEvent()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GongApiError);
    expect(error).toMatchObject({ code: "TOKEN_UNAVAILABLE", attempts: 0 });
    expect((error as Error).message).toContain("no base URL: the tokens carry no api_base_url_for_customer");
    expect(seen).toEqual([]);

    const server = await serve([ok()]);
    const fallback = createEngagementClient({ auth, baseUrl: server.url, rateLimit: false });
    await fallback.reportContentShared(sharedEvent());
    expect(server.received).toHaveLength(1);
  });

  it('a stored base URL of null or "" (a nullable column) is not known: the client\'s baseUrl is used; a trailing slash is dropped; a bad one is refused up front', async () => {
    const server = await serve([ok(), ok(), ok()]);
    for (const stored of [null, ""]) {
      const { app } = fakeApp();
      const auth = createRenewingAuth({ tokens: initial({ baseUrl: stored as never }), app, onTokens: () => {}, now: () => NOW });
      await createEngagementClient({ auth, baseUrl: server.url, rateLimit: false }).reportContentShared(sharedEvent());
    }
    const { app } = fakeApp();
    const slashed = createRenewingAuth({ tokens: initial({ baseUrl: `${server.url}/` }), app, onTokens: () => {}, now: () => NOW });
    const { response } = await createEngagementClient({ auth: slashed, rateLimit: false }).raw.PUT("/v2/customer-engagement/content/shared", {
      body: sharedEvent(),
    });
    expect(response.status).toBe(200);
    expect(server.received.map((r) => r.url)).toEqual(Array(3).fill("/v2/customer-engagement/content/shared"));
    expect(() => createRenewingAuth({ tokens: initial({ baseUrl: "company-17.api.gong.io" }), app, onTokens: () => {} })).toThrow(
      "createRenewingAuth: `tokens.baseUrl`: `baseUrl` must be an absolute http(s) URL",
    );
  });

  it("a token source's access token that cannot go into a header: TOKEN_UNAVAILABLE, nothing sent, the token not quoted", async () => {
    const server = await serve([ok()]);
    const source = { access: async () => ({ accessToken: "at-\u0000-secret", baseUrl: server.url }), renewAfterRejection: async () => ({ accessToken: "x" }) };
    const error = await createEngagementClient({ auth: source as never, rateLimit: false })
      .reportContentShared(sharedEvent())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TOKEN_UNAVAILABLE", attempts: 0, mayHaveLanded: false });
    expect((error as Error).message).toContain("no usable access token");
    expect((error as Error).message).not.toContain("secret");
    expect(server.received).toHaveLength(0);
  });

  it("raw gets the token and the customer's base URL too", async () => {
    const server = await serve([ok()]);
    const { app } = fakeApp();
    const gong = createEngagementClient({
      auth: createRenewingAuth({ tokens: initial({ baseUrl: server.url }), app, onTokens: () => {}, now: () => NOW }),
      rateLimit: false,
    });
    const { response } = await gong.raw.PUT("/v2/customer-engagement/content/shared", { body: sharedEvent() });
    expect(response.status).toBe(200);
    expect(server.received[0]!.headers.authorization).toBe("Bearer at-0");
  });

  it("raw: a 401 renews the token for the next request (no resend)", async () => {
    const server = await serve([fail(401), ok()]);
    const { app, calls } = fakeApp();
    const gong = createEngagementClient({
      auth: createRenewingAuth({ tokens: initial({ baseUrl: server.url }), app, onTokens: () => {}, now: () => NOW }),
      rateLimit: false,
    });
    const first = await gong.raw.PUT("/v2/customer-engagement/content/shared", { body: sharedEvent() });
    expect(first.response.status).toBe(401);
    const second = await gong.raw.PUT("/v2/customer-engagement/content/shared", { body: sharedEvent() });
    expect(second.response.status).toBe(200);
    expect(server.received.map((r) => r.headers.authorization)).toEqual(["Bearer at-0", "Bearer at-1"]);
    expect(calls).toEqual(["rt-0"]);
  });

  it("a refused refresh rejects the call with AUTHORIZATION_REQUIRED (the OAuth error as cause), nothing sent", async () => {
    const server = await serve([fail(401)]);
    const { app } = fakeApp({ refuse: true });
    const gong = createEngagementClient({
      auth: createRenewingAuth({ tokens: initial({ baseUrl: server.url }), app, onTokens: () => {}, now: () => NOW }),
      rateLimit: false,
    });
    const error = (await gong.reportContentShared(sharedEvent()).catch((e: unknown) => e)) as GongApiError;
    expect(error).toMatchObject({ code: "AUTHORIZATION_REQUIRED", operationId: "reportContentShared", attempts: 1, mayHaveLanded: false });
    expect(error.cause).toBeInstanceOf(GongAuthorizationRequiredError);
    expect(error.message).toContain("the customer must authorize the app again");
    expect(server.received).toHaveLength(1);
  });

  it("reportMany keeps one outcome per event when the grant is refused", async () => {
    const server = await serve([fail(401)]);
    const { app } = fakeApp({ refuse: true });
    const gong = createEngagementClient({
      auth: createRenewingAuth({ tokens: initial({ baseUrl: server.url }), app, onTokens: () => {}, now: () => NOW }),
      rateLimit: false,
    });
    const outcomes = [];
    for await (const outcome of gong.reportMany(
      [1, 2, 3].map(() => ({ operation: "shared" as const, event: sharedEvent() })),
      { concurrency: 1 },
    ))
      outcomes.push(outcome);
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "failed", "failed"]);
  });
});

describe("createRenewingAuth", () => {
  it("renews ahead of expiry by the margin, capped at half the token's lifetime", async () => {
    let now = NOW;
    const { app, calls } = fakeApp({ now: () => now, lifetimeS: 60 });
    const auth = createRenewingAuth({ tokens: initial({ expiresAt: NOW + 600_000 }), app, onTokens: () => {}, refreshMarginMs: 120_000, now: () => now });
    expect((await auth.access()).accessToken).toBe("at-0");
    now = NOW + 600_000 - 120_001;
    expect((await auth.access()).accessToken).toBe("at-0");
    now = NOW + 600_000 - 120_000;
    expect((await auth.access()).accessToken).toBe("at-1"); // within the 2-minute margin
    // at-1 lives 60 s: the 2-minute margin would renew it on every call; half its lifetime (30 s) is used.
    const issuedAt = now;
    now = issuedAt + 29_999;
    expect((await auth.access()).accessToken).toBe("at-1");
    now = issuedAt + 30_000;
    expect((await auth.access()).accessToken).toBe("at-2");
    expect(calls).toEqual(["rt-0", "rt-1"]);
    expect(auth.refreshes).toBe(2);
  });

  it("single flight: 50 concurrent callers across an expiry share one refresh; a rejection of an old token does not refresh again", async () => {
    const { app, calls, hold, release } = fakeApp();
    const auth = createRenewingAuth({ tokens: initial({ expiresAt: NOW - 1 }), app, onTokens: () => {}, now: () => NOW });
    hold();
    const waiting = Array.from({ length: 50 }, (_, i) => (i % 2 ? auth.access() : auth.renewAfterRejection("at-0")));
    release();
    const accesses = await Promise.all(waiting);
    expect(new Set(accesses.map((a) => a.accessToken))).toEqual(new Set(["at-1"]));
    expect(calls).toEqual(["rt-0"]);
    expect((await auth.renewAfterRejection("at-0")).accessToken).toBe("at-1"); // a late 401 for the old token
    expect(calls).toHaveLength(1);
    expect((await auth.renewAfterRejection("at-1")).accessToken).toBe("at-2"); // the current one refused: renew
  });

  it("awaits onTokens before anyone gets the new access token", async () => {
    const { app } = fakeApp();
    const events: string[] = [];
    let finishStore: (() => void) | undefined;
    const auth = createRenewingAuth({
      tokens: initial({ expiresAt: NOW - 1 }),
      app,
      now: () => NOW,
      onTokens: (tokens) =>
        new Promise<void>((resolve) => {
          events.push(`storing ${tokens.refreshToken}`);
          finishStore = () => {
            events.push(`stored ${tokens.refreshToken}`);
            resolve();
          };
        }),
    });
    const first = auth.access().then((a) => events.push(`using ${a.accessToken}`));
    const second = auth.access().then((a) => events.push(`using ${a.accessToken}`));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(["storing rt-1"]);
    finishStore!();
    await Promise.all([first, second]);
    expect(events).toEqual(["storing rt-1", "stored rt-1", "using at-1", "using at-1"]);
  });

  it("a failed store: the calls fail, the new tokens are not used, and the next call stores the same ones without refreshing again", async () => {
    const { app, calls } = fakeApp();
    let failStore = true;
    const stored: string[] = [];
    const auth = createRenewingAuth({
      tokens: initial({ expiresAt: NOW - 1 }),
      app,
      now: () => NOW,
      onTokens: (tokens) => {
        if (failStore) throw new Error("database unavailable");
        stored.push(tokens.refreshToken);
      },
    });
    const error = await auth.access().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenStoreError);
    expect((error as Error).message).toContain("database unavailable");
    failStore = false;
    expect((await auth.access()).accessToken).toBe("at-1");
    expect(stored).toEqual(["rt-1"]);
    expect(calls).toEqual(["rt-0"]); // the spent rt-0 was not used twice
  });

  it("a refusal is final; a transient failure is not", async () => {
    const refusing = fakeApp({ refuse: true });
    const refused = createRenewingAuth({ tokens: initial({ expiresAt: NOW - 1 }), app: refusing.app, onTokens: () => {}, now: () => NOW });
    const refusal = await refused.access().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(GongAuthorizationRequiredError);
    // The same refusal from then on, without sending the spent refresh token again.
    await expect(refused.access()).rejects.toBe(refusal);
    await expect(refused.renewAfterRejection("at-0")).rejects.toBe(refusal);
    expect(refusing.calls).toEqual(["rt-0"]);

    let attempts = 0;
    const flaky = createRenewingAuth({
      tokens: initial({ expiresAt: NOW - 1 }),
      now: () => NOW,
      onTokens: () => {},
      app: {
        refresh: async () => {
          if (++attempts === 1) throw new GongOAuthError({ code: "TRANSIENT", grant: "refresh_token", status: 503, problem: "Gong answered 503; retry later" });
          return new GongTokens({ accessToken: "at-ok", refreshToken: "rt-ok", expiresAt: NOW + 3_600_000 });
        },
      },
    });
    await expect(flaky.access()).rejects.toMatchObject({ code: "TRANSIENT", retryable: true });
    expect((await flaky.access()).accessToken).toBe("at-ok");
  });

  it("a token endpoint that says to wait (429, Retry-After) is not asked again before then; the current token serves until it expires", async () => {
    let clock = NOW;
    let asked = 0;
    const busy = new GongOAuthError({ code: "TRANSIENT", grant: "refresh_token", status: 429, retryAfter: 60, problem: "Gong answered 429; retry in 60 s" });
    const auth = createRenewingAuth({
      tokens: initial({ expiresAt: NOW + 60_000 }), // within the renewal margin: renewed ahead of expiry
      now: () => clock,
      onTokens: () => {},
      app: {
        refresh: async () => {
          asked++;
          if (clock < NOW + 60_000) throw busy;
          return new GongTokens({ accessToken: "at-new", refreshToken: "rt-new", expiresAt: clock + 3_600_000 });
        },
      },
    });
    // Ahead of expiry the refresh fails for now: the still valid token is used, and the endpoint is asked once.
    for (let i = 0; i < 5; i++) expect((await auth.access()).accessToken).toBe("at-0");
    expect(asked).toBe(1);
    // Expired within the wait: the call fails with the endpoint's answer, still without asking again.
    clock = NOW + 59_000;
    await expect(auth.renewAfterRejection("at-0")).rejects.toBe(busy);
    expect(asked).toBe(1);
    // Once the wait is over it renews.
    clock = NOW + 61_000;
    expect((await auth.access()).accessToken).toBe("at-new");
    expect(asked).toBe(2);
  });

  it("a token Gong refused (401) is never handed out again as still good when renewing fails for now", async () => {
    const down = new GongOAuthError({ code: "TRANSIENT", grant: "refresh_token", status: 503, problem: "Gong answered 503; retry later" });
    const auth = createRenewingAuth({
      tokens: initial({ expiresAt: NOW + 60_000 }), // within the margin, not expired
      now: () => NOW,
      onTokens: () => {},
      app: {
        refresh: async () => {
          throw down;
        },
      },
    });
    expect((await auth.access()).accessToken).toBe("at-0"); // renewal failed for now: the valid token serves
    await expect(auth.renewAfterRejection("at-0")).rejects.toBe(down); // then Gong refused it
    await expect(auth.access()).rejects.toBe(down); // no longer offered

    // Far from expiry too: a refused token makes the next access renew, not hand it out again.
    let refreshed = 0;
    const later = createRenewingAuth({
      tokens: initial({ expiresAt: NOW + 3_600_000 }),
      now: () => NOW,
      onTokens: () => {},
      app: {
        refresh: async () => {
          if (++refreshed === 1) throw down;
          return new GongTokens({ accessToken: "at-fresh", refreshToken: "rt-fresh", expiresAt: NOW + 3_600_000 });
        },
      },
    });
    await expect(later.renewAfterRejection("at-0")).rejects.toBe(down);
    expect((await later.access()).accessToken).toBe("at-fresh");
  });

  it("checks its options", () => {
    const { app } = fakeApp();
    expect(() => createRenewingAuth({ tokens: initial(), app, onTokens: undefined as never })).toThrow("`onTokens` is required");
    expect(() => createRenewingAuth({ tokens: initial({ refreshToken: "" }), app, onTokens: () => {} })).toThrow(
      "`tokens.refreshToken` must be a non-empty string",
    );
    expect(() => createRenewingAuth({ tokens: initial(), app, onTokens: () => {}, refreshMarginMs: -1 })).toThrow(
      "`refreshMarginMs` must be a non-negative number",
    );
    expect(() => createRenewingAuth({ tokens: initial(), app: {} as never, onTokens: () => {} })).toThrow("`app` must be an OAuth app");
  });
});
