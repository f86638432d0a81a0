// What the scenarios share: a database of their own in the run's Postgres, the mock Gong (per-credential
// limits on, as Gong), the gong-relay CLI as real processes, and checks read from the mock's journal.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FaultScenario, JournalEntry, MockServerOptions } from "@gong-engage/mock-server";
import pg from "pg";
import { inject } from "vitest";
import { onAnyExit, postmasters, recordCli, stopNow } from "./leftovers.js";

// Whatever a scenario started is stopped when its file ends (setup.ts calls stopStarted from afterAll), even when
// it failed or timed out: the gong-relay processes, and any embedded Postgres left running in its temp folders
// (then removed). The same, synchronously, when this test process is killed or loses vitest's main process.
const children = new Set<ChildProcess>();
const folders = new Set<string>();
onAnyExit(() => stopNow(runningGroups(), folders), { whenOrphaned: true });

function runningGroups(): number[] {
  return [...children].filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined).map((c) => c.pid!);
}

export async function stopStarted(): Promise<void> {
  stopNow(runningGroups(), []);
  children.clear();
  await Promise.all([...openMocks].map((mock) => mock.close()));
  for (const dir of folders) {
    for (const pid of postmasters(dir, 3)) {
      try {
        process.kill(pid, "SIGINT"); // fast shutdown
      } catch {
        continue;
      }
      for (let i = 0; i < 200 && postmasters(dir, 3).includes(pid); i++) await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(dir, { recursive: true, force: true });
  }
  folders.clear();
}

export const CLI = fileURLToPath(new URL("../bin/gong-relay.js", import.meta.url));
export const SECRET_KEY = randomBytes(32).toString("base64");

/** A new, empty database in the run's Postgres; its URL. */
export async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: inject("postgresUrl") });
  await admin.connect();
  const name = `relay_${randomBytes(5).toString("hex")}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${name}`;
  return url.toString();
}

/** A mock Gong of the scenario's own (per-credential limits on, as Gong), served from vitest's main process (mock-host.ts). */
export interface Mock {
  url: string;
  /** The events the mock accepted (its journal), oldest first. */
  journal(): Promise<JournalEntry[]>;
  /** How many events it accepted: cheap enough to poll. */
  accepted(): Promise<number>;
  /** Every request line the mock logged ("PUT /v2/... 200 1.2ms"), with its time. */
  requests(): Promise<Array<{ at: number; line: string }>>;
  count429(): Promise<number>;
  /** What GET /__mock/oauth answers. */
  oauth(): Promise<Record<string, any>>;
  /** What GET /__mock/faults answers. */
  faults(): Promise<Record<string, any>>;
  setFaults(scenario: FaultScenario): Promise<void>;
  close(): Promise<void>;
}

const openMocks = new Set<Mock>();

export async function startMock(options: Omit<MockServerOptions, "log"> = {}): Promise<Mock> {
  const host = inject("mockHost");
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${host}/mocks${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`mock host: ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const { id, url } = (await call("POST", "", options)) as { id: string; url: string };
  const admin = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${url}/__mock/${path}`, init);
    if (!response.ok) throw new Error(`mock: ${init.method ?? "GET"} /__mock/${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const mock: Mock = {
    url,
    journal: () => call("GET", `/${id}/journal`),
    accepted: async () => (await call("GET", `/${id}/accepted`)).count,
    requests: () => call("GET", `/${id}/requests`),
    count429: async () => (await mock.requests()).filter((r) => / 429 /.test(r.line)).length,
    oauth: () => admin("oauth"),
    faults: () => admin("faults"),
    setFaults: async (scenario) => void (await admin("faults", { method: "POST", body: JSON.stringify(scenario) })),
    close: async () => {
      if (!openMocks.delete(mock)) return;
      await call("DELETE", `/${id}`);
    },
  };
  openMocks.add(mock);
  return mock;
}

/** A temporary folder in the run's folder that the postgres OS user can enter (mkdtemp makes it 0700). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(inject("runDir"), prefix));
  chmodSync(dir, 0o755);
  folders.add(dir);
  return dir;
}

/**
 * A data folder with a database cluster ready to start, copied from the run's template: what `initdb` would make,
 * without running it again. Zero set-up runs the relay's own initdb; the other scenarios that need a Postgres of
 * their own (an orphaned server, a restart) start from a copy.
 */
export function copyOfTemplate(dataDir: string): string {
  execFileSync("cp", ["-a", inject("templateDataDir"), dataDir]);
  return dataDir;
}

/** A valid content-shared event for tenant `tenant`, unique by `n`. */
export function sharedEvent(tenant: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    reportingSystem: "RelayTest",
    eventTimestamp: "2024-05-01T10:00:00Z",
    eventId: `${tenant}-e${n}`,
    contentId: `${tenant}-c${n}`,
    contentUrl: `https://docs.example.com/${tenant}/${n}`,
    contentTitle: `Proposal ${n}`,
    ...extra,
  };
}

