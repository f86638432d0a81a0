#!/usr/bin/env node
// `pnpm test`: turbo runs lint (Redocly, Biome), typecheck and test in every package (cached), then this prints one line that
// totals the tests of every package. Each package's vitest writes reports/vitest.json (a turbo output, so a
// cached run restores it); the totals are read from those files, not from the log. Extra arguments go to turbo
// (e.g. `pnpm test --force`). Before the totals it lists the ten slowest tests from the same files; the totals line
// stays the last line (CI reads it). Exits with turbo's exit code, or 1 if no test ran at all.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packageDirs = [join(root, "spec"), ...readdirSync(join(root, "packages")).map((name) => join(root, "packages", name))];
const reportOf = (dir) => join(dir, "reports", "vitest.json");

// A report left from an earlier run must not be counted for a task that did not run this time.
for (const dir of packageDirs) rmSync(reportOf(dir), { force: true });

const turbo = spawnSync("turbo", ["run", "lint", "lint:root", "typecheck", "test", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  shell: process.platform === "win32",
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
});
if (turbo.error) {
  console.error(`pnpm test: could not run turbo (${turbo.error.message}); run \`pnpm install\` first.`);
  process.exit(1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const missing = [];
const timed = [];
for (const dir of packageDirs) {
  if (!existsSync(join(dir, "vitest.config.ts"))) continue;
  if (!existsSync(reportOf(dir))) {
    missing.push(relative(root, dir));
    continue;
  }
  const report = JSON.parse(readFileSync(reportOf(dir), "utf8"));
  totals.passed += report.numPassedTests ?? 0;
  totals.failed += report.numFailedTests ?? 0;
  totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (typeof test.duration !== "number") continue;
      const path = [relative(root, file.name), ...(test.ancestorTitles ?? []), test.title].join(" › ");
      timed.push({ path, ms: test.duration });
    }
  }
}
// The ten slowest tests (vitest's own duration of each test, hooks not included), so that the next regression is
// visible. A package that turbo replayed from its cache shows the durations of the run that was cached.
if (timed.length > 0) {
  timed.sort((a, b) => b.ms - a.ms);
  console.log(`\nslowest ${Math.min(10, timed.length)} tests:`);
  for (const { path, ms } of timed.slice(0, 10)) console.log(`${(ms / 1000).toFixed(1).padStart(7)} s  ${path}`);
}
const notRun = missing.length ? ` (no test report from ${missing.join(", ")}: its tests did not run)` : "";
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${notRun}`);
const status = turbo.status ?? 1;
if (status === 0 && totals.passed === 0) {
  console.error("pnpm test: no test ran");
  process.exit(1);
}
process.exit(status);
