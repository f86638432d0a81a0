// Bad input and faults: invalid events refused at enqueue naming the field, an unknown tenant, an unreachable
// or unmigrated database (one line, exit 1), no secret key, a tenant whose credentials Gong refuses (paused with
// the reason, its events kept), the mock's faults at 30 % (nothing lost or duplicated), dead letters and
// `retry --dead`, `purge`. The scenarios run side by side: each has its own database, or only reads or refuses.
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRelay } from "../src/index.js";
import { enqueueNdjson } from "../src/ndjson.js";
import { acceptedIds, cli, freshDatabase, type Mock, query, SECRET_KEY, sharedEvent, startMock, tempDir, writeNdjson } from "./helpers.js";

const FAST = ["--lease-ms", "3000", "--timeout-ms", "2000", "--poll-ms", "200", "--backoff-ms", "50", "--max-backoff-ms", "300"];
const FAST_OPTIONS = { leaseMs: 3000, timeoutMs: 2000, pollMs: 200, backoffMs: 50, maxBackoffMs: 300 };
let url: string;
let mock: Mock;

beforeAll(async () => {
  mock = await startMock({
    credentials: {
      accessKeys: [
        { accessKey: "key-good", accessKeySecret: "right-secret-7Yp" },
        { accessKey: "key-bad", accessKeySecret: "right-secret-bad-4Qz" },
      ],
    },
  });
  url = await freshDatabase();
  expect((await cli(["migrate"], { DATABASE_URL: url })).code).toBe(0);
});
afterAll(async () => {
  await mock?.close();
});

test.concurrent("enqueue from a file refuses each invalid line naming its field, stores the others, exits 1", async () => {
  const dir = tempDir("gong-relay-bad-");
  const add = await cli(["tenant", "add", "lines", "--base-url", mock.url, "--access-key", "key-good", "--access-key-secret", "right-secret-7Yp"], {
    DATABASE_URL: url,
  });
  expect(add.code, add.stderr).toBe(0);
  const file = writeNdjson(dir, "mixed.ndjson", [
    sharedEvent("lines", 1),
    { ...sharedEvent("lines", 2), eventTimestamp: "yesterday" },
    "{not json",
    (({ contentTitle, ...rest }) => rest)(sharedEvent("lines", 3)),
    sharedEvent("lines", 4),
  ]);
  const result = await cli(["enqueue", "--tenant", "lines", "--operation", "shared", "--file", file], { DATABASE_URL: url });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/line 2: refused: \/eventTimestamp: must be a real ISO-8601 date-time/);
  expect(result.stderr).toMatch(/line 3: refused: not JSON/);
  expect(result.stderr).toMatch(/line 4: refused: \/contentTitle: is required/);
  expect(result.stdout).toContain("5 lines read, 2 stored, 0 already queued, 3 refused");
  // Again from stdin: the same two events are already queued, stored once. And operations that cannot be queued:
  // one not in the spec, and one the spec has but the client cannot send yet (refused before anything is read).
  const { loadRelaySpec } = await import("../src/operations.js");
  const unsendable = loadRelaySpec().operations.find((o) => !o.sendable);
  const [again, twice, bad, refused] = await Promise.all([
    cli(["enqueue", "--tenant", "lines", "--operation", "viewed"], { DATABASE_URL: url }, ""),
    cli(["enqueue", "--tenant", "lines", "--operation", "shared"], { DATABASE_URL: url }, `${JSON.stringify(sharedEvent("lines", 1))}\n`),
    cli(["enqueue", "--tenant", "lines", "--operation", "teleport"], { DATABASE_URL: url }, ""),
    unsendable && cli(["enqueue", "--tenant", "lines", "--operation", unsendable.alias], { DATABASE_URL: url }, ""),
  ]);
  expect(again.code).toBe(0);
  expect(twice.stdout).toContain("1 lines read, 0 stored, 1 already queued, 0 refused");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(
    /^gong-relay: --operation "teleport" is not an operation of the spec; use one of: shared \(reportContentShared\), viewed \(reportContentViewed\)/,
  );
  if (refused) {
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`cannot send it yet`);
  }
});

