#!/usr/bin/env node
// gong-mock: the command-line shell over startMockServer. It parses flags (each with an environment
// equivalent), starts the server, prints a banner and one line per request, and stops on SIGINT/SIGTERM.
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { MockConfigError } from "./config-error.js";
import { DEFAULTS } from "./defaults.js";
import { type FaultRule, formatFaultRule, parseFaultRule } from "./faults.js";
import { OAUTH_HELP, oauthBanner, readOAuthOptions } from "./oauth-cli.js";
import type { MockServer, MockServerOptions } from "./server.js";

const HELP = `gong-mock: a local Gong for the operations of the spec (Prism + Gong's behaviour)

Usage: pnpm mock [flags]            (from the repository root)
       gong-mock [flags]            (installed: npx gong-mock)

Flags (environment variable in brackets):
  --port <n>               port to listen on; 0 picks a free one     [GONG_MOCK_PORT]          default ${DEFAULTS.port}
  --host <address>         address to listen on                      [GONG_MOCK_HOST]          default ${DEFAULTS.host}
  --rate-per-second <n>    calls/second per credential before 429; 0 = off [GONG_MOCK_RATE_PER_SECOND]
                                                default: the spec's x-gong-rate-limits.perSecond (Gong's limit)
  --daily-limit <n>        calls/UTC day per credential before 429; 0 = off [GONG_MOCK_DAILY_LIMIT]
                                                default: the spec's x-gong-rate-limits.perDay (Gong's limit)
  --duplicate-memory <n>   event keys remembered for 409, oldest forgotten first [GONG_MOCK_DUPLICATE_MEMORY] default ${DEFAULTS.duplicateMemory}
  --journal-limit <n>      accepted events kept by GET /__mock/events [GONG_MOCK_JOURNAL_LIMIT] default ${DEFAULTS.journalLimit}
  --spec <path>            OpenAPI document to serve (bundled JSON)  [GONG_MOCK_SPEC]          default: the bundled spec
  --fault <rule>           inject Gong's failures (repeat for more rules; first match wins)
                                                                     [GONG_MOCK_FAULTS, rules separated by ";"]
  --fault-seed <n>         seed for fault fractions (same seed + same requests = same faults) [GONG_MOCK_FAULT_SEED]
  --upstream <base URL>    validating proxy: forward every request there, answer what it answers, and report
                           where its answers depart from the spec     [GONG_MOCK_UPSTREAM]
${OAUTH_HELP}
  --watch                  reload the spec when it changes (spec/ sources: lint + bundle first) [GONG_MOCK_WATCH=1]
  --quiet                  no per-request log lines                  [GONG_MOCK_QUIET=1]
  --help                   this text

Fault rules: <fault>[,after-processing][,fraction=<0..1 or %>|next=<n>|every=<n>][,operations=<id>[+<id>]]
  faults: reset-before, drop-response, delay:<ms>, delay-body:<ms>, status:<500|502|503|504>
  e.g. --fault drop-response,every=3      --fault status:503,after-processing,fraction=10%
  At run time: GET / POST / DELETE /__mock/faults.

Accept only given credentials (default: any well-formed ones), from the environment only:
  GONG_MOCK_ACCESS_KEY + GONG_MOCK_ACCESS_KEY_SECRET, and/or GONG_MOCK_BEARER_TOKEN
  With --oauth-client, Bearer tokens are those the mock's OAuth server issues: GONG_MOCK_BEARER_TOKEN is refused
  (exit 2), an access key still works. --oauth-client and --upstream do not combine (the upstream checks tokens).

Force any documented status with Prism's Prefer header: "Prefer: code=500", "Prefer: example=Conflict",
"Prefer: dynamic=true". The journal: GET /__mock/events; reset everything: POST /__mock/reset;
the proxy's findings: GET /__mock/violations.

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 a flag, variable or spec it cannot use (MockConfigError); 1 anything
else. Errors are one line; DEBUG=1 adds the stack.`;

function integerOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new MockConfigError(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

const truthy = (value: string | undefined) => ["1", "true", "yes"].includes((value ?? "").toLowerCase());

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "rate-per-second": { type: "string" },
      "daily-limit": { type: "string" },
      "duplicate-memory": { type: "string" },
      "journal-limit": { type: "string" },
      spec: { type: "string" },
      fault: { type: "string", multiple: true },
      "fault-seed": { type: "string" },
      upstream: { type: "string" },
      watch: { type: "boolean" },
      "oauth-client": { type: "string", multiple: true },
      "token-ttl": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): MockServerOptions & { quiet: boolean; help: boolean } {
  let values: ReturnType<typeof parseFlags>["values"];
  try {
    ({ values } = parseFlags(argv));
  } catch (error) {
    throw new MockConfigError((error as Error).message, { cause: error });
  }
  const flagOrEnv = (flag: keyof typeof values, name: string) => (values[flag] as string | undefined) ?? env[name];
  const accessKey = env.GONG_MOCK_ACCESS_KEY;
  const accessKeySecret = env.GONG_MOCK_ACCESS_KEY_SECRET;
  if (!!accessKey !== !!accessKeySecret) {
    throw new MockConfigError("set both GONG_MOCK_ACCESS_KEY and GONG_MOCK_ACCESS_KEY_SECRET, or neither");
  }
  const faultTexts = values.fault ?? (env.GONG_MOCK_FAULTS ?? "").split(";").filter((rule) => rule.trim());
  let rules: FaultRule[];
  try {
    rules = faultTexts.map(parseFaultRule);
  } catch (error) {
    throw new MockConfigError(`--fault: ${(error as Error).message}`, { cause: error });
  }
  const seed = integerOption(flagOrEnv("fault-seed", "GONG_MOCK_FAULT_SEED"), "--fault-seed");
  const upstream = flagOrEnv("upstream", "GONG_MOCK_UPSTREAM") || undefined;
  const oauth = readOAuthOptions(values["oauth-client"], values["token-ttl"], env, (message) => new MockConfigError(message));
  if (oauth.oauth && upstream) {
    throw new MockConfigError(
      "--oauth-client cannot be combined with --upstream: in proxy mode the upstream checks every credential, and it does not know the mock's tokens",
    );
  }
  if (oauth.oauth && env.GONG_MOCK_BEARER_TOKEN) {
    throw new MockConfigError(
      "GONG_MOCK_BEARER_TOKEN cannot be combined with --oauth-client: with OAuth on, the only Bearer tokens accepted are those its token endpoint issues (GONG_MOCK_ACCESS_KEY still works)",
    );
  }
  return {
    port: integerOption(flagOrEnv("port", "GONG_MOCK_PORT"), "--port"),
    host: flagOrEnv("host", "GONG_MOCK_HOST"),
    ratePerSecond: integerOption(flagOrEnv("rate-per-second", "GONG_MOCK_RATE_PER_SECOND"), "--rate-per-second"),
    dailyLimit: integerOption(flagOrEnv("daily-limit", "GONG_MOCK_DAILY_LIMIT"), "--daily-limit"),
    duplicateMemory: integerOption(flagOrEnv("duplicate-memory", "GONG_MOCK_DUPLICATE_MEMORY"), "--duplicate-memory"),
    journalLimit: integerOption(flagOrEnv("journal-limit", "GONG_MOCK_JOURNAL_LIMIT"), "--journal-limit"),
    specPath: flagOrEnv("spec", "GONG_MOCK_SPEC"),
    ...(rules.length || seed !== undefined ? { faults: { rules, ...(seed !== undefined ? { seed } : {}) } } : {}),
    upstream,
    watch: values.watch ?? truthy(env.GONG_MOCK_WATCH),
    credentials: {
      ...(accessKey && accessKeySecret ? { accessKeys: [{ accessKey, accessKeySecret }] } : {}),
      ...(env.GONG_MOCK_BEARER_TOKEN ? { bearerTokens: [env.GONG_MOCK_BEARER_TOKEN] } : {}),
    },
    ...oauth,
    quiet: values.quiet ?? truthy(env.GONG_MOCK_QUIET),
    help: values.help ?? false,
  };
}

const requireJson = createRequire(import.meta.url);
const prismVersion = `prism-http ${requireJson("@stoplight/prism-http/package.json").version}, prism-core ${requireJson("@stoplight/prism-core/package.json").version}`;

/** What the mock accepts, as the credentials stage and the OAuth server decide it. */
function credentialsLine(options: MockServerOptions): string {
  const basic = options.credentials?.accessKeys?.length ? "only the configured access key" : "any well-formed key:secret";
  const bearer = options.oauth
    ? "only access tokens its OAuth server issued, each at its company's base URL and with the operation's scope"
    : options.credentials?.bearerTokens?.length
      ? "only the configured token"
      : "any non-empty token";
  return `Credentials: Basic ${basic}; Bearer ${bearer}`;
}

