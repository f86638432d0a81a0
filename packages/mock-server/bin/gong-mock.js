#!/usr/bin/env node
// The gong-mock command: runs the compiled CLI (build it first: `pnpm --filter @gong-engage/mock-server build`).
import("../dist/cli.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND") {
    console.error("gong-mock: the mock server is not built yet. Run `pnpm mock` from the repository root, or `pnpm --filter @gong-engage/mock-server build`.");
    process.exit(1);
  }
  throw error;
});