test.concurrent("non-ASCII text survives a file read in chunks (a character split across two is joined, not mangled)", async () => {
  const dir = tempDir("gong-relay-utf8-");
  const relay = await createRelay({ databaseUrl: url, secretKey: SECRET_KEY, log: () => {} });
  try {
    await relay.tenants.add({ id: "utf8", baseUrl: mock.url, auth: { accessKey: "key-good", accessKeySecret: "right-secret-7Yp" } });
    // About 400 KB of 2-, 3- and 4-byte characters: the 64 KiB chunks of the read stream end inside some of them.
    const title = "für Müller, l'été à Genève, 提案書 🚀 ".repeat(8);
    const file = writeNdjson(
      dir,
      "utf8.ndjson",
      Array.from({ length: 1000 }, (_, n) => sharedEvent("utf8", n, { contentTitle: `${n} ${title}` })),
    );
    const counts = await enqueueNdjson(relay, createReadStream(file), { tenant: "utf8", operation: "shared" });
    expect(counts).toMatchObject({ lines: 1000, stored: 1000, refused: 0 });
  } finally {
    await relay.close();
  }
  const rows = await query<{ mangled: string; stored: string }>(
    url,
    "select count(*) filter (where payload like '%' || chr(65533) || '%') as mangled, count(*) as stored from gong_relay.event where tenant = 'utf8'",
  );
  expect(rows[0]).toEqual({ mangled: "0", stored: "1000" });
});

test.concurrent("a word the command does not take is refused, not ignored (a file name without --file)", async () => {
  const result = await cli(["enqueue", "--tenant", "utf8", "--operation", "shared", "events.ndjson"], { DATABASE_URL: url }, "");
  expect(result.code).toBe(2);
  expect(result.stderr.trim()).toBe('gong-relay: enqueue: unexpected argument "events.ndjson"; the events file goes in --file <path> (see gong-relay --help)');
});

test.concurrent("run refuses a lease no longer than the timeout, and --max-attempts 0, naming the flags", async () => {
  const [lease, attempts] = await Promise.all([
    cli(["run", "--until-idle", "--lease-ms", "1500"], { DATABASE_URL: url }),
    cli(["run", "--until-idle", "--max-attempts", "0"], { DATABASE_URL: url }),
  ]);
  expect([lease.code, attempts.code]).toEqual([2, 2]);
  expect(lease.stderr).toContain("gong-relay: --lease-ms (1500) must be longer than --timeout-ms (30000)");
  expect(attempts.stderr).toContain('gong-relay: --max-attempts must be at least 1, got "0"');
});

test.concurrent("three commands started at once on a new embedded data folder take turns: one cluster, all succeed, none left running", async () => {
  const dataDir = tempDir("gong-relay-race-");
  const results = await Promise.all([1, 2, 3].map(() => cli(["status", "--data-dir", dataDir])));
  for (const result of results) expect(result.code, result.stderr).toBe(0);
  expect(results.filter((r) => /creating a database cluster/.test(r.stderr))).toHaveLength(1);
  expect(existsSync(join(dataDir, "start.lock"))).toBe(false);
  expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(false);
});

test.concurrent("--credentials-from-env with half a key pair names the variable that is missing", async () => {
  const args = ["tenant", "add", "half", "--base-url", mock.url, "--credentials-from-env"];
  const [keyOnly, secretOnly] = await Promise.all([
    cli(args, { DATABASE_URL: url, GONG_ACCESS_KEY: "key-good", GONG_ACCESS_KEY_SECRET: undefined, GONG_BEARER_TOKEN: undefined }),
    cli(args, { DATABASE_URL: url, GONG_ACCESS_KEY: undefined, GONG_ACCESS_KEY_SECRET: "right-secret-7Yp", GONG_BEARER_TOKEN: undefined }),
  ]);
  expect([keyOnly.code, secretOnly.code]).toEqual([2, 2]);
  expect(keyOnly.stderr).toContain("--credentials-from-env: GONG_ACCESS_KEY is set but GONG_ACCESS_KEY_SECRET is not");
  expect(secretOnly.stderr).toContain("--credentials-from-env: GONG_ACCESS_KEY_SECRET is set but GONG_ACCESS_KEY is not");
  expect(secretOnly.stderr).not.toContain("right-secret-7Yp");
});

test.concurrent("a worker with another GONG_RELAY_SECRET_KEY refuses to start, and pauses no tenant", async () => {
  const relay = await createRelay({ databaseUrl: url, secretKey: SECRET_KEY, log: () => {} });
  try {
    await relay.tenants.add({ id: "keyed", baseUrl: mock.url, auth: { accessKey: "key-good", accessKeySecret: "right-secret-7Yp" } });
  } finally {
    await relay.close();
  }
  const other = Buffer.alloc(32, 7).toString("base64");
  const run = await cli(["run", "--until-idle", ...FAST], { DATABASE_URL: url, GONG_RELAY_SECRET_KEY: other });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/GONG_RELAY_SECRET_KEY does not decrypt the stored credentials \(tenant "[^"]+"'s keys\): this worker has another key/);
  expect(run.stderr).not.toContain(other);
  expect(await query(url, "select id from gong_relay.tenant where paused")).toEqual([]);
});