function banner(mock: MockServer, options: MockServerOptions): string {
  const restricted = !!options.credentials?.accessKeys?.length; // the sample curl then needs the configured key
  const sample = mock.operations[0];
  const faults = mock.faults() as { active: boolean; seed: number; rules: FaultRule[] };
  // The shortest of the operation's named examples makes the most readable command.
  const [exampleName, example] = Object.entries(sample?.examples ?? {}).sort(([, a], [, b]) => JSON.stringify(a).length - JSON.stringify(b).length)[0] ?? [];
  return [
    `Gong mock (on Prism: ${prismVersion}) listening on ${mock.url}, spec ${mock.specVersion}`,
    ...(mock.upstream
      ? [
          "",
          `VALIDATING PROXY to ${mock.upstream}: every request is forwarded there; violations of the spec are printed and listed at ${mock.url}/__mock/violations`,
        ]
      : []),
    "",
    "Endpoints:",
    ...mock.operations.map((o) => `  ${o.method.padEnd(4)} ${mock.url}${o.path}   (${o.operationId}: ${o.statuses.join(", ")})`),
    "",
    ...(mock.upstream ? [] : [`Rate limits per credential: ${mock.rateLimits.perSecond}/s, ${mock.rateLimits.perDay}/day (0 = off)`, credentialsLine(options)]),
    ...(faults.active ? [`Faults (seed ${faults.seed}): ${faults.rules.map(formatFaultRule).join("; ")}   (counts: curl ${mock.url}/__mock/faults)`] : []),
    ...oauthBanner(mock.url, options.oauth, mock.oauth()),
    ...(mock.watching ? [`Watching ${mock.watching}: the spec reloads on change`] : []),
    ...(sample
      ? [
          "",
          `Try it (${sample.operationId}${exampleName ? `, the spec's example ${exampleName}` : ""}):`,
          `  curl -i -X ${sample.method} ${mock.url}${sample.path} \\`,
          `    -u "${restricted || mock.upstream ? "$GONG_ACCESS_KEY:$GONG_ACCESS_KEY_SECRET" : "my-access-key:my-secret"}" -H "Content-Type: application/json" \\`,
          `    -d '${JSON.stringify(example ?? {}).replace(/'/g, "'\\''")}'`,
        ]
      : []),
    "",
    `Journal: curl ${mock.url}/__mock/events      Reset: curl -X POST ${mock.url}/__mock/reset      Faults: curl ${mock.url}/__mock/faults`,
    `Force a status: add -H "Prefer: code=500"      Stop: Ctrl+C`,
    "",
  ].join("\n");
}

/** One line for the terminal: the error's message (a Redocly or Prism message may span lines); the stack with DEBUG=1. */
function report(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).trim().replace(/\s*\n\s*/g, " | ");
  const debug = ["1", "true", "yes"].includes((process.env.DEBUG ?? "").toLowerCase());
  return `gong-mock: ${message}${debug && error instanceof Error && error.stack ? `\n${error.stack}` : ""}`;
}

/** Exit 2 for a setting the mock cannot use, 1 for anything else. */
function fail(error: unknown): never {
  console.error(report(error) + (error instanceof MockConfigError ? " (gong-mock --help lists the flags)" : ""));
  process.exit(error instanceof MockConfigError ? 2 : 1);
}

async function main(): Promise<void> {
  // pnpm passes a lone "--" through when flags follow `pnpm mock --`.
  const options = readOptions(
    process.argv.slice(2).filter((a) => a !== "--"),
    process.env,
  );
  if (options.help) {
    console.log(HELP);
    return;
  }
  const { quiet, help: _help, ...serverOptions } = options;
  const time = () => new Date().toISOString().slice(11, 23);
  const print = (line: string) => console.log(`${time()} ${line}`);
  // The server (and through it the spec model and Prism) is loaded only now: --help and a flag it cannot use
  // answer without it.
  const { startMockServer } = await import("./server.js");
  // Reload messages are printed even with --quiet.
  const mock = await startMockServer({ ...serverOptions, log: quiet ? (line) => /^spec /.test(line) && print(line) : print });
  console.log(banner(mock, serverOptions));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the Gong mock (${mock.journal().length} events in the journal)`);
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch(fail);
