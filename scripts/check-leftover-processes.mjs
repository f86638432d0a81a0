#!/usr/bin/env node
// Fails a CI run that leaves a server behind: a `gong-mock`, a Prism or a Postgres process that the run started
// and that is still alive when it ends (an orphan keeps its port and its memory, and the next run trips on it).
//
//   node scripts/check-leftover-processes.mjs start <state-file>   at the start of the run: records every live process
//   node scripts/check-leftover-processes.mjs check <state-file>   at the end: exit 1, naming them, if any is left
//   node scripts/check-leftover-processes.mjs --self-test          proves the check catches one and ignores others
//
// "Started by the run" needs two things, because the machine may be shared and an orphan loses its parent:
//   - it was not alive at `start` (a process is its PID plus its start time, so a recycled PID is a new process);
//   - it carries the run's marker: `start` prints a marker (LEFTOVER_CHECK_RUN=<id>) that the caller exports, and every
//     process the run starts inherits it in its environment (readable in /proc/<pid>/environ by the same user or
//     root), even after it is orphaned or runs as the `postgres` user. (turbo.json passes it through to every task
//     without hashing it; a name matching a task's hashed env, such as GONG_*, would make every run a cache miss.) A process without the marker was started
//     during the run by someone else: it is listed as ignored, never a failure. When the environment cannot be
//     read, a process whose command line or working directory lies inside this repository still counts as ours.
// Linux only (/proc); elsewhere it says so and passes.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MARKER = "LEFTOVER_CHECK_RUN";

/** The kinds of process a run must not leave behind, by command line (or name, for Postgres's own processes). */
const KINDS = [
  { kind: "gong-mock", test: ({ args }) => /gong-mock/.test(args) },
  { kind: "Prism", test: ({ args }) => /(^|[\s/])prism(-cli)?(\s|$)|@stoplight[/+]prism-cli/.test(args) },
  {
    kind: "Postgres",
    test: ({ args, comm, user }) =>
      comm === "postgres" || comm === "postmaster" || /(^|\/)(postgres|postmaster|pg_ctl|initdb)(\s|$|:)/.test(args) || user === "postgres",
  },
];

function readOrEmpty(path, encoding = "utf8") {
  try {
    return readFileSync(path, encoding);
  } catch {
    return undefined;
  }
}

const userNames = (() => {
  const names = new Map();
  for (const line of (readOrEmpty("/etc/passwd") ?? "").split("\n")) {
    const [name, , uid] = line.split(":");
    if (name && uid) names.set(uid, name);
  }
  return names;
})();

/** Every live process: pid, start time (clock ticks since boot), name, command line, user. */
export function processes() {
  const list = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrEmpty(`/proc/${entry}/stat`);
    if (!stat) continue; // gone meanwhile
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" "); // fields[0] is field 3 (state); start time is field 22
    const args = (readOrEmpty(`/proc/${entry}/cmdline`) ?? "").split("\0").filter(Boolean).join(" ");
    const uid = /^Uid:\s+(\d+)/m.exec(readOrEmpty(`/proc/${entry}/status`) ?? "")?.[1];
    list.push({ pid: Number(entry), ppid: Number(fields[1]), start: fields[19], comm, args: args || `[${comm}]`, user: userNames.get(uid) ?? uid });
  }
  return list;
}

const identity = (p) => `${p.pid}@${p.start}`;

/** Whose process is it: "ours" (the run's marker, or inside this repository), "other", or "unknown". */
function ownerOf(p, runId) {
  const environ = readOrEmpty(`/proc/${p.pid}/environ`, "latin1");
  if (environ !== undefined && environ.length > 0) return environ.split("\0").includes(`${MARKER}=${runId}`) ? "ours" : "other";
  let cwd = "";
  try {
    cwd = readlinkSync(`/proc/${p.pid}/cwd`);
  } catch {}
  return p.args.includes(root) || cwd.startsWith(root) ? "ours" : "unknown";
}

function kindOf(p) {
  return KINDS.find(({ test }) => test(p))?.kind;
}

/** The run's processes of the watched kinds that were not alive at `start`. */
export function leftovers(state) {
  const before = new Set(state.processes);
  const found = { ours: [], ignored: [] };
  for (const p of processes()) {
    if (p.pid === process.pid || before.has(identity(p))) continue;
    const kind = kindOf(p);
    if (!kind) continue;
    const owner = ownerOf(p, state.runId);
    (owner === "ours" ? found.ours : found.ignored).push({ ...p, kind, owner });
  }
  return found;
}