export function writeNdjson(dir: string, name: string, events: unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n")}\n`);
  return file;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs gong-relay to completion. */
export function cli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  const child = startCli(args, env);
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  return finished(child);
}

/** Starts gong-relay (a worker, usually); read its output with finished(). */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, GONG_RELAY_SECRET_KEY: SECRET_KEY, DATABASE_URL: undefined, GONG_RELAY_CRASH_AT: undefined, ...env } as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
    // A process group of its own: stopping it also stops a pg_ctl it is running (which would start a Postgres after
    // the cleanup looked for one).
    detached: true,
  }) as ChildProcess & { output: { stdout: string; stderr: string } };
  child.output = { stdout: "", stderr: "" };
  children.add(child);
  const recorded = recordCli(inject("runDir"), child.pid!);
  child.once("exit", () => recorded.forget());
  child.stdout!.on("data", (d) => (child.output.stdout += d));
  child.stderr!.on("data", (d) => (child.output.stderr += d));
  return child;
}

export function finished(child: ReturnType<typeof startCli>): Promise<CliResult> {
  return new Promise((resolve) => {
    const done = () => resolve({ code: child.exitCode, signal: child.signalCode, ...child.output });
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once("close", () => done());
  });
}

/** Resolves once `check` is true (polled), or rejects after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The eventIds in a mock's journal, and how many times each was accepted. */
export function acceptedIds(journal: JournalEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of journal) {
    const id = String((entry.body as { eventId?: unknown }).eventId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Per tenant (the eventId's prefix), the most calls the journal shows in any 1-second window. */
export function busiestSecond(journal: JournalEntry[]): Map<string, number> {
  const times = new Map<string, number[]>();
  for (const entry of journal) {
    const tenant = String((entry.body as { eventId?: unknown }).eventId).replace(/-e\d+$/, "");
    (times.get(tenant) ?? times.set(tenant, []).get(tenant)!).push(Date.parse(entry.time));
  }
  const busiest = new Map<string, number>();
  for (const [tenant, list] of times) {
    list.sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < list.length; i++) {
      while (list[i]! - list[j]! >= 1000) j++;
      most = Math.max(most, i - j + 1);
    }
    busiest.set(tenant, most);
  }
  return busiest;
}

/** Per tenant, its calls per second from its first to its last accepted event (the journal's times). */
export function ratePerTenant(journal: JournalEntry[]): Map<string, number> {
  const times = new Map<string, number[]>();
  for (const entry of journal) {
    const tenant = String((entry.body as { eventId?: unknown }).eventId).replace(/-e\d+$/, "");
    (times.get(tenant) ?? times.set(tenant, []).get(tenant)!).push(Date.parse(entry.time));
  }
  return new Map([...times].map(([tenant, list]) => [tenant, (list.length - 1) / ((Math.max(...list) - Math.min(...list)) / 1000)]));
}

/** Event rows by status, from the relay's schema. */
export async function eventsByStatus(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query("select status, count(*)::int as n from gong_relay.event group by status");
  await client.end();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function query<T = Record<string, any>>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}
