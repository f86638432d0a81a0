#!/usr/bin/env node
// Keeps the spec's info.version and the packages' version in step (run by `pnpm version-packages` after
// `changeset version`; `--check` only reports). The rule: the six packages (@gong-engage/spec and the five
// published ones) are one changesets "fixed" group, so they share one version, and that version is the spec's
// info.version. Between releases info.version may run ahead (a pull request with a breaking spec change bumps
// it to the next major, as `pnpm spec:diff` demands); at release the packages catch up, and the changesets must
// take them at least that far.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const PACKAGES = ["spec", "packages/spec-model", "packages/client", "packages/mock-server", "packages/contract-tests", "packages/relay"];
const openapiPath = join(root, "spec", "openapi.yaml");

const versions = new Map(PACKAGES.map((dir) => [dir, JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).version]));
const distinct = new Set(versions.values());
if (distinct.size !== 1) {
  console.error(`versions differ: ${[...versions].map(([dir, v]) => `${dir} ${v}`).join(", ")}; they are one changesets fixed group`);
  process.exit(1);
}
const [version] = distinct;
const openapi = readFileSync(openapiPath, "utf8");
const infoVersion = /^info:\n(?:  .*\n)*?  version: ['"]?([^'"\n]+)['"]?$/m.exec(openapi)?.[1];
if (!infoVersion) {
  console.error("spec/openapi.yaml: no info.version found");
  process.exit(1);
}
if (semver.gt(infoVersion, version)) {
  console.error(
    `spec/openapi.yaml info.version ${infoVersion} is ahead of the packages (${version}). ` +
      (check ? "That is fine until the release; " : "") +
      `the release needs a changeset that takes them to ${infoVersion} or beyond (pnpm changeset, a ${semver.diff(version, infoVersion)} bump).`,
  );
  process.exit(check ? 0 : 1);
}
if (infoVersion === version) {
  console.log(`versions in step: packages and info.version are ${version}`);
} else if (check) {
  console.error(`spec/openapi.yaml info.version ${infoVersion} is behind the packages (${version}); run \`node scripts/sync-versions.mjs\``);
  process.exit(1);
} else {
  writeFileSync(openapiPath, openapi.replace(/^(info:\n(?:  .*\n)*?  version: )['"]?[^'"\n]+['"]?$/m, `$1${version}`));
  console.log(`spec/openapi.yaml info.version ${infoVersion} -> ${version}`);
}