test.concurrent("retry --refused puts refused events back in the queue (after their cause is fixed); retry alone says what it needs", async () => {
  const db = await freshDatabase();
  const relay = await createRelay({ databaseUrl: db, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    await relay.tenants.add({ id: "fixed", baseUrl: mock.url, auth: { accessKey: "key-good", accessKeySecret: "right-secret-7Yp" } });
    await relay.enqueue([1, 2, 3].map((n) => ({ tenant: "fixed", operation: "shared", event: sharedEvent("fixed", n) })));
    // As a wrong base URL would leave them: refused by a 404, finished.
    await query(db, "update gong_relay.event set status = 'refused', last_status = 404, reason = '404', finished_at = clock_timestamp()");
    const [bare, retry] = [await cli(["retry"], { DATABASE_URL: db }), await cli(["retry", "--refused", "--tenant", "fixed"], { DATABASE_URL: db })];
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("retry needs --dead (dead letters back to the queue) and/or --refused");
    expect(retry.stdout.trim()).toBe("3 refused events back in the queue");
    await relay.run({ untilIdle: true, ...FAST_OPTIONS });
    expect(await query(db, "select status, count(*)::int as n from gong_relay.event group by status")).toEqual([{ status: "accepted", n: 3 }]);
  } finally {
    await relay.close();
  }
});

test.concurrent("an unknown tenant: one line, exit 1, nothing stored", async () => {
  const result = await cli(["enqueue", "--tenant", "nobody", "--operation", "shared"], { DATABASE_URL: url }, `${JSON.stringify(sharedEvent("nobody", 1))}\n`);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split("\n")).toEqual([`gong-relay: unknown tenant "nobody": add it first (gong-relay tenant add <id> ...); nothing was stored`]);
});

test.concurrent("an unreachable database: one line naming it (password hidden), exit 1", async () => {
  const result = await cli(["status", "--database-url", "postgres://relay:hunter2-pw@127.0.0.1:1/relay"]);
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^gong-relay: cannot reach the database \(postgres:\/\/relay:\*\*\*@127\.0\.0\.1:1\/relay\): connect ECONNREFUSED/);
  expect(result.stderr).not.toContain("hunter2");
});

test.concurrent("an unmigrated database: status asks for `gong-relay migrate`; no secret key: tenant add refuses", async () => {
  const empty = await freshDatabase();
  const [status, noKey] = await Promise.all([
    cli(["status"], { DATABASE_URL: empty }),
    cli(["tenant", "add", "k", "--base-url", mock.url, "--bearer-token", "tok-9Zx"], { DATABASE_URL: url, GONG_RELAY_SECRET_KEY: "" }),
  ]);
  expect(status.code).toBe(1);
  expect(status.stderr.trim()).toBe("gong-relay: the database has no gong_relay schema yet: run `gong-relay migrate` (with the same DATABASE_URL) first");
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toMatch(/^gong-relay: GONG_RELAY_SECRET_KEY is not set/);
  expect(noKey.stderr).not.toContain("tok-9Zx");
  expect(await query(url, "select id from gong_relay.tenant where id = 'k'")).toEqual([]);
});

test.concurrent("a tenant whose credentials Gong refuses (401) is paused with the reason, its events kept; the others go on", async () => {
  const db = await freshDatabase(); // its worker delivers whatever is queued: a database of its own
  const relay = await createRelay({ databaseUrl: db, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    await relay.tenants.add({ id: "good", baseUrl: mock.url, auth: { accessKey: "key-good", accessKeySecret: "right-secret-7Yp" } });
    await relay.tenants.add({ id: "bad", baseUrl: mock.url, auth: { accessKey: "key-bad", accessKeySecret: "wrong-secret-3Kd" } });
    await relay.enqueue(["good", "bad"].flatMap((tenant) => [1, 2, 3].map((n) => ({ tenant, operation: "viewed", event: sharedEvent(`${tenant}401`, n) }))));
    const run = await cli(["run", "--until-idle", ...FAST], { DATABASE_URL: db });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/tenant bad: paused, its events kept: Gong answered 401: Authorization: unknown access key or wrong secret/);
    const [bad] = await relay.status("bad");
    expect(bad).toMatchObject({ paused: true, pending: 3, deliveredToday: 0 });
    expect(bad!.pausedReason).toContain("401");
    const [good] = await relay.status("good");
    expect(good).toMatchObject({ paused: false, pending: 0, deliveredToday: 3 });
    const shown = await cli(["status", "--tenant", "bad"], { DATABASE_URL: db });
    expect(shown.stdout).toMatch(/bad .* yes: Gong answered 401/);
    for (const output of [run.stderr, run.stdout, shown.stdout, JSON.stringify(await relay.tenants.list())]) {
      expect(output).not.toContain("wrong-secret-3Kd");
      expect(output).not.toContain("right-secret-7Yp");
    }
    // Fixed credentials, resumed: the kept events go out.
    expect((await cli(["tenant", "update", "bad", "--access-key", "key-bad", "--access-key-secret", "right-secret-bad-4Qz"], { DATABASE_URL: db })).code).toBe(
      0,
    );
    expect((await cli(["tenant", "resume", "bad"], { DATABASE_URL: db })).code).toBe(0);
    await relay.run({ untilIdle: true, ...FAST_OPTIONS }); // a worker in this process this time
    expect((await relay.status("bad"))[0]).toMatchObject({ paused: false, pending: 0, deliveredToday: 3 });
    const accepted = acceptedIds(await mock.journal());
    for (let n = 1; n <= 3; n++) expect(accepted.get(`bad401-e${n}`)).toBe(1);
  } finally {
    await relay.close();
  }
});

