#!/usr/bin/env node
// `copy-bundled-spec <dir>`: copies the bundled spec (dist/openapi.json, run `pnpm bundle` first) into a
// package's build output, so that the published package carries the exact spec it was built from and needs no
// @gong-engage/spec at run time. Used by the spec model's and the contract suite's builds.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const target = process.argv[2];
if (!target) {
  console.error("usage: copy-bundled-spec <directory>");
  process.exit(2);
}
const bundle = fileURLToPath(new URL("../dist/openapi.json", import.meta.url));
if (!existsSync(bundle)) {
  console.error("copy-bundled-spec: spec/dist/openapi.json does not exist; run `pnpm bundle` first.");
  process.exit(1);
}
mkdirSync(resolve(target), { recursive: true });
copyFileSync(bundle, join(resolve(target), "openapi.json"));
