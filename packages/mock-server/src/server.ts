// startMockServer: a local Gong. Prism (loaded with the project's spec) routes, validates and produces each
// response; on top of it this layer adds Gong's behaviour (gong-stages.ts), Gong's failures on demand
// (faults.ts, delivery.ts), a validating proxy to a real server (proxy.ts), a spec reload (spec-watch.ts) and
// the endpoints under /__mock/ (admin.ts). This file wires them together: the pipeline is `handle` below.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { type AdminState, adminAnswer } from "./admin.js";
import { type Answer, errorAnswer, readBody, write } from "./answer.js";
import type { AcceptedCredentials } from "./auth.js";
import { BoundedKeySet } from "./bounded-memory.js";
import { MockConfigError } from "./config-error.js";
import { DEFAULTS } from "./defaults.js";
import { deliver, deliverFaultBefore } from "./delivery.js";
import { checkFaultScenario, FaultInjector, type FaultScenario } from "./faults.js";
import { accept, checkCredentials, duplicate, forcedStatus, type GongState, type MockRequest, rateLimit, validateBody } from "./gong-stages.js";
import { Journal, type JournalEntry } from "./journal.js";
import { checkOAuthOptions, loggableUrl, type MockOAuthOptions, MockOAuthServer, tagCompany, takeCustomerPrefix } from "./oauth-server.js";
import { PrismBridge, prismInput } from "./prism.js";
import { ValidatingProxy, type ViolationRecord } from "./proxy.js";
import { RateLimiter } from "./rate-limiter.js";
import { bundledSpecPath, type LoadedSpec, loadServedModel, type SpecOperation, withPrismOperations } from "./spec.js";
import { type SpecWatcher, watchSpec, workspaceSpecSources } from "./spec-watch.js";

export { DEFAULTS } from "./defaults.js";
export type { JournalEntry } from "./journal.js";
export type { ViolationRecord } from "./proxy.js";

export interface MockServerOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Calls per second per credential before 429; 0 turns it off. @default the spec's `x-gong-rate-limits.perSecond` (Gong's limit) */
  ratePerSecond?: number;
  /** Calls per UTC day per credential before 429; 0 turns it off. @default the spec's `x-gong-rate-limits.perDay` (Gong's limit) */
  dailyLimit?: number;
  /** How many accepted events' duplicate keys (x-gong-event.duplicateKey) are remembered for 409; oldest forgotten first. Default 100,000. */
  duplicateMemory?: number;
  /** How many accepted events GET /__mock/events keeps (and violations GET /__mock/violations); oldest dropped first. Default 1,000. */
  journalLimit?: number;
  /** Accept only these credentials (default: any well-formed ones). */
  credentials?: AcceptedCredentials;
  /** The OpenAPI document to serve (a bundled JSON file). Default: the bundled spec of @gong-engage/spec. */
  specPath?: string;
  /** Gong's failures on demand (see faults.ts); also settable at run time through POST /__mock/faults. */
  faults?: FaultScenario;
  /** Validating proxy: forward every request to this base URL and check its answers against the spec. */
  upstream?: string;
  /**
   * Reload the spec when it changes: `true` watches this repository's spec/ sources (or `specPath` when given);
   * `{ sourcesDir, config }` watches another split spec.
   */
  watch?: boolean | { sourcesDir: string; config?: string };
  /** Be Gong's OAuth server too (oauth-server.ts): the authorize page, the token endpoint, tokens per company. Default: off. */
  oauth?: MockOAuthOptions;
  /** Receives one line per request ("<METHOD> <path> 200 1.4ms") and the reload messages. Default: no logging. */
  log?: (line: string) => void;
}

