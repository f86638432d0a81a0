// Lint and bundle a split OpenAPI spec with Redocly CLI, keeping int64 literals exact. Used by `pnpm bundle`
// (this repository's spec), by the client's `check-generated` (a bundle in a temp directory), by `pnpm spec:diff`
// (the spec as it was at a git ref) and by the mock's `--watch` (a re-bundle on every change).
//
// Why the int64 step: Redocly parses YAML into JavaScript numbers, so an example such as integrationId
// 5517027188234206123 would come out as 5517027188234206000, the very rounding the spec warns about. The exact
// literals are read from the source files (as BigInt) and restored in the bundle text.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const require = createRequire(import.meta.url);
const redoclyPackage = require.resolve("@redocly/cli/package.json");
const redoclyBin = join(dirname(redoclyPackage), JSON.parse(readFileSync(redoclyPackage, "utf8")).bin.redocly);

/** This repository's spec sources (the folder holding openapi.yaml) and its Redocly config. */
export const specDir = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const defaultConfig = join(specDir, "..", "redocly.yaml");

const quietEnv = () => ({ ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" });

/** Runs Redocly CLI; resolves with its output, rejects with an Error holding that output when it fails. */
function redocly(args, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [redoclyBin, ...args], { cwd, env: quietEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(output);
      else reject(Object.assign(new Error(`redocly ${args[0]} failed (exit code ${code}):\n${withoutNoticeBox(output)}`), { output }));
    });
  });
}

/** Redocly 2.x prints a Node 20 end-of-life box on every run; it says nothing about the spec. */
function withoutNoticeBox(output) {
  return output
    .split("\n")
    .filter((line) => !/^\s*[║╔╚]/.test(line))
    .join("\n")
    .trim();
}

/**
 * Lints the spec at `dir` (its openapi.yaml) with `config`. Resolves when there are no problems; rejects with
 * Redocly's report otherwise.
 */
export async function lintSpec({ dir = specDir, config = defaultConfig } = {}) {
  await redocly(["lint", "openapi.yaml", "--config", config, "--format=stylish", "--max-problems=1000"], dir);
}

/**
 * Bundles `dir`/openapi.yaml into `outDir`/openapi.yaml and `outDir`/openapi.json, int64 literals exact.
 * Returns the paths written and how many int64 literals were restored.
 */
export async function bundleSpec({ dir = specDir, outDir = join(specDir, "dist"), config = defaultConfig } = {}) {
  mkdirSync(outDir, { recursive: true });
  const yamlPath = join(outDir, "openapi.yaml");
  const jsonPath = join(outDir, "openapi.json");
  await Promise.all([
    redocly(["bundle", "openapi.yaml", "--config", config, "--output", yamlPath], dir),
    redocly(["bundle", "openapi.yaml", "--config", config, "--ext", "json", "--output", jsonPath], dir),
  ]);
  const byRounded = unsafeIntegers(dir);
  for (const path of [yamlPath, jsonPath]) restoreIntegers(path, byRounded);
  return { yamlPath, jsonPath, int64Literals: byRounded.size };
}

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (["dist", "node_modules", "test", "scripts", "lib"].includes(name)) return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every integer literal in the sources whose value a double cannot hold, keyed by the double's rendering. */
function unsafeIntegers(dir) {
  const byRounded = new Map();
  const visit = (node, file) => {
    if (typeof node === "bigint") {
      if (node > BigInt(Number.MAX_SAFE_INTEGER) || node < BigInt(Number.MIN_SAFE_INTEGER)) {
        const rounded = String(Number(node));
        const exact = node.toString();
        const seen = byRounded.get(rounded);
        if (seen && seen.exact !== exact) {
          throw new Error(
            `${file}: int64 literals ${exact} and ${seen.exact} (in ${seen.file}) round to the same double ` +
              `${rounded}; the bundle could not tell them apart. Change one of them.`,
          );
        }
        byRounded.set(rounded, { exact, file });
      }
    } else if (node && typeof node === "object") {
      for (const value of Object.values(node)) visit(value, file);
    }
  };
  for (const file of yamlFiles(dir)) {
    visit(parse(readFileSync(file, "utf8"), { intAsBigInt: true }), relative(dir, file));
  }
  return byRounded;
}

function restoreIntegers(path, byRounded) {
  let text = readFileSync(path, "utf8");
  for (const [rounded, { exact }] of byRounded) {
    // Only value tokens (after "key: " or "- ", ending the value), never digits inside prose.
    const token = new RegExp(`(?<=(?::|-) )${rounded.replace("-", "\\-")}(?=,?\\s*$)`, "gm");
    text = text.replace(token, exact);
  }
  writeFileSync(path, text);
}
