// Crashes: a worker killed with -9 before a send, after Gong answered but before the database recorded it, and
// while claiming (a deterministic crash point, GONG_RELAY_CRASH_AT, makes the worker SIGKILL itself there);
// the embedded host killed with -9 (its orphaned Postgres is adopted by the next gong-relay); Postgres
// restarted mid-run. Each: every event in Gong exactly once (the mock's journal), and every event ends
// delivered or dead-lettered with a reason, none lost.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openEmbedded } from "../src/embedded.js";
import { createRelay, type Relay } from "../src/index.js";
import {
  acceptedIds,
  busiestSecond,
  copyOfTemplate,
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
} from "./helpers.js";

const FAST = ["--lease-ms", "1500", "--timeout-ms", "1000", "--poll-ms", "200", "--backoff-ms", "100", "--max-backoff-ms", "500", "--max-attempts", "20"];
const FAST_OPTIONS = { leaseMs: 1500, timeoutMs: 1000, pollMs: 200, backoffMs: 100, maxBackoffMs: 500, maxAttempts: 20 };

/** Tenants and their events queued; the relay stays open (close it). */
async function seed(options: { databaseUrl?: string; dataDir?: string }, mock: Mock, tenants: string[], perTenant: number): Promise<Relay> {
  const relay = await createRelay({ ...options, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  for (const id of tenants) await relay.tenants.add({ id, baseUrl: mock.url, auth: { accessKey: `key-${id}`, accessKeySecret: "secret" } });
  await relay.enqueue(
    tenants.flatMap((tenant) => Array.from({ length: perTenant }, (_, n) => ({ tenant, operation: "shared", event: sharedEvent(tenant, n) }))),
  );
  return relay;
}

/** Every expected event in Gong exactly once; every row delivered (accepted or already reported). */
async function expectDeliveredOnce(mock: Mock, url: string, tenants: string[], perTenant: number) {
  const journal = await mock.journal();
  const accepted = acceptedIds(journal);
  expect(accepted.size).toBe(tenants.length * perTenant);
  for (const tenant of tenants) for (let n = 0; n < perTenant; n++) expect(accepted.get(`${tenant}-e${n}`), `${tenant}-e${n}`).toBe(1);
  const rows = await query(url, "select status, count(*)::int as n from gong_relay.event group by status");
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  expect((byStatus.accepted ?? 0) + (byStatus.already_reported ?? 0)).toBe(tenants.length * perTenant);
  for (const [tenant, most] of busiestSecond(journal)) expect(most, tenant).toBeLessThanOrEqual(3);
  return byStatus;
}

for (const point of ["before-send", "after-send", "claim"] as const) {
  test.concurrent(`kill -9 of a worker ${point === "claim" ? "while claiming" : point === "before-send" ? "before a send" : "after Gong answered, before the database recorded it"}: 0 lost, 0 twice in Gong`, async () => {
    const mock = await startMock();
    try {
      const url = await freshDatabase();
      const tenants = [`${point}-a`, `${point}-b`];
      const relay = await seed({ databaseUrl: url }, mock, tenants, 8);
      try {
        const crashed = await finished(startCli(["run", "--concurrency", "2", ...FAST], { DATABASE_URL: url, GONG_RELAY_CRASH_AT: `${point}:4` }));
        expect(crashed.signal, crashed.stderr).toBe("SIGKILL");
        const before = await mock.accepted();
        expect(before).toBeLessThan(16);
        // Another worker (this process's relay) takes over once the dead worker's lease expires.
        const rest = await relay.run({ untilIdle: true, concurrency: 2, ...FAST_OPTIONS });
        expect(rest.sent).toBeGreaterThan(0);
      } finally {
        await relay.close();
      }
      const byStatus = await expectDeliveredOnce(mock, url, tenants, 8);
      if (point === "after-send") {
        // The event Gong had accepted was sent again with the same eventId; Gong's 409 counted as delivered.
        expect(byStatus.already_reported).toBeGreaterThanOrEqual(1);
        const [resent] = await query(url, "select attempts, may_have_landed from gong_relay.event where status = 'already_reported' limit 1");
        expect(resent).toMatchObject({ attempts: 2, may_have_landed: true });
      }
    } finally {
      await mock.close();
    }
  });
}

test.concurrent("kill -9 of the embedded host: the orphaned Postgres is adopted by the next gong-relay, 0 lost, 0 twice", async () => {
  const mock = await startMock();
  const dataDir = copyOfTemplate(join(tempDir("gong-relay-orphan-"), "data"));
  try {
    const tenants = ["orphan-a", "orphan-b"];
    await (await seed({ dataDir }, mock, tenants, 10)).close();
    const host = startCli(["run", "--data-dir", dataDir, "--concurrency", "2", ...FAST]);
    await until(async () => (await mock.accepted()) >= 5, 60_000, "5 deliveries");
    host.kill("SIGKILL");
    await finished(host);
    const pidFile = join(dataDir, "pg", "postmaster.pid");
    const orphan = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    expect(() => process.kill(orphan, 0)).not.toThrow(); // Postgres outlived its host

    const next = await finished(startCli(["run", "--data-dir", dataDir, "--until-idle", "--concurrency", "2", ...FAST]));
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`adopting the server left running in ${join(dataDir, "pg")} (pid ${orphan}`);
    const accepted = acceptedIds(await mock.journal());
    expect(accepted.size).toBe(20);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    // The adopter, the last one out, stopped the orphan.
    expect(existsSync(pidFile)).toBe(false);
    expect(() => process.kill(orphan, 0)).toThrow();
    const relay = await createRelay({ dataDir, secretKey: SECRET_KEY, log: () => {} });
    const rows = await relay.status().finally(() => relay.close());
    expect(rows.map((r) => [r.pending, r.inFlight, r.deliveredToday])).toEqual([
      [0, 0, 10],
      [0, 0, 10],
    ]);
  } finally {
    await mock.close();
  }
});

test.concurrent("Postgres restarted mid-run: the worker waits for it, then finishes: 0 lost, 0 twice", async () => {
  const mock = await startMock();
  const dir = copyOfTemplate(join(tempDir("gong-relay-restart-"), "data"));
  let server = await openEmbedded(dir);
  try {
    const url = server.connectionString;
    const tenants = ["restart-a", "restart-b"];
    await (await seed({ databaseUrl: url }, mock, tenants, 12)).close();
    const worker = startCli(["run", "--until-idle", "--concurrency", "2", ...FAST], { DATABASE_URL: url });
    await until(async () => (await mock.accepted()) >= 6, 60_000, "6 deliveries");
    const pid = Number(readFileSync(join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, "SIGINT"); // fast shutdown: connections cut, open transactions rolled back
    await until(() => !existsSync(join(dir, "pg", "postmaster.pid")), 30_000, "Postgres to stop");
    await new Promise((r) => setTimeout(r, 500));
    server = await openEmbedded(dir, () => {}, { port: server.port });
    const done = await finished(worker);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain("database unavailable");
    expect(done.stderr).toContain("database available again");
    await expectDeliveredOnce(mock, url, tenants, 12);
  } finally {
    await server.close();
    await mock.close();
  }
});
