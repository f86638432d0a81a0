// What a killed test run must not leave behind. afterAll and the global teardown do not run when the test process is
// killed (turbo stopping a task, Ctrl-C, a vitest fork whose main process died), and Postgres would outlive it:
// pg_ctl starts it in a session of its own, so no signal sent to the test's process group reaches it. So each test
// process stops what it started from its exit path too: the gong-relay processes it spawned (each in a process group
// of its own, with the pg_ctl it may be running) and every Postgres whose data folder it made.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";

/** Runs `cleanup` once: at exit, on SIGINT/SIGTERM/SIGHUP (then exits), and, for a vitest fork, when its parent is gone. */
export function onAnyExit(cleanup: () => void, { whenOrphaned = false } = {}): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cleanup();
  };
  process.on("exit", once);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      once();
      process.exit(128 + constants.signals[signal]);
    });
  }
  // A vitest fork keeps running its file after the main process died: its IPC channel closing is the only sign.
  if (whenOrphaned) {
    process.on("disconnect", () => {
      once();
      process.exit(1);
    });
  }
}

/**
 * Synchronously (it runs on the exit path): kills the process groups `groups` (SIGKILL), then every Postgres whose
 * data folder lies under one of `folders` (immediate shutdown, SIGQUIT), and waits up to 5 s for them to be gone.
 */
export function stopNow(groups: Iterable<number>, folders: Iterable<string>): void {
  for (const group of groups) signal(-group, "SIGKILL");
  const servers = [...folders].flatMap((folder) => postmasters(folder, 3));
  for (const pid of servers) signal(pid, "SIGQUIT");
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 5_000 && servers.some(isPostgres); waited += 50) Atomics.wait(pause, 0, 0, 50);
}

/** The live Postgres servers with their data folder (the one holding PG_VERSION) at most `depth` levels below `folder`. */
export function postmasters(folder: string, depth: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  if (entries.includes("PG_VERSION")) {
    if (!entries.includes("postmaster.pid")) return [];
    const pid = Number(readFileSync(join(folder, "postmaster.pid"), "utf8").split("\n")[0]);
    return isPostgres(pid) ? [pid] : [];
  }
  if (depth === 0) return [];
  return entries.flatMap((entry) => postmasters(join(folder, entry), depth - 1));
}

// The pid file can outlive its server (kill -9): a recycled pid is only signalled if it is a Postgres.
function isPostgres(pid: number): boolean {
  try {
    return Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

// A process killed with SIGKILL runs no exit path: a watcher outside it (a shell loop in a session of its own,
// about one `sleep` a second) waits for it to be gone, then stops what the run left: the gong-relay process groups
// recorded under <run>/.cli (by their pid, if still a gong-relay) and every Postgres under the run folder, and
// removes the folder. After a normal end the folder is gone already and the watcher just exits.
const WATCHER = `
while kill -0 "$2" 2>/dev/null; do sleep 1; done
[ -d "$1" ] || exit 0
for f in "$1"/.cli/*; do p=\${f##*/}; grep -qa gong-relay "/proc/$p/cmdline" 2>/dev/null && kill -KILL -- "-$p"; done
for f in $(find "$1" -maxdepth 4 -name postmaster.pid); do
  p=$(head -n 1 "$f"); [ "$(cat "/proc/$p/comm" 2>/dev/null)" = postgres ] && kill -QUIT "$p"
done
sleep 2; rm -rf "$1"`;

/** Cleans `runDir` up after this process, even if it is killed with SIGKILL (see WATCHER). */
export function watchOver(runDir: string): void {
  mkdirSync(`${runDir}/.cli`, { recursive: true });
  spawn("sh", ["-c", WATCHER, "gong-relay-test-watcher", runDir, String(process.pid)], { detached: true, stdio: "ignore" }).unref();
}

/** Records a gong-relay process (the leader of its own process group) for the watcher; forget it once it exited. */
export function recordCli(runDir: string, pid: number): { forget(): void } {
  const file = `${runDir}/.cli/${pid}`;
  writeFileSync(file, "");
  return { forget: () => rmSync(file, { force: true }) };
}