export interface MockServer {
  /** e.g. "http://127.0.0.1:4010" */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The operations served, read from the spec (the current one, after a reload). */
  readonly operations: ReadonlyArray<Pick<SpecOperation, "operationId" | "alias" | "method" | "path" | "statuses" | "examples">>;
  /** info.version of the spec served now. */
  readonly specVersion: string;
  /** The limits in force per credential (0 = off): the options', else the served spec's x-gong-rate-limits. */
  readonly rateLimits: { perSecond: number; perDay: number };
  /** What `--watch` watches, when it does. */
  readonly watching: string | undefined;
  /** The upstream base URL in proxy mode. */
  readonly upstream: string | undefined;
  /** The accepted events (what GET /__mock/events lists). */
  journal(): JournalEntry[];
  /** The proxied exchanges whose answers depart from the spec (what GET /__mock/violations lists). */
  violations(): ViolationRecord[];
  /** What GET /__mock/oauth answers (apps, URLs, scopes, companies; never a token or secret); undefined when OAuth is off. */
  oauth(): Record<string, unknown> | undefined;
  /** What POST /__mock/reset does: clears the journal, the duplicate memory and the rate counters. */
  reset(): void;
  /** How many event keys the duplicate memory holds now. */
  duplicateMemorySize(): number;
  /** Sets (or, with `{ rules: [] }`, clears) the fault scenario, as POST /__mock/faults does. */
  setFaults(scenario: FaultScenario): void;
  /** What GET /__mock/faults answers: the scenario, its seed and how many of each fault were injected. */
  faults(): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const settings = checkSettings({ ...DEFAULTS, ...definedOnly(pick(options, Object.keys(DEFAULTS) as Array<keyof Settings>)) });
  const rateOptions = checkRateOptions(options);
  checkOAuthCombination(options);
  const proxy = options.upstream ? newProxy(options.upstream, settings.journalLimit) : undefined;
  // Everything the mock can refuse is refused before Prism is read (the heavy part of a start): the options,
  // then the spec and what depends on it.
  const model = loadServedModel(options.specPath);
  if (options.oauth) checkOAuthOptions(options.oauth, model.document);
  const scenario = options.faults;
  const operationIds = model.operations.map((o) => o.operationId);
  if (scenario) asFaultsOption(() => checkFaultScenario(scenario, operationIds));
  let spec = await withPrismOperations(model);
  const log = options.log ?? (() => {});
  const faults = new FaultInjector(() => spec.operations.map((o) => o.operationId));
  if (scenario) setScenario(faults, scenario);
  // The limits follow the served spec (a --watch reload may change them) unless an option sets them.
  const limits = {
    get perSecond() {
      return rateOptions.ratePerSecond ?? spec.rateLimits.perSecond;
    },
    get perDay() {
      return rateOptions.dailyLimit ?? spec.rateLimits.perDay;
    },
  };
  const gong: GongState = {
    prism: new PrismBridge(() => spec),
    limiter: new RateLimiter(limits),
    duplicates: new BoundedKeySet(settings.duplicateMemory),
    journal: new Journal(settings.journalLimit),
    credentials: options.credentials,
    limits,
  };
  let mockUrl = ""; // known once listening
  const oauth = options.oauth
    ? new MockOAuthServer(
        options.oauth,
        () => mockUrl,
        () => spec,
      )
    : undefined;
  const admin: AdminState = {
    spec: () => spec,
    journal: gong.journal,
    faults,
    proxy,
    journalLimit: settings.journalLimit,
    reset() {
      gong.limiter.reset();
      gong.duplicates.clear();
      gong.journal.clear();
    },
  };

  // One request: route (the mock's own endpoints, then the spec's operations), the fault that strikes before
  // processing, then Gong's checks in Gong's order, or the upstream in proxy mode, then delivery with the
  // fault that strikes after processing. Returns what happened, for the log line.
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const url = new URL(req.url ?? "/", "http://mock.local");
    const method = (req.method ?? "GET").toUpperCase();
    const bytes = await readBody(req);
    const customer = oauth && takeCustomerPrefix(url); // a company's base URL: /customer/<company>/v2/...
    const oauthAnswer = oauth?.route(method, url, req.headers, bytes);
    if (oauthAnswer) return sent(res, oauthAnswer);
    if (url.pathname.startsWith("/__mock/")) return sent(res, adminAnswer(admin, method, url, bytes));
    const operation = spec.find(method, url.pathname);
    if (!operation) return sent(res, unknownRoute(spec, method, url.pathname));

