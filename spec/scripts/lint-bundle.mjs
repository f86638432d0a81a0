#!/usr/bin/env node
// The second half of `pnpm lint`: bundles the spec into a temporary folder (so that a lint never races a
// `bundle` task writing dist/) and runs Spectral with the repository's ruleset (../.spectral.yaml, `spectral:oas`)
// on that bundle. Any finding, hints included, fails the lint.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { bundleSpec, specDir } from "../lib/build.mjs";

const require = createRequire(import.meta.url);
const spectralPackage = require.resolve("@stoplight/spectral-cli/package.json");
const spectralBin = join(dirname(spectralPackage), JSON.parse(readFileSync(spectralPackage, "utf8")).bin.spectral);
const ruleset = join(specDir, "..", ".spectral.yaml");

const work = mkdtempSync(join(tmpdir(), "gong-engage-spec-lint-"));
let status = 1;
try {
  const { yamlPath } = await bundleSpec({ outDir: work });
  console.log(`spectral: linting the bundled spec with ${ruleset}`);
  const result = spawnSync(process.execPath, [spectralBin, "lint", yamlPath, "--ruleset", ruleset, "--fail-severity", "hint", "--format", "stylish"], {
    stdio: "inherit",
  });
  status = result.status ?? 1;
} catch (error) {
  console.error(`spectral: could not bundle the spec: ${error.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(status);
