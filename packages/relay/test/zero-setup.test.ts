// Zero set-up: no database configured, so gong-relay runs its embedded Postgres in --data-dir. Three tenants,
// 300 events enqueued from a file, one worker: each event in Gong exactly once (the mock's journal), no tenant
// over 3 calls in any 1-second window, no 429. The worker starts first (it hosts the embedded Postgres; the
// other commands connect to it) and stops on SIGTERM with exit 0. Then: no secret in any output, status or
// metric, and no Postgres left running.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { acceptedIds, busiestSecond, cli, finished, type Mock, SECRET_KEY, sharedEvent, startCli, startMock, tempDir, until, writeNdjson } from "./helpers.js";

let mock: Mock;
const dir = tempDir("gong-relay-zero-");
const dataDir = join(dir, "data");
const tenants = ["acme", "globex", "initech"];
const secretOf = (tenant: string) => `s3cr3t-${tenant}-Zq9`;

beforeAll(async () => {
  mock = await startMock({ credentials: { accessKeys: tenants.map((t) => ({ accessKey: `key-${t}`, accessKeySecret: secretOf(t) })) } });
});
afterAll(async () => {
  await mock.close();
});

test("3 tenants, 300 events from a file, embedded Postgres: each in Gong once, ≤ 3 calls in any second per tenant, no 429", async () => {
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const result = await cli([...args, "--data-dir", dataDir]);
    outputs.push(result.stdout, result.stderr);
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    return result;
  };
  const worker = startCli(["run", "--data-dir", dataDir, "--metrics-port", "0", "--concurrency", "4"]);
  await until(() => /metrics on (http:\S+)/.test(worker.output.stderr), 60_000, "the worker's metrics endpoint");
  const metricsUrl = /metrics on (http:\S+)/.exec(worker.output.stderr)![1]!;

  // Each tenant added, then its file enqueued; the three side by side.
  await Promise.all(
    tenants.map(async (tenant) => {
      await run(["tenant", "add", tenant, "--base-url", mock.url, "--access-key", `key-${tenant}`, "--access-key-secret", secretOf(tenant)]);
      const file = writeNdjson(
        dir,
        `${tenant}.ndjson`,
        Array.from({ length: 100 }, (_, n) => sharedEvent(tenant, n)),
      );
      const result = await run(["enqueue", "--tenant", tenant, "--operation", "shared", "--file", file]);
      expect(result.stdout).toContain("100 stored");
    }),
  );
  outputs.push((await run(["tenant", "list"])).stdout);

  await until(async () => (await mock.accepted()) >= 30, 60_000, "30 deliveries");
  const metrics = await (await fetch(metricsUrl)).text();
  outputs.push(metrics);
  expect(metrics).toMatch(/gong_relay_events_total\{tenant="acme",outcome="accepted"\} \d+/);
  expect(metrics).toMatch(/gong_relay_queue_depth\{tenant="globex"\} \d+/);
  outputs.push((await run(["status"])).stdout);
  await until(async () => (await mock.accepted()) >= 300, 80_000, "300 deliveries");
  worker.kill("SIGTERM");
  const done = await finished(worker);
  outputs.push(done.stdout, done.stderr);
  expect(done.code, done.stderr).toBe(0);

  const journal = await mock.journal();
  const accepted = acceptedIds(journal);
  expect(accepted.size).toBe(300);
  expect([...accepted.values()].every((n) => n === 1)).toBe(true);
  for (const tenant of tenants) for (let n = 0; n < 100; n++) expect(accepted.get(`${tenant}-e${n}`)).toBe(1);
  for (const [tenant, most] of busiestSecond(journal)) expect(most, tenant).toBeLessThanOrEqual(3);
  expect(await mock.count429()).toBe(0);

  const status = await run(["status", "--json"]);
  outputs.push(status.stdout);
  const rows = JSON.parse(status.stdout) as Array<{ tenant: string; pending: number; deliveredToday: number }>;
  expect(rows.map((r) => [r.tenant, r.pending, r.deliveredToday])).toEqual(tenants.map((t) => [t, 0, 100]));

  // Secrets: no credential, and not the key, in any output, status or metric; not in the data folder's files
  // outside Postgres' own (where the credentials are stored encrypted).
  const everything = outputs.join("\n");
  for (const tenant of tenants) expect(everything).not.toContain(secretOf(tenant));
  expect(everything).not.toContain(SECRET_KEY);
  const pgLog = join(dataDir, "pg", "postgres.log");
  if (existsSync(pgLog)) for (const tenant of tenants) expect(readFileSync(pgLog, "utf8")).not.toContain(secretOf(tenant));

  // The last gong-relay to close stopped the embedded Postgres.
  expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(false);
}, 180_000); // 300 events at 3 calls/s per tenant take 35 s at best; the rest is a busy machine's slack
