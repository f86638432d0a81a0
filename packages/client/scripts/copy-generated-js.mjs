#!/usr/bin/env node
// tsc compiles src/ to dist/ but does not copy plain .js files: copy the generated validators (and their
// declarations) next to the compiled code that imports them.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(packageDir, "src", "generated");
const to = join(packageDir, "dist", "generated");
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => n.endsWith(".js") || n.endsWith(".d.ts"))) {
  copyFileSync(join(from, name), join(to, name));
}
