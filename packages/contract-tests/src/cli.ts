#!/usr/bin/env node
// gong-contract: the command-line shell over the contract suite. It resolves the settings once (flags over their
// environment variables, config.ts), loads the spec they name, checks the plan against the budget, checks that
// the server is there and is this API (preflight.ts), then runs the suite with those settings handed over as a
// value, and exits non-zero on any failure. Start-up errors are one line each, without a stack or a list of
// skipped tests. The spec it plans and preflights is the spec the suite runs.
import { parseArgs } from "node:util";
import { loadSpecModel, type SpecModel } from "@gong-engage/spec-model";
import { type Config, ConfigError, type Flags, resolveConfig } from "./config.js";
import { formatPlan, overBudget, planFor } from "./plan.js";
import { PreflightError, preflight, preflightRequests } from "./preflight.js";

const HELP = `gong-contract: does a server implement the operations of Gong's spec (this package's bundled OpenAPI document)?

Usage: gong-contract [--base-url <url>] [flags]      (in this repository: pnpm contract [-- flags])

Flags (environment variable in brackets; a flag wins over its variable):
  --base-url <url>         server under test; default: the project's mock, started in-process
                           (needs @gong-engage/mock-server installed)                  [CONTRACT_BASE_URL]
  --profile full|smoke     full: every check with generated inputs; smoke: every documented status with as
                           few requests as possible. Default: full against the in-process mock, smoke
                           against any --base-url                                         [CONTRACT_PROFILE]
  --max-requests <n>       never send more than n requests; fails before sending anything if the plan
                           does not fit                                                   [CONTRACT_MAX_REQUESTS]
  --rate-per-second <n>    the pace the suite keeps (default 3 against a --base-url)     [CONTRACT_RATE_PER_SECOND]
  --prefer                 the target honours "Prefer: code=NNN" (so 500 is checked)      [CONTRACT_PREFER=true]
  --runs <n>               generated inputs per property, per operation (default 100)    [CONTRACT_RUNS]
  --seed <n>               fast-check seed (default 20261123)                             [CONTRACT_SEED]
  --spec <file>            another bundled OpenAPI JSON file                              [CONTRACT_SPEC]
  --report <file>          write the coverage report as Markdown                          [CONTRACT_REPORT]
  --junit <file>           write JUnit XML                                                [CONTRACT_JUNIT]
  -h, --help               this text

Credentials, from the environment only (never printed): GONG_ACCESS_KEY + GONG_ACCESS_KEY_SECRET, or
GONG_BEARER_TOKEN. The Markdown report also goes to $GITHUB_STEP_SUMMARY when that is set.
Progress lines every 10 s when the output is not a terminal (CONTRACT_PROGRESS=1|0 to force either way).
Exit code: 0 when every check passed; 1 when one failed, or the plan is over the budget, or the server cannot
be reached or is not this API (nothing is run then); 2 on a usage or configuration error.`;

/** Flag name → the field of Flags it sets (each has an environment variable, resolved in config.ts). */
const FLAGS = {
  "base-url": "baseUrl",
  profile: "profile",
  "max-requests": "maxRequests",
  "rate-per-second": "ratePerSecond",
  runs: "runs",
  seed: "seed",
  spec: "spec",
  report: "report",
  junit: "junit",
} as const satisfies Record<string, keyof Flags>;

function readFlags(argv: string[]): { help: boolean; flags: Flags } {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: "string" as const }])),
      prefer: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  const flags: Flags = { prefer: values.prefer === true };
  for (const [flag, field] of Object.entries(FLAGS)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === "string") flags[field] = value;
  }
  return { help: values.help === true, flags };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof readFlags>;
  try {
    // pnpm passes a lone "--" through when flags follow `pnpm contract --`.
    parsed = readFlags(process.argv.slice(2).filter((a) => a !== "--"));
  } catch (error) {
    console.error(`gong-contract: ${(error as Error).message}\nRun with --help for the flags.`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(HELP);
    return;
  }
  let config: Config;
  let model: SpecModel;
  try {
    config = resolveConfig(parsed.flags, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`gong-contract: ${error.message}`);
    process.exit(2);
  }
  try {
    model = loadSpecModel(config.specPath);
  } catch (error) {
    console.error(`gong-contract: CONTRACT_SPEC (--spec): ${(error as Error).message}`);
    process.exit(2);
  }
  // Against a server: the preflight's requests count against the budget too.
  config = { ...config, preflightRequests: config.baseUrl ? preflightRequests(model) : 0 };
  const plan = planFor(config, model);
  const over = overBudget(config, model, plan);
  if (over) {
    console.error(`${formatPlan(plan, config.maxRequests)}\ngong-contract: ${over}`);
    process.exit(1);
  }
  if (config.baseUrl) {
    try {
      await preflight(config.baseUrl, model);
    } catch (error) {
      if (!(error instanceof PreflightError)) throw error;
      console.error(`gong-contract: ${error.message}`);
      process.exit(1);
    }
  }
  // vitest's Node API is loaded only now: start-up errors stay quick.
  const { runSuite } = await import("./run-suite.js");
  const passed = await runSuite(config);
  process.exit(passed ? 0 : 1);
}

void main();
