#!/usr/bin/env node
// Proves, with turbo's own run summaries (not timings), that turbo caches exactly: run after `pnpm test` on a
// clean clone (CI does, in .ci/run).
//   1. `pnpm test` again: every task is a cache hit (FULL TURBO).
//   2. A one-word change (a new word each run) to a description under spec/: the next `pnpm test` runs exactly the tasks that
//      depend on the edited file (the tasks whose inputs hold it, and everything downstream of them in the task
//      graph, read from `turbo --dry=json`), and takes every other task from the cache.
//   3. `pnpm test` again: FULL TURBO.
// The edited file is restored at the end, whatever happens. Exits 1 naming the tasks that broke the rule.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TASKS = ["lint", "lint:root", "typecheck", "test"];
const EDITED = "spec/components/schemas/Sharer.yaml";
const runsDir = join(root, ".turbo", "runs");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };

function turbo(args, { quiet = false } = {}) {
  const result = spawnSync("turbo", ["run", ...TASKS, ...args], {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
    shell: process.platform === "win32",
  });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? "");
    throw new Error(`turbo run ${TASKS.join(" ")} ${args.join(" ")} failed (exit code ${result.status})`);
  }
  return result.stdout;
}

/** Runs the tasks for real with --summarize; returns turbo's run summary. */
function summarizedRun() {
  rmSync(runsDir, { recursive: true, force: true });
  turbo(["--summarize", "--output-logs=errors-only"], { quiet: true });
  const [file] = readdirSync(runsDir).filter((name) => name.endsWith(".json"));
  return JSON.parse(readFileSync(join(runsDir, file), "utf8"));
}

const realTasks = (summary) => summary.tasks.filter((task) => task.command !== "<NONEXISTENT>");
const missed = (summary) =>
  realTasks(summary)
    .filter((task) => task.cache.status !== "HIT")
    .map((task) => task.taskId)
    .sort();
const counts = (summary) => {
  const tasks = realTasks(summary);
  const cached = tasks.filter((task) => task.cache.status === "HIT").length;
  return `${cached} cached, ${tasks.length} total${cached === tasks.length ? " (FULL TURBO)" : ""}`;
};

/** The tasks that must re-run when `file` changes: those hashing it, and everything downstream of them. */
function dependantsOf(file) {
  const plan = JSON.parse(turbo(["--dry=json"], { quiet: true }));
  const byId = new Map(plan.tasks.map((task) => [task.taskId, task]));
  const direct = plan.tasks.filter((task) => relative(task.directory, file) in task.inputs);
  const closure = new Set();
  const visit = (task) => {
    if (!task || closure.has(task.taskId)) return;
    closure.add(task.taskId);
    for (const id of task.dependents) visit(byId.get(id));
  };
  direct.forEach(visit);
  return [...closure].filter((id) => byId.get(id).command !== "<NONEXISTENT>").sort();
}

const failures = [];
const original = readFileSync(join(root, EDITED), "utf8");
try {
  const second = summarizedRun();
  console.log(`turbo cache check 1: pnpm test again with nothing changed: ${counts(second)}`);
  if (missed(second).length) failures.push(`nothing changed, yet these tasks missed the cache: ${missed(second).join(", ")}`);

  // A word never used before: with a turbo cache kept between CI runs, a repeated edit would be a cache hit.
  writeFileSync(join(root, EDITED), original.replace(/^description: (.*)$/m, `description: $1 Checked ${Date.now().toString(36)}.`));
  if (readFileSync(join(root, EDITED), "utf8") === original) throw new Error(`${EDITED} has no top-level description to edit`);
  const expected = dependantsOf(EDITED);
  const afterEdit = summarizedRun();
  const ran = missed(afterEdit);
  console.log(`turbo cache check 2: one word added to a description in ${EDITED}: ${counts(afterEdit)}`);
  console.log(`  re-ran (${ran.length}): ${ran.join(", ")}`);
  const extra = ran.filter((id) => !expected.includes(id));
  const skipped = expected.filter((id) => !ran.includes(id));
  if (extra.length) failures.push(`tasks that do not depend on ${EDITED} re-ran: ${extra.join(", ")}`);
  if (skipped.length) failures.push(`tasks that depend on ${EDITED} were served from the cache: ${skipped.join(", ")}`);
  if (!expected.length) failures.push(`no task hashes ${EDITED}: the check proves nothing`);

  const third = summarizedRun();
  console.log(`turbo cache check 3: pnpm test again: ${counts(third)}`);
  if (missed(third).length) failures.push(`after the edited run, these tasks missed the cache again: ${missed(third).join(", ")}`);
} catch (error) {
  failures.push(error.message);
} finally {
  writeFileSync(join(root, EDITED), original);
}

if (failures.length) {
  console.error(`turbo cache check FAILED:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
  process.exit(1);
}
console.log("turbo cache check passed: a second run is FULL TURBO, a spec edit re-runs exactly its dependants.");
