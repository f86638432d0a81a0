// The programmatic API: enqueue inside the app's own transaction (transactional outbox), idempotent per
// tenant on the spec's duplicate key, a stable eventId for a legacy event without one, every item refused
// when one is invalid; tenants with encrypted credentials; the schema's version checked at start.
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRelay, EnqueueValidationError, type Relay, UnknownTenantError } from "../src/index.js";
import { freshDatabase, query, SECRET_KEY, sharedEvent } from "./helpers.js";

let relay: Relay;
let url: string;

beforeAll(async () => {
  url = await freshDatabase();
  relay = await createRelay({ databaseUrl: url, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  await relay.tenants.add({ id: "app", baseUrl: "http://127.0.0.1:9", auth: { accessKey: "key-app", accessKeySecret: "very-secret-app-2Lm" } });
  await relay.tenants.add({ id: "other", baseUrl: "http://127.0.0.1:9", auth: { bearerToken: "bearer-other-5Tn" } });
});
afterAll(async () => {
  await relay?.close();
});

const count = async (tenant: string) => Number((await query(url, "select count(*)::int as n from gong_relay.event where tenant = $1", [tenant]))[0]!.n);

test("with the app's own pg client, the events are part of its transaction: rolled back with it, committed with it", async () => {
  const app = new pg.Client({ connectionString: url });
  await app.connect();
  try {
    await app.query("create table if not exists proposal (id int primary key)");
    await app.query("begin");
    await app.query("insert into proposal values (1)");
    await relay.enqueue([{ tenant: "app", operation: "shared", event: sharedEvent("tx", 1) }], { db: app });
    await app.query("rollback");
    expect(await count("app")).toBe(0);

    await app.query("begin");
    await app.query("insert into proposal values (2)");
    const result = await relay.enqueue([{ tenant: "app", operation: "shared", event: sharedEvent("tx", 2) }], { db: app });
    expect(result).toMatchObject({ stored: 1, duplicates: 0 });
    expect(await count("app")).toBe(0); // not visible before the app commits
    await app.query("commit");
    expect(await count("app")).toBe(1);
  } finally {
    await app.end();
  }
});

test("the same event twice (same tenant, same duplicate key) is stored once; another tenant's copy is its own", async () => {
  const event = sharedEvent("dup", 1);
  const first = await relay.enqueue([{ tenant: "app", operation: "shared", event }]);
  // The spec's duplicate key is reportingSystem + eventId, shared by content-shared and content-viewed.
  const again = await relay.enqueue([
    { tenant: "app", operation: "viewed", event: { ...event, contentTitle: "changed" } },
    { tenant: "app", operation: "shared", event },
  ]);
  expect(first).toMatchObject({ stored: 1, duplicates: 0 });
  expect(again).toMatchObject({ stored: 0, duplicates: 2 });
  const other = await relay.enqueue([{ tenant: "other", operation: "shared", event }]);
  expect(other).toMatchObject({ stored: 1 });
});

test("a legacy event without an eventId gets a stable one at enqueue, stored and sent with it", async () => {
  const { eventId, ...legacy } = sharedEvent("legacy", 1);
  void eventId;
  const first = await relay.enqueue([{ tenant: "app", operation: "reportContentViewed", event: legacy }]);
  const second = await relay.enqueue([{ tenant: "app", operation: "viewed", event: { ...legacy } }]);
  expect(first.items[0]!.eventId).toMatch(/^relay-[0-9a-f]{32}$/);
  expect(second.items[0]).toEqual({ eventId: first.items[0]!.eventId, stored: false });
  const [row] = await query(url, "select payload from gong_relay.event where event_id = $1", [first.items[0]!.eventId]);
  expect(JSON.parse(row!.payload).eventId).toBe(first.items[0]!.eventId);
});

test("one invalid item refuses the whole call, naming the item and the field; nothing is stored", async () => {
  const before = await count("app");
  const error = await relay
    .enqueue([
      { tenant: "app", operation: "shared", event: sharedEvent("bad", 1) },
      { tenant: "app", operation: "shared", event: { ...sharedEvent("bad", 2), eventTimestamp: "yesterday" } },
      { tenant: "app", operation: "nope", event: sharedEvent("bad", 3) },
    ])
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(EnqueueValidationError);
  expect((error as EnqueueValidationError).issues).toEqual([
    { index: 1, field: "/eventTimestamp", problem: expect.stringContaining("ISO-8601") },
    {
      index: 2,
      field: "operation",
      problem: expect.stringContaining("is not an operation of the spec; use one of: shared (reportContentShared), viewed (reportContentViewed)"),
    },
  ]);
  expect((error as Error).message).toMatch(/^not enqueued, nothing was stored: item 1: \/eventTimestamp: /);
  const unknown = await relay.enqueue([{ tenant: "ghost", operation: "shared", event: sharedEvent("ghost", 1) }]).catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(UnknownTenantError);
  expect(await count("app")).toBe(before);
});

test("credentials are stored encrypted and never listed; a tenant's limits default to the spec's", async () => {
  const rows = await query(url, "select credentials, per_second, per_day, burst, day_cap from gong_relay.tenant where id = 'app'");
  const stored = (rows[0]!.credentials as Buffer).toString("latin1");
  expect(stored).not.toContain("very-secret-app-2Lm");
  expect(stored).not.toContain("key-app");
  expect(rows[0]).toMatchObject({ per_second: relay.spec.rateLimits.perSecond, per_day: relay.spec.rateLimits.perDay, burst: 3, day_cap: 10_000 });
  const listed = JSON.stringify(await relay.tenants.list());
  expect(listed).not.toContain("very-secret-app-2Lm");
  expect(listed).not.toContain("bearer-other-5Tn");
  // A reserve leaves a share of both limits to the customer's other integrations.
  const updated = await relay.tenants.update("other", { reserve: 0.2 });
  expect(updated).toMatchObject({ reserve: 0.2, perSecond: 3 });
  const [lane] = await query(url, "select interval_ms, window_ms, day_cap from gong_relay.tenant where id = 'other'");
  expect(lane!.interval_ms).toBeCloseTo(1000 / 2.4, 6);
  expect(lane!.window_ms).toBeCloseTo(3000 / 2.4, 6);
  expect(lane!.day_cap).toBe(8000);
  await expect(relay.tenants.add({ id: "bad id!", baseUrl: "http://x", auth: { bearerToken: "t" } })).rejects.toThrow(/a tenant id must be/);
  await expect(relay.tenants.add({ id: "u", baseUrl: "http://user:pw@x", auth: { bearerToken: "t" } })).rejects.toThrow(/baseUrl must not carry credentials/);
  await expect(relay.tenants.add({ id: "r", baseUrl: "http://x", auth: { bearerToken: "t" }, reserve: 1 })).rejects.toThrow(
    /reserve must be a share from 0 to below 1/,
  );
});

test("an app transaction left open after enqueueing holds up neither the tenant's claims nor the recording of its answers", async () => {
  // The uncommitted insert holds a KEY SHARE lock on the tenant row (the event's foreign key) until the app commits.
  const ownUrl = await freshDatabase();
  const own = await createRelay({ databaseUrl: ownUrl, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  const app = new pg.Client({ connectionString: ownUrl });
  const worker = new pg.Client({ connectionString: ownUrl });
  await Promise.all([app.connect(), worker.connect()]);
  try {
    await own.tenants.add({ id: "busy", baseUrl: "http://127.0.0.1:9", auth: { bearerToken: "bearer-busy-7Qx" } });
    await own.enqueue([{ tenant: "busy", operation: "shared", event: sharedEvent("busy", 1) }]); // committed
    await app.query("begin");
    await own.enqueue([{ tenant: "busy", operation: "shared", event: sharedEvent("busy", 2) }], { db: app }); // left open
    await worker.query("set lock_timeout = '3s'"); // a wait for the app's lock fails the test instead of hanging it
    const { rows } = await worker.query("select * from gong_relay.claim($1, $2, $3)", ["w-open-tx", 60_000, 8]);
    expect(rows[0]).toMatchObject({ tenant: "busy", attempts: 1 });
    await expect(worker.query("select gong_relay.answered($1, $2)", ["busy", rows[0].event_pk])).resolves.toBeDefined();
  } finally {
    await app.query("rollback").catch(() => {});
    await Promise.all([app.end(), worker.end()]);
    await own.close();
  }
});

test("a lease that runs out counts as a failure: an event whose sends always outlast it is dead-lettered at the limit, not sent forever", async () => {
  const ownUrl = await freshDatabase();
  const own = await createRelay({ databaseUrl: ownUrl, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    await own.tenants.add({ id: "slow", baseUrl: "http://127.0.0.1:9", auth: { bearerToken: "bearer-slow-3Kd" }, perSecond: 1000 });
    await own.enqueue([{ tenant: "slow", operation: "shared", event: sharedEvent("slow", 1) }]);
    const claim = async () => (await query(ownUrl, "select * from gong_relay.claim($1, $2, $3)", ["w-slow", 20, 2]))[0]!;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 60));
    expect(await claim()).toMatchObject({ tenant: "slow", attempts: 1 }); // its lease (20 ms) runs out unanswered
    await pause();
    expect(await claim()).toMatchObject({ tenant: "slow", attempts: 2, may_have_landed: true }); // failure 1, sent again
    await pause();
    expect(await claim()).toMatchObject({ tenant: null }); // failure 2 of 2: dead-lettered, nothing left to claim
    const [event] = await query(ownUrl, "select status, failures, reason, errors from gong_relay.event where tenant = 'slow'");
    expect(event).toMatchObject({ status: "dead", failures: 2, reason: "lease-expired" });
    expect(event!.errors[0]).toMatch(/no answer was recorded within the lease/);
  } finally {
    await own.close();
  }
});

test("tenant update with a new base URL moves an OAuth tenant's sends there too (its grant's base URL), not only the listing", async () => {
  await relay.tenants.add({
    id: "moved",
    auth: { oauth: { accessToken: "at-moved-1", refreshToken: "rt-moved-1", baseUrl: "https://company-1.api.gong.io" } },
  });
  const updated = await relay.tenants.update("moved", { baseUrl: "https://company-2.api.gong.io" });
  expect(updated.baseUrl).toBe("https://company-2.api.gong.io");
  const [grant] = await query(url, "select base_url from gong_relay.oauth_grant where tenant = 'moved'");
  expect(grant).toEqual({ base_url: "https://company-2.api.gong.io" });
});
