// Runs the compiled contract suite (dist/test/contract/*.test.js, shipped in the package) with vitest's Node
// API, so that the suite works from an installed package as well as from this repository. The settings are
// resolved before (config.ts) and handed to the test worker as a value (vitest's provide/inject).
import { fileURLToPath } from "node:url";
import { createVitest } from "vitest/node";
import type { Config } from "./config.js";

/** Runs the suite with `config`; resolves with true when every test passed. */
export async function runSuite(config: Config): Promise<boolean> {
  const packageDir = fileURLToPath(new URL("../..", import.meta.url));
  const vitest = await createVitest("test", {
    root: packageDir,
    config: false,
    watch: false,
    reporters: config.junit ? ["default", "junit"] : ["default"],
    ...(config.junit ? { outputFile: { junit: config.junit } } : {}),
    include: ["dist/test/contract/**/*.test.js"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The suite is shipped inside node_modules when installed: have vitest run it, not Node's loader. Run from
    // this repository (workspace packages outside node_modules), only the test file needs vitest's transform:
    // the built JavaScript it imports (this package's src, the spec model, the client's pacer) loads as Node
    // loads it, which spares each run transforming them file by file.
    server: { deps: { inline: [/@gong-engage[\\/]contract-tests/], external: [/[\\/]packages[\\/][^\\/]+[\\/]dist[\\/](?!test[\\/])/] } },
  });
  vitest.provide("contractConfig", config);
  try {
    await vitest.start();
  } finally {
    await vitest.close();
  }
  const failed = vitest.state.getCountOfFailedTests() > 0 || process.exitCode === 1;
  return !failed && vitest.state.getFiles().length > 0;
}
