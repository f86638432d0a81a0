#!/usr/bin/env node
// `pnpm test:mutation [stryker options]`: runs StrykerJS (stryker.config.mjs) and then prints, from its JSON
// report, the score per file and every mutant no test noticed (file:line, the mutator and the change), the
// list to work from. While working on one module: `pnpm test:mutation --mutate src/pacing.ts`. Two runs at once
// need their own sandboxes and reports: `MUTATION_RUN=pacing pnpm test:mutation --mutate src/pacing.ts` writes
// to reports/mutation-pacing/ and sandboxes in .stryker-tmp-pacing/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = process.env.MUTATION_RUN;
const reportDir = join(packageDir, "reports", run ? `mutation-${run}` : "mutation");
const reportPath = join(reportDir, "mutation.json");
const require = createRequire(import.meta.url);
const strykerBin = join(dirname(require.resolve("@stryker-mutator/core/package.json")), "bin", "stryker.js");

rmSync(reportPath, { force: true });
let config = [];
if (run) {
  // The package's config, with this run's own sandbox and report files.
  mkdirSync(reportDir, { recursive: true });
  const path = join(reportDir, "stryker.config.mjs");
  writeFileSync(
    path,
    `import base from "../../stryker.config.mjs";\n` +
      `export default { ...base, tempDirName: ".stryker-tmp-${run}", htmlReporter: { fileName: "reports/mutation-${run}/index.html" }, jsonReporter: { fileName: "reports/mutation-${run}/mutation.json" } };\n`,
  );
  config = [path];
}
const stryker = spawnSync(process.execPath, [strykerBin, "run", ...config, ...process.argv.slice(2)], { cwd: packageDir, stdio: "inherit" });
if (!existsSync(reportPath)) process.exit(stryker.status || 1);

const report = JSON.parse(readFileSync(reportPath, "utf8"));
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);
const rows = [];
const survivors = [];
let detected = 0;
let valid = 0;
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  const lines = source.split("\n");
  let fileDetected = 0;
  let fileValid = 0;
  for (const mutant of mutants) {
    if (DETECTED.has(mutant.status)) fileDetected++;
    if (DETECTED.has(mutant.status) || UNDETECTED.has(mutant.status)) fileValid++;
    if (UNDETECTED.has(mutant.status)) {
      const { line, column } = mutant.location.start;
      const original = lines[line - 1]?.trim() ?? "";
      survivors.push(
        `${file}:${line}:${column} ${mutant.mutatorName}${mutant.status === "NoCoverage" ? " (no test runs it)" : ""}\n    ${original.slice(0, 140)}\n    -> ${String(mutant.replacement).replace(/\s+/g, " ").slice(0, 140)}`,
      );
    }
  }
  detected += fileDetected;
  valid += fileValid;
  rows.push([file, fileValid ? (100 * fileDetected) / fileValid : 100, fileDetected, fileValid]);
}
console.log("\nmutation score per file (killed + timed out, of all mutants that ran)");
for (const [file, score, d, v] of rows) console.log(`  ${file.padEnd(28)} ${score.toFixed(1).padStart(6)} %   ${d}/${v}`);
console.log(`  ${"all".padEnd(28)} ${(valid ? (100 * detected) / valid : 100).toFixed(1).padStart(6)} %   ${detected}/${valid}`);
console.log(`\nsurvivors (${survivors.length}):`);
for (const line of survivors) console.log(`  ${line}`);
process.exit(stryker.status ?? 1);
