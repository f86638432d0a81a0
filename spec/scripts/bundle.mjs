#!/usr/bin/env node
// Bundles the split spec into one file (dist/openapi.yaml and dist/openapi.json) with Redocly, then puts
// back the exact digits of int64 literals. Redocly parses YAML into JavaScript numbers, so an example such as
// integrationId 5517027188234206123 would come out as 5517027188234206000: the very rounding the spec warns
// about. The exact literals are read from the source files (as BigInt) and restored in the bundle text.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const specDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const distDir = join(specDir, "dist");
const redocly = join(specDir, "node_modules", ".bin", "redocly");
const quietEnv = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };

function run(args) {
  const result = spawnSync(redocly, args, { cwd: specDir, env: quietEnv, encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`redocly ${args.join(" ")} failed with exit code ${result.status}`);
  }
}

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "dist" || name === "node_modules" || name === "test" || name === "scripts") return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every integer literal in the source whose value a double cannot hold, keyed by the double's rendering. */
function unsafeIntegers() {
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
  for (const file of yamlFiles(specDir)) {
    visit(parse(readFileSync(file, "utf8"), { intAsBigInt: true }), relative(specDir, file));
  }
  return byRounded;
}

function restore(path, byRounded) {
  let text = readFileSync(path, "utf8");
  for (const [rounded, { exact }] of byRounded) {
    // Only value tokens (after "key: " or "- ", ending the value), never digits inside prose.
    const token = new RegExp(`(?<=(?::|-) )${rounded.replace("-", "\\-")}(?=,?\\s*$)`, "gm");
    text = text.replace(token, exact);
  }
  writeFileSync(path, text);
}

mkdirSync(distDir, { recursive: true });
run(["bundle", "openapi.yaml", "--config", "../redocly.yaml", "--output", "dist/openapi.yaml"]);
run(["bundle", "openapi.yaml", "--config", "../redocly.yaml", "--ext", "json", "--output", "dist/openapi.json"]);
const byRounded = unsafeIntegers();
for (const file of ["dist/openapi.yaml", "dist/openapi.json"]) restore(join(specDir, file), byRounded);
console.log(
  `bundled spec/openapi.yaml -> spec/dist/openapi.{yaml,json}; ` +
    `${byRounded.size} int64 literal(s) beyond 2^53 kept exact`,
);
