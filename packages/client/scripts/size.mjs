#!/usr/bin/env node
// Bundles the built client for the browser (esbuild, minified) and prints its size, raw and gzipped. The
// browser build fails if any module needs a Node built-in, so this is also the "runs anywhere" check.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const result = await build({
  entryPoints: [new URL("../dist/index.js", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "silent",
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`@gong-engage/client browser bundle: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);

export { code, gzipped };
