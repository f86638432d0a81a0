// Gong's limits seen from the relay: the daily cap holds per tenant (the rest waits for the next UTC day, shown
// by status), and a 429's Retry-After holds back only that tenant (here a mock stricter than the tenant's
// configured rate makes Gong answer 429): every event still in Gong once. The worker runs in-process (the API).
import { expect, test } from "vitest";
import { createRelay, RelayMetrics } from "../src/index.js";
import { acceptedIds, freshDatabase, SECRET_KEY, sharedEvent, startMock, until } from "./helpers.js";

test("the daily cap holds per tenant; the others are not held back", async () => {
  const mock = await startMock();
  const relay = await createRelay({ databaseUrl: await freshDatabase(), schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    await relay.tenants.add({ id: "capped", baseUrl: mock.url, auth: { accessKey: "key-capped", accessKeySecret: "s" }, perDay: 2 });
    await relay.tenants.add({ id: "free", baseUrl: mock.url, auth: { accessKey: "key-free", accessKeySecret: "s" } });
    await relay.enqueue(["capped", "free"].flatMap((tenant) => [1, 2, 3, 4].map((n) => ({ tenant, operation: "shared", event: sharedEvent(tenant, n) }))));
    const stop = new AbortController();
    const running = relay.run({ signal: stop.signal, pollMs: 200 });
    await until(async () => (await mock.accepted()) >= 6, 60_000, "6 deliveries");
    await new Promise((r) => setTimeout(r, 1_500)); // time enough for a third call of the capped tenant
    stop.abort();
    await running;
    const ids = [...acceptedIds(await mock.journal()).keys()];
    expect(ids.filter((id) => id.startsWith("capped-"))).toHaveLength(2);
    expect(ids.filter((id) => id.startsWith("free-"))).toHaveLength(4);
    const [capped] = await relay.status("capped");
    expect(capped).toMatchObject({ pending: 2, deliveredToday: 2, quotaLeft: 0 });
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(capped!.nextSend).toBe(tomorrow.toISOString());
  } finally {
    await relay.close();
    await mock.close();
  }
});

test("a 429 holds back only that tenant for its Retry-After; every event still lands once", async () => {
  const mock = await startMock({ ratePerSecond: 1 }); // stricter than the 3 calls/s the tenants are configured with
  const relay = await createRelay({ databaseUrl: await freshDatabase(), schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    for (const id of ["busy", "calm"]) await relay.tenants.add({ id, baseUrl: mock.url, auth: { accessKey: `key-${id}`, accessKeySecret: "s" } });
    await relay.enqueue(["busy", "calm"].flatMap((tenant) => [1, 2, 3, 4].map((n) => ({ tenant, operation: "shared", event: sharedEvent(tenant, n) }))));
    const metrics = new RelayMetrics(relay.pool);
    await relay.run({ untilIdle: true, pollMs: 200, metrics });
    expect(await mock.count429()).toBeGreaterThan(0);
    const accepted = acceptedIds(await mock.journal());
    expect(accepted.size).toBe(8);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/gong_relay_rate_limited_total\{tenant="(busy|calm)"\} [1-9]/);
    expect(text).toMatch(/gong_relay_events_total\{tenant="busy",outcome="accepted"\} 4/);
  } finally {
    await relay.close();
    await mock.close();
  }
});
