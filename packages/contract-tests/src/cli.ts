#!/usr/bin/env node
// gong-contract: the command-line shell over the contract suite. It turns flags into the suite's environment
// variables (each flag has one; a flag wins over the environment), checks the configuration and the plan
// against the budget, checks that the server is there and is this API (preflight.ts), then runs the suite and
// exits non-zero on any failure. Start-up errors are one line each, without a stack or a list of skipped tests.
import { parseArgs } from "node:util";
import { ConfigError, readConfig } from "./config.js";
import { formatPlan, overBudget, planFor } from "./plan.js";
import { preflight, PreflightError, PREFLIGHT_REQUESTS } from "./preflight.js";
import { runSuite } from "./run-suite.js";

const HELP = `gong-contract: does a server implement Gong's content-shared / content-viewed endpoints as the spec says?

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

const FLAGS = {
  "base-url": "CONTRACT_BASE_URL",
  profile: "CONTRACT_PROFILE",
  "max-requests": "CONTRACT_MAX_REQUESTS",
  "rate-per-second": "CONTRACT_RATE_PER_SECOND",
  runs: "CONTRACT_RUNS",
  seed: "CONTRACT_SEED",
  spec: "CONTRACT_SPEC",
  report: "CONTRACT_REPORT",
  junit: "CONTRACT_JUNIT",
} as const;

function readFlags(argv: string[]): { help: boolean } {
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
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === "string") process.env[variable] = value;
  }
  if (values.prefer) process.env.CONTRACT_PREFER = "true";
  return { help: values.help === true };
}

async function main(): Promise<void> {
  let flags;
  try {
    // pnpm passes a lone "--" through when flags follow `pnpm contract --`.
    flags = readFlags(process.argv.slice(2).filter((a) => a !== "--"));
  } catch (error) {
    console.error(`gong-contract: ${(error as Error).message}\nRun with --help for the flags.`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(HELP);
    return;
  }
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`gong-contract: ${error.message}`);
    process.exit(2);
  }
  // Against a server: the preflight's requests count against the budget too.
  const preflightRequests = config.baseUrl ? PREFLIGHT_REQUESTS : 0;
  const plan = planFor({ ...config, preflightRequests });
  const over = overBudget(config, plan);
  if (over) {
    console.error(`${formatPlan(plan, config.maxRequests)}\ngong-contract: ${over}`);
    process.exit(1);
  }
  if (config.baseUrl) {
    try {
      await preflight(config.baseUrl);
    } catch (error) {
      if (!(error instanceof PreflightError)) throw error;
      console.error(`gong-contract: ${error.message}`);
      process.exit(1);
    }
    process.env.CONTRACT_PREFLIGHT_REQUESTS = String(preflightRequests);
  }
  const passed = await runSuite({ junit: config.junit });
  process.exit(passed ? 0 : 1);
}

void main();
