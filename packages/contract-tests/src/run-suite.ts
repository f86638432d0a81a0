// Runs the compiled contract suite (dist/test/contract/*.test.js, shipped in the package) with vitest's Node
// API, so that the suite works from an installed package as well as from this repository. Settings reach the
// suite through CONTRACT_* / GONG_* environment variables (see config.ts); the caller sets them first.
import { fileURLToPath } from "node:url";
import { startVitest } from "vitest/node";

export interface RunSuiteOptions {
  /** Write JUnit XML to this file, besides the console report. */
  junit?: string | undefined;
}

/** Runs the suite; resolves with true when every test passed. */
export async function runSuite(options: RunSuiteOptions = {}): Promise<boolean> {
  const packageDir = fileURLToPath(new URL("../..", import.meta.url));
  const vitest = await startVitest(
    "test",
    [],
    {
      root: packageDir,
      config: false,
      watch: false,
      reporters: options.junit ? ["default", "junit"] : ["default"],
      ...(options.junit ? { outputFile: { junit: options.junit } } : {}),
      include: ["dist/test/contract/**/*.test.js"],
      testTimeout: 120_000,
      hookTimeout: 60_000,
      // The suite is shipped inside node_modules when installed: have vitest run it, not Node's loader.
      server: { deps: { inline: [/@gong-engage[\\/]contract-tests/] } },
    },
  );
  const failed = vitest.state.getCountOfFailedTests() > 0 || process.exitCode === 1;
  await vitest.close();
  return !failed && (vitest.state.getFiles().length > 0);
}