test.concurrent("the mock's faults at 30 % (resets, lost responses, 503s): every event in Gong once, none lost", async () => {
  const faulty = await startMock({
    faults: {
      seed: 7,
      rules: [
        { fault: "reset-before", fraction: 0.1 },
        { fault: "drop-response", fraction: 0.111 },
        { fault: "status:503", fraction: 0.125 },
      ],
    },
  });
  const db = await freshDatabase();
  const relay = await createRelay({ databaseUrl: db, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    const tenants = ["fa", "fb", "fc"];
    for (const id of tenants) await relay.tenants.add({ id, baseUrl: faulty.url, auth: { accessKey: `key-${id}`, accessKeySecret: "s" } });
    await relay.enqueue(tenants.flatMap((tenant) => Array.from({ length: 20 }, (_, n) => ({ tenant, operation: "shared", event: sharedEvent(tenant, n) }))));
    // The worker runs in this process: what is checked is what reached Gong and what the queue recorded.
    await relay.run({ untilIdle: true, concurrency: 3, maxAttempts: 30, ...FAST_OPTIONS });
    const injected = await faulty.faults();
    const accepted = acceptedIds(await faulty.journal());
    expect(accepted.size).toBe(60);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    const rows = await query(db, "select status, count(*)::int as n, sum(attempts)::int as attempts from gong_relay.event group by status");
    const delivered = rows.filter((r) => r.status === "accepted" || r.status === "already_reported").reduce((a, r) => a + r.n, 0);
    expect(delivered).toBe(60);
    // Faults did strike (a third of the sends, about): some events needed more than one attempt.
    const attempts = rows.reduce((a, r) => a + r.attempts, 0);
    expect(attempts, JSON.stringify(injected)).toBeGreaterThan(60);
    expect(rows.find((r) => r.status === "already_reported")?.n ?? 0).toBeGreaterThan(0); // a lost response, then 409
  } finally {
    await relay.close();
    await faulty.close();
  }
});

test.concurrent("transient failures up to the limit: dead letters with their reason; retry --dead sends them again; purge", async () => {
  const failing = await startMock({ faults: { seed: 1, rules: [{ fault: "status:503" }] } });
  const db = await freshDatabase();
  const relay = await createRelay({ databaseUrl: db, schema: "apply", secretKey: SECRET_KEY, log: () => {} });
  try {
    await relay.tenants.add({ id: "dl", baseUrl: failing.url, auth: { bearerToken: "tok-dl-8Wq" } });
    await relay.enqueue([1, 2].map((n) => ({ tenant: "dl", operation: "shared", event: sharedEvent("dl", n) })));
    const run = await cli(["run", "--until-idle", "--max-attempts", "2", ...FAST], { DATABASE_URL: db });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/tenant dl: an event was dead-lettered after 2 failures \(503\)/);
    const [dead] = await relay.status("dl");
    expect(dead!.dead).toEqual([{ reason: "503", count: 2, mayHaveLanded: 2 }]);
    const shown = await cli(["status"], { DATABASE_URL: db });
    expect(shown.stdout).toContain("2× 503 (2 may be in Gong)");
    await failing.setFaults({ rules: [] });
    const retry = await cli(["retry", "--dead", "--tenant", "dl"], { DATABASE_URL: db });
    expect(retry.stdout.trim()).toBe("2 dead letters back in the queue");
    await relay.run({ untilIdle: true, ...FAST_OPTIONS }); // a worker in this process this time
    expect((await relay.status("dl"))[0]).toMatchObject({ pending: 0, deliveredToday: 2, dead: [] });
    expect([...acceptedIds(await failing.journal()).keys()].sort()).toEqual(["dl-e1", "dl-e2"]);
    const [purged, wrong] = await Promise.all([
      cli(["purge", "--older-than", "0s"], { DATABASE_URL: db }),
      cli(["purge", "--older-than", "a week"], { DATABASE_URL: db }),
    ]);
    expect(purged.stdout.trim()).toBe("2 finished events deleted");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--older-than must be a duration such as 7d");
  } finally {
    await relay.close();
    await failing.close();
  }
});
