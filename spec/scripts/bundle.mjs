#!/usr/bin/env node
// `pnpm bundle`: the split spec -> dist/openapi.yaml and dist/openapi.json (Redocly, int64 literals kept exact;
// see lib/build.mjs).
import { bundleSpec } from "../lib/build.mjs";

try {
  const { int64Literals } = await bundleSpec();
  console.log(`bundled spec/openapi.yaml -> spec/dist/openapi.{yaml,json}; ${int64Literals} int64 literal(s) beyond 2^53 kept exact`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
