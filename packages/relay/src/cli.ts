// gong-relay: the command line over createRelay (relay.ts). Parses flags (node:util parseArgs), calls the API,
// prints; exit 0 on success, 1 on a failure (one line), 2 on a usage error.
import { createReadStream, existsSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { parseArgs } from "node:util";
import { RelayError, RelayUsageError } from "./errors.js";
import { enqueueNdjson } from "./ndjson.js";
import type { OAuthGrantInput } from "./oauth.js";
import { formatStatus, parseDuration } from "./operate.js";
import { createRelay, type Relay } from "./relay.js";
import { DEFAULT_DATA_DIR } from "./store.js";
import type { TenantAuth, TenantChanges, TenantInfo } from "./tenants.js";

const HELP = `gong-relay: durable, multi-tenant delivery of Gong engagement events on Postgres

Usage: gong-relay <command> [flags]

Store (every command):
  --database-url <url>     your Postgres (or DATABASE_URL); its gong_relay schema must be migrated first
  --data-dir <dir>         without a database URL: the embedded Postgres' folder (default ./${DEFAULT_DATA_DIR})
Environment: GONG_RELAY_SECRET_KEY (32 bytes, hex or base64: \`openssl rand -base64 32\`) encrypts tenant credentials.

Commands:
  migrate                                   apply the schema's migrations (DATABASE_URL)
  tenant add <id> --base-url <url> (--access-key <k> --access-key-secret <s> | --bearer-token <t> | --credentials-from-env)
             [--per-second <n>] [--per-day <n>] [--reserve <share>]
                                            --credentials-from-env reads GONG_ACCESS_KEY + GONG_ACCESS_KEY_SECRET or GONG_BEARER_TOKEN
  tenant add <id> --oauth --tokens-file <file.json | -> [--base-url <url>] [--per-second ...]
                                            a tenant on a renewing OAuth grant: the JSON file (or stdin with -) holds
                                            { accessToken, refreshToken, expiresAt, baseUrl, scope } as
                                            GongTokens.toStorable() gives them, and optionally the tenant's own app
                                            { clientId, clientSecret }; --base-url only when the tokens have no baseUrl.
                                            Tokens are never taken as flags (they would show in ps). Workers renew them
                                            with the tenant's app, or the relay's: GONG_OAUTH_CLIENT_ID,
                                            GONG_OAUTH_CLIENT_SECRET (and GONG_OAUTH_TOKEN_URL, default Gong's) for run
  tenant update <id> [the same flags]       change any of them (credentials too; --oauth --tokens-file after the
                                            customer authorized the app again, then tenant resume)
  tenant pause <id> [--reason <text>]       stop sending for this tenant (its events wait)
  tenant resume <id>
  tenant list [--json]
  enqueue --tenant <id> --operation <op> [--file <events.ndjson>]
                                            one event per line, from the file or stdin; reports refused lines
  run [--concurrency <n>] [--metrics-port <port>] [--until-idle] [--verbose]
      [--lease-ms <ms>] [--timeout-ms <ms>] [--backoff-ms <ms>] [--max-backoff-ms <ms>] [--max-attempts <n>]
      [--poll-ms <ms>] [--shutdown-ms <ms>] [--arrival-allowance-ms <ms>] [--worker-id <name>]
                                            deliver; SIGTERM stops claiming, finishes what is in flight, exits 0
  status [--tenant <id>] [--json]           per tenant: pending, in flight, delivered today, quota left, next send,
                                            refused, dead letters by reason, paused and why
  retry [--dead] [--refused] [--tenant <id>]
                                            dead letters, and/or refused events once their cause is fixed, back to
                                            the queue
  purge --older-than <duration> [--include-dead]
                                            delete finished events older than e.g. 7d, 12h, 30m
`;

const OPTIONS = {
  "database-url": { type: "string" },
  "data-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  "base-url": { type: "string" },
  "access-key": { type: "string" },
  "access-key-secret": { type: "string" },
  "bearer-token": { type: "string" },
  "credentials-from-env": { type: "boolean" },
  oauth: { type: "boolean" },
  "tokens-file": { type: "string" },
  "per-second": { type: "string" },
  "per-day": { type: "string" },
  reserve: { type: "string" },
  reason: { type: "string" },
  tenant: { type: "string" },
  operation: { type: "string" },
  file: { type: "string" },
  concurrency: { type: "string" },
  "metrics-port": { type: "string" },
  "until-idle": { type: "boolean" },
  verbose: { type: "boolean" },
  "lease-ms": { type: "string" },
  "timeout-ms": { type: "string" },
  "backoff-ms": { type: "string" },
  "max-backoff-ms": { type: "string" },
  "max-attempts": { type: "string" },
  "poll-ms": { type: "string" },
  "shutdown-ms": { type: "string" },
  "worker-id": { type: "string" },
  "arrival-allowance-ms": { type: "string" },
  dead: { type: "boolean" },
  refused: { type: "boolean" },
  "older-than": { type: "string" },
  "include-dead": { type: "boolean" },
} as const;

type Flags = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new RelayUsageError(`${(error as Error).message.replace(/\. To specify a positional.*$/, "")} (see gong-relay --help)`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parse(argv);
  const [command, sub, id] = positionals;
  if (flags.help || !command) {
    process.stdout.write(HELP);
    return command || flags.help ? 0 : 2;
  }
  if (!["migrate", "tenant", "enqueue", "run", "status", "retry", "purge"].includes(command)) {
    throw new RelayUsageError(`unknown command ${JSON.stringify(command)} (see gong-relay --help)`);
  }
  // Words after what the command takes are a mistake (e.g. a file name without --file), never ignored.
  const extra = positionals[command === "tenant" ? 3 : 1];
  if (extra !== undefined) {
    const hint = command === "enqueue" ? "; the events file goes in --file <path>" : "";
    throw new RelayUsageError(`${command}: unexpected argument ${JSON.stringify(extra)}${hint} (see gong-relay --help)`);
  }
  const databaseUrl = flags["database-url"] ?? (process.env.DATABASE_URL || undefined);
  const relay = await createRelay({
    databaseUrl,
    dataDir: flags["data-dir"],
    schema: command === "migrate" ? "none" : undefined,
    poolSize: command === "run" ? positiveInt(flags.concurrency, "--concurrency", 4) + 2 : 4,
  });
  let signalled = false;
  try {
    switch (command) {
      case "migrate": {
        const applied = await relay.migrate();
        console.log(applied.length ? `applied ${applied.join(", ")}` : "the gong_relay schema is up to date");
        return 0;
      }
      case "tenant":
        return await tenantCommand(relay, sub, id, flags);
      case "enqueue":
        return await enqueueCommand(relay, flags);
      case "status": {
        const rows = await relay.status(flags.tenant);
        console.log(flags.json ? JSON.stringify(rows, null, 2) : formatStatus(rows));
        return 0;
      }
      case "retry": {
        if (!flags.dead && !flags.refused) {
          throw new RelayUsageError("retry needs --dead (dead letters back to the queue) and/or --refused (refused events, once their cause is fixed)");
        }
        if (flags.dead) {
          const count = await relay.retryDead(flags.tenant);
          console.log(`${count} dead letter${count === 1 ? "" : "s"} back in the queue`);
        }
        if (flags.refused) {
          const count = await relay.retryRefused(flags.tenant);
          console.log(`${count} refused event${count === 1 ? "" : "s"} back in the queue`);
        }
        return 0;
      }
      case "purge": {
        if (!flags["older-than"]) throw new RelayUsageError("purge needs --older-than <duration>, e.g. 7d");
        const count = await relay.purge(parseDuration(flags["older-than"], "--older-than"), { includeDead: flags["include-dead"] });
        console.log(`${count} finished event${count === 1 ? "" : "s"} deleted`);
        return 0;
      }
      case "run": {
        const stop = new AbortController();
        const onSignal = () => {
          signalled = true;
          stop.abort();
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
        const { RelayMetrics } = await import("./metrics.js"); // prom-client: only a worker loads it
        const metrics = new RelayMetrics(relay.pool);
        let server: Server | undefined;
        if (flags["metrics-port"] !== undefined) {
          server = await metrics.serve(nonNegativeInt(flags["metrics-port"], "--metrics-port", 0));
          const address = server.address() as { port: number };
          process.stderr.write(`${new Date().toISOString()} gong-relay: metrics on http://127.0.0.1:${address.port}/metrics\n`);
        }
        try {
          await relay.run({
            metrics,
            signal: stop.signal,
            concurrency: positiveInt(flags.concurrency, "--concurrency", 4),
            untilIdle: flags["until-idle"],
            verbose: flags.verbose,
            workerId: flags["worker-id"],
            ...optionalInts(flags),
          });
        } finally {
          server?.close();
        }
        return 0;
      }
    }
    return 0;
  } finally {
    await relay.close();
    void signalled;
  }
}

async function tenantCommand(relay: Relay, sub: string | undefined, id: string | undefined, flags: Flags): Promise<number> {
  const needId = () => {
    if (!id) throw new RelayUsageError(`tenant ${sub} needs the tenant's id: gong-relay tenant ${sub} <id>`);
    return id;
  };
  let info: TenantInfo;
  switch (sub) {
    case "add": {
      const auth = credentials(flags);
      if (!flags["base-url"] && !(auth && "oauth" in auth)) throw new RelayUsageError("tenant add needs --base-url (the customer's Gong API base URL)");
      if (!auth) throw new RelayUsageError("tenant add needs credentials: --access-key and --access-key-secret, --bearer-token, or --credentials-from-env");
      info = await relay.tenants.add({ id: needId(), baseUrl: flags["base-url"], auth, ...limits(flags) });
      break;
    }
    case "update": {
      const changes: TenantChanges = { ...limits(flags) };
      if (flags["base-url"]) changes.baseUrl = flags["base-url"];
      const auth = credentials(flags);
      if (auth) changes.auth = auth;
      info = await relay.tenants.update(needId(), changes);
      break;
    }
    case "pause":
      info = await relay.tenants.pause(needId(), flags.reason);
      break;
    case "resume":
      info = await relay.tenants.resume(needId());
      break;
    case "list": {
      const all = await relay.tenants.list();
      if (flags.json) console.log(JSON.stringify(all, null, 2));
      else if (!all.length) console.log("no tenants yet: gong-relay tenant add <id> --base-url ...");
      else for (const t of all) console.log(describeTenant(t));
      return 0;
    }
    default:
      throw new RelayUsageError(`tenant needs add, update, pause, resume or list, got ${JSON.stringify(sub ?? "")}`);
  }
  console.log(flags.json ? JSON.stringify(info, null, 2) : describeTenant(info));
  return 0;
}

function describeTenant(t: TenantInfo): string {
  const reserve = t.reserve ? `, reserve ${t.reserve}` : "";
  const auth =
    t.authKind === "basic"
      ? "access key"
      : t.authKind === "bearer"
        ? "bearer token"
        : `OAuth grant (${t.oauth?.authorizationNeeded ? "refused by Gong: authorization needed" : `access token expires ${t.oauth?.expiresAt ?? "(not said)"}`}, ${t.oauth?.app === "tenant" ? "its own app" : "the relay's app"}, generation ${t.oauth?.generation ?? "?"})`;
  return `${t.id}: ${t.baseUrl}, ${auth}, ${t.perSecond}/s, ${t.perDay}/day${reserve}${t.paused ? `, PAUSED: ${t.pausedReason ?? ""}` : ""}`;
}

function credentials(flags: Flags): TenantAuth | undefined {
  if (flags["tokens-file"] !== undefined && !flags.oauth) throw new RelayUsageError("--tokens-file goes with --oauth");
  if (flags.oauth) {
    if (flags["credentials-from-env"] || flags["bearer-token"] !== undefined || flags["access-key"] !== undefined || flags["access-key-secret"] !== undefined) {
      throw new RelayUsageError("--oauth: give the tenant either an OAuth grant or keys, not both");
    }
    const file = flags["tokens-file"];
    if (!file) throw new RelayUsageError("--oauth needs --tokens-file <file.json> (or - for stdin): { accessToken, refreshToken, expiresAt, baseUrl }");
    if (file !== "-" && !existsSync(file)) throw new RelayUsageError(`--tokens-file ${file}: no such file`);
    const text = readFileSync(file === "-" ? 0 : file, "utf8");
    try {
      return { oauth: JSON.parse(text) as OAuthGrantInput };
    } catch {
      // The parser's message may quote the file's text: a token. Only the position is given.
      throw new RelayUsageError(`--tokens-file ${file}: not JSON (a JSON object { accessToken, refreshToken, expiresAt, baseUrl } is expected)`);
    }
  }
  if (flags["credentials-from-env"]) {
    const { GONG_ACCESS_KEY, GONG_ACCESS_KEY_SECRET, GONG_BEARER_TOKEN } = process.env;
    if (GONG_BEARER_TOKEN) return { bearerToken: GONG_BEARER_TOKEN };
    if (GONG_ACCESS_KEY && !GONG_ACCESS_KEY_SECRET)
      throw new RelayUsageError("--credentials-from-env: GONG_ACCESS_KEY is set but GONG_ACCESS_KEY_SECRET is not");
    if (GONG_ACCESS_KEY_SECRET && !GONG_ACCESS_KEY)
      throw new RelayUsageError("--credentials-from-env: GONG_ACCESS_KEY_SECRET is set but GONG_ACCESS_KEY is not");
    if (GONG_ACCESS_KEY && GONG_ACCESS_KEY_SECRET) return { accessKey: GONG_ACCESS_KEY, accessKeySecret: GONG_ACCESS_KEY_SECRET };
    throw new RelayUsageError("--credentials-from-env: set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN");
  }
  if (flags["bearer-token"] !== undefined) return { bearerToken: flags["bearer-token"] };
  if (flags["access-key"] !== undefined || flags["access-key-secret"] !== undefined) {
    return { accessKey: flags["access-key"] ?? "", accessKeySecret: flags["access-key-secret"] ?? "" };
  }
  return undefined;
}

function limits(flags: Flags) {
  const out: { perSecond?: number; perDay?: number; reserve?: number } = {};
  if (flags["per-second"] !== undefined) out.perSecond = number(flags["per-second"], "--per-second");
  if (flags["per-day"] !== undefined) out.perDay = number(flags["per-day"], "--per-day");
  if (flags.reserve !== undefined) out.reserve = number(flags.reserve, "--reserve");
  return out;
}

async function enqueueCommand(relay: Relay, flags: Flags): Promise<number> {
  if (!flags.tenant) throw new RelayUsageError("enqueue needs --tenant <id>");
  if (!flags.operation) throw new RelayUsageError(`enqueue needs --operation: ${relay.spec.operations.map((o) => o.alias).join(", ")}`);
  if (!relay.spec.find(flags.operation)) {
    throw new RelayUsageError(
      `--operation ${JSON.stringify(flags.operation)} is not an operation of the spec; use one of: ${relay.spec.operations.map((o) => `${o.alias} (${o.operationId})`).join(", ")}`,
    );
  }
  const operation = relay.spec.find(flags.operation)!;
  if (!operation.sendable) {
    throw new RelayUsageError(
      `--operation ${operation.alias}: ${operation.operationId} is in the spec, but this version of @gong-engage/client cannot send it yet`,
    );
  }
  await relay.tenants.get(flags.tenant); // unknown tenant: one line, before reading anything
  const file = flags.file && flags.file !== "-" ? flags.file : undefined;
  if (file && !existsSync(file)) throw new RelayUsageError(`--file ${file}: no such file`);
  const input = file ? createReadStream(file) : process.stdin;
  const progress = (c: { lines: number; stored: number; duplicates: number; refused: number }) =>
    `enqueue: ${c.lines} lines read, ${c.stored} stored, ${c.duplicates} already queued, ${c.refused} refused`;
  let last = 0;
  const counts = await enqueueNdjson(relay, input, {
    tenant: flags.tenant,
    operation: flags.operation,
    onRefused: (line, problems) => process.stderr.write(`line ${line}: refused: ${problems}\n`),
    onProgress: (c) => {
      if (Date.now() - last < 1_000) return;
      last = Date.now();
      process.stderr.write(`${progress(c)}\n`);
    },
  });
  console.log(progress(counts));
  return counts.refused ? 1 : 0;
}

function optionalInts(flags: Flags) {
  const names = {
    "lease-ms": "leaseMs",
    "timeout-ms": "timeoutMs",
    "backoff-ms": "backoffMs",
    "max-backoff-ms": "maxBackoffMs",
    "max-attempts": "maxAttempts",
    "poll-ms": "pollMs",
    "shutdown-ms": "shutdownMs",
    "arrival-allowance-ms": "arrivalAllowanceMs",
  } as const;
  const out: Record<string, number> = {};
  for (const [flag, option] of Object.entries(names)) {
    const value = flags[flag as keyof typeof names];
    if (value === undefined) continue;
    out[option] = flag === "max-attempts" || flag === "lease-ms" ? positiveInt(value, `--${flag}`, 0) : nonNegativeInt(value, `--${flag}`, 0);
  }
  const lease = out.leaseMs ?? DEFAULT_LEASE_MS;
  const timeout = out.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (timeout === 0 || lease <= timeout) {
    throw new RelayUsageError(
      `--lease-ms (${lease}) must be longer than --timeout-ms (${timeout || "0: none"}): a send still running when its lease ends is sent again by another worker`,
    );
  }
  return out;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;

function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new RelayUsageError(`${flag} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

function nonNegativeInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = number(text, flag);
  if (!Number.isInteger(value) || value < 0) throw new RelayUsageError(`${flag} must be a whole number ≥ 0, got ${JSON.stringify(text)}`);
  return value;
}

function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  const value = nonNegativeInt(text, flag, fallback);
  if (value < 1) throw new RelayUsageError(`${flag} must be at least 1, got ${JSON.stringify(text)}`);
  return value;
}

export function run(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const usage = error instanceof RelayUsageError;
      const message = error instanceof RelayError ? error.message : `internal error: ${(error as Error)?.message ?? String(error)}`;
      process.stderr.write(`gong-relay: ${message}\n`);
      process.exit(usage ? 2 : 1);
    },
  );
}