    const fault = faults.pick(operation.operationId);
    if (fault && !fault.afterProcessing) return deliverFaultBefore(res, fault, operation);
    const answer = proxy
      ? await proxy.forward(req, url, bytes, operation, gong.journal)
      : await gongAnswer({ req, operation, bytes, input: prismInput(req, url, method), prefer: {} }, customer);
    const outcome = await deliver(res, answer, fault, operation);
    const violations = answer.violations ?? [];
    return violations.length ? `${outcome} SPEC VIOLATIONS: ${violations.map((v) => `${v.where}: ${v.problem}`).join("; ")}` : outcome;
  }

  // Gong's order of checks; each stage answers or passes the request on.
  async function gongAnswer(request: MockRequest, customer?: string): Promise<Answer> {
    const bearer = oauth?.authenticate(request, customer); // OAuth on: Bearer tokens are the OAuth server's (401)
    const answer =
      (await forcedStatus(gong, request)) ?? // Prefer: code=NNN (example=Name), before anything else
      (bearer === "accepted" ? undefined : (bearer ?? checkCredentials(gong, request))) ?? // 401
      rateLimit(gong, request) ?? //           429, every authenticated call counts
      (await validateBody(gong, request)) ?? // 400
      duplicate(gong, request) ?? //           409
      accept(gong, request); //                200, journaled
    return tagCompany(answer, request.principal);
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((error: unknown) => {
        // A failure of the mock itself (or a client that went away mid-request): never crash the server.
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return "500 (connection closed)";
        }
        return sent(res, errorAnswer(500, [`mock server error: ${(error as Error).message}`]));
      })
      .then((outcome) => log(`${req.method} ${loggableUrl(req.url)} ${outcome} ${(performance.now() - started).toFixed(1)}ms`));
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, settings.port, settings.host);

  let watcher: SpecWatcher | undefined;
  if (options.watch) {
    watcher = await watchSpec({
      ...watchTarget(options),
      current: () => spec,
      apply: (next) => (spec = next),
      log,
    }).catch(async (error: unknown) => {
      await new Promise((resolve) => server.close(resolve));
      throw error;
    });
  }

  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  mockUrl = `http://${host}:${address.port}`;
  return {
    url: mockUrl,
    host: address.address,
    port: address.port,
    get operations() {
      return spec.operations.map(({ operationId, alias, method, path, statuses, examples }) => ({ operationId, alias, method, path, statuses, examples }));
    },
    get specVersion() {
      return spec.version;
    },
    get rateLimits() {
      return { perSecond: limits.perSecond, perDay: limits.perDay };
    },
    watching: watcher?.watching,
    upstream: proxy?.upstream.origin,
    journal: () => gong.journal.list(),
    violations: () => proxy?.violations.list() ?? [],
    oauth: () => oauth?.describe(),
    reset: admin.reset,
    duplicateMemorySize: () => gong.duplicates.size,
    setFaults: (scenario) => setScenario(faults, scenario),
    faults: () => faults.describe(),
    close: async () => {
      await watcher?.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function sent(res: ServerResponse, answer: Answer): string {
  write(res, answer);
  return String(answer.status);
}

function unknownRoute(spec: LoadedSpec, method: string, path: string): Answer {
  const served = spec.operations.map((o) => `${o.method} ${o.path}`).join(", ");
  const samePath = spec.operations.some((o) => o.path === path);
  return errorAnswer(samePath ? 405 : 404, [`No operation at ${method} ${path}; this mock serves ${served}`]);
}

function newProxy(upstream: string, limit: number): ValidatingProxy {
  try {
    return new ValidatingProxy(upstream, limit);
  } catch (error) {
    throw new MockConfigError(`startMockServer: \`upstream\`: ${(error as Error).message}`, { cause: error });
  }
}

function setScenario(faults: FaultInjector, scenario: FaultScenario): void {
  asFaultsOption(() => faults.set(scenario));
}

/** A problem of a fault scenario, as one of startMockServer's `faults`. */
function asFaultsOption(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (error instanceof MockConfigError) throw new MockConfigError(`startMockServer: \`faults\`: ${error.message}`, { cause: error });
    throw error;
  }
}

function watchTarget(options: MockServerOptions): { sourcesDir?: string; config?: string; specFile?: string } {
  if (typeof options.watch === "object") return options.watch;
  if (options.specPath) return { specFile: options.specPath };
  const sources = workspaceSpecSources();
  if (!sources) {
    throw new MockConfigError(
      `startMockServer: \`watch\` needs the spec's sources (this repository's spec/, with @gong-engage/spec) or a spec file (\`specPath\`); the bundled spec ${bundledSpecPath()} does not change`,
    );
  }
  return sources;
}

type Settings = { [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends number ? number : string };

function checkSettings(settings: Settings): Settings {
  for (const name of ["port", "duplicateMemory", "journalLimit"] as const) nonNegativeInteger(name, settings[name]);
  if (settings.port > 65535) throw new MockConfigError(`startMockServer: \`port\` must be at most 65535, got ${settings.port}.`);
  if (typeof settings.host !== "string" || settings.host.trim() === "") {
    throw new MockConfigError(`startMockServer: \`host\` must be an address such as 127.0.0.1, got ${JSON.stringify(settings.host)}.`);
  }
  return settings;
}

/**
 * OAuth and the options it cannot work with. In proxy mode the upstream decides every credential, so tokens this
 * mock issued would mean nothing there. With OAuth on, a Bearer token is one the OAuth server issued (with its
 * company, scopes and expiry): a fixed accepted Bearer token beside it would bypass all of that, so it is refused
 * rather than silently ignored or silently honoured. A fixed access key (Basic) works alongside OAuth.
 */
function checkOAuthCombination(options: MockServerOptions): void {
  if (!options.oauth) return;
  if (options.upstream) {
    throw new MockConfigError(
      "startMockServer: `oauth` cannot be combined with `upstream`: in proxy mode the upstream checks every credential, and it does not know the mock's tokens.",
    );
  }
  if (options.credentials?.bearerTokens?.length) {
    throw new MockConfigError(
      "startMockServer: `credentials.bearerTokens` cannot be combined with `oauth`: with OAuth on, the only Bearer tokens accepted are those its token endpoint issued (a fixed access key still works).",
    );
  }
}

function checkRateOptions(options: MockServerOptions): Pick<MockServerOptions, "ratePerSecond" | "dailyLimit"> {
  for (const name of ["ratePerSecond", "dailyLimit"] as const) if (options[name] !== undefined) nonNegativeInteger(name, options[name]);
  return { ratePerSecond: options.ratePerSecond, dailyLimit: options.dailyLimit };
}

function nonNegativeInteger(name: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new MockConfigError(`startMockServer: \`${name}\` must be a non-negative integer, got ${JSON.stringify(value)}.`);
  }
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(new Error(`Port ${port} on ${host} is already in use. Stop the other process or pick another port (--port <n>, or 0 for any free port).`));
      } else if (error.code === "EACCES") {
        reject(new Error(`No permission to listen on ${host}:${port}. Use a port above 1023.`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