const describe = (p) => `  ${p.kind}: pid ${p.pid} (parent ${p.ppid}, user ${p.user}): ${p.args.slice(0, 200)}`;

export function start(stateFile, runId = `${Date.now().toString(36)}-${process.pid}`) {
  writeFileSync(stateFile, JSON.stringify({ runId, at: new Date().toISOString(), processes: processes().map(identity) }));
  return runId;
}

/** Exit status: 1 if the run left any of its processes; waits up to `graceMs` for ones that are still stopping. */
export async function check(stateFile, { graceMs = 5_000, log = console.log } = {}) {
  const state = JSON.parse(readFileSync(stateFile, "utf8"));
  let found = leftovers(state);
  for (const deadline = Date.now() + graceMs; found.ours.length > 0 && Date.now() < deadline; found = leftovers(state)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (found.ignored.length > 0) {
    log(`leftover processes: ${found.ignored.length} started during the run by someone else (no ${MARKER}=${state.runId}), ignored:`);
    for (const p of found.ignored.slice(0, 10)) log(describe(p));
    if (found.ignored.length > 10) log(`  ... and ${found.ignored.length - 10} more`);
  }
  if (found.ours.length > 0) {
    log(`leftover processes: FAILED: this run started ${found.ours.length} process(es) that are still running:`);
    for (const p of found.ours) log(describe(p));
    log("Every test and script must stop what it starts, children included (a process group, or the real child).");
    return 1;
  }
  log(`leftover processes: none (no gong-mock, Prism or Postgres process of this run is alive; run ${state.runId})`);
  return 0;
}

async function selfTest() {
  const stateFile = join(tmpdir(), `leftover-self-test-${process.pid}.json`);
  const runId = start(stateFile, `self-test-${process.pid}`);
  // Two stand-ins whose command lines say gong-mock: one carries the run's marker, the other does not. Both are
  // detached (their own group), the way an orphan outlives its parent.
  const spawnIdle = (env, name) => spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", name], { env, detached: true, stdio: "ignore" });
  const ours = spawnIdle({ ...process.env, [MARKER]: runId }, "gong-mock");
  const other = spawnIdle({ PATH: process.env.PATH ?? "", [MARKER]: "another-run" }, "gong-mock");
  const lines = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const withLeftover = await check(stateFile, { graceMs: 0, log: (line) => lines.push(line) });
    const named = lines.some((l) => l.includes(`pid ${ours.pid} `));
    const ignored = lines.some((l) => l.includes("ignored")) && lines.some((l) => l.includes(`pid ${other.pid} `));
    process.kill(-ours.pid, "SIGTERM");
    await new Promise((resolve) => ours.once("exit", resolve));
    const clean = await check(stateFile, { graceMs: 2_000, log: () => {} });
    const problems = [
      withLeftover === 1 ? "" : "a leftover carrying the run's marker did not fail the check",
      named ? "" : "the leftover's PID was not named",
      ignored ? "" : "a process of another run was not listed as ignored",
      clean === 0 ? "" : "the check failed after the leftover was stopped",
    ].filter(Boolean);
    if (problems.length) {
      console.error(`check-leftover-processes self-test FAILED: ${problems.join("; ")}\n${lines.join("\n")}`);
      return 1;
    }
    console.log("check-leftover-processes self-test: a leftover of the run fails the check (named), another run's is ignored");
    return 0;
  } finally {
    for (const child of [ours, other]) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
    rmSync(stateFile, { force: true });
  }
}

const [command, stateFile] = process.argv.slice(2);
if (!existsSync("/proc/self/stat")) {
  console.log("leftover processes: not checked (needs Linux's /proc)");
  if (command === "start") console.log(`${MARKER}=none`);
  process.exit(0);
}
if (command === "--self-test") {
  process.exit(await selfTest());
} else if (command === "start" && stateFile) {
  // The caller exports this line's value, so that every process of the run carries the marker.
  console.log(`${MARKER}=${start(stateFile)}`);
} else if (command === "check" && stateFile) {
  process.exit(await check(stateFile));
} else {
  console.error("usage: check-leftover-processes.mjs start <state-file> | check <state-file> | --self-test");
  process.exit(2);
}
