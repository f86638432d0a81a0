#!/usr/bin/env node
// The gong-contract command: runs the compiled CLI (build it first: `pnpm --filter @gong-engage/contract-tests build`).
import("../dist/src/cli.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND" && /dist[\\/]src[\\/]cli\.js/.test(String(error.message))) {
    console.error(
      "gong-contract: the contract suite is not built yet. Run `pnpm contract` from the repository root, or `pnpm --filter @gong-engage/contract-tests build`.",
    );
    process.exit(1);
  }
  throw error;
});
