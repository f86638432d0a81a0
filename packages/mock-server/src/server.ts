// startMockServer: a local Gong. Prism (loaded with the project's spec) routes, validates and produces each
// response; on top of it this layer adds Gong's behaviour: 401 for bad credentials, 400 with Gong's error body
// naming each field, 409 for a replayed event, 429 at the rate limits, fresh requestIds, an exact int64
// integrationId, forced statuses through `Prefer: code=NNN`, and a request journal under /__mock/.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createLogger } from "@stoplight/prism-core";
import { createInstance, type IHttpConfig, type IHttpRequest } from "@stoplight/prism-http";
import { getHttpConfigFromRequest } from "@stoplight/prism-http-server/dist/getHttpConfigFromRequest.js";
import { stringify } from "lossless-json";
import { authenticate, type AcceptedCredentials } from "./auth.js";
import { BoundedKeySet, BoundedLog } from "./bounded-memory.js";
import { newInt64, newRequestId } from "./ids.js";
import { RateLimiter } from "./rate-limiter.js";
import { loadSpec, type SpecOperation } from "./spec.js";
import { gongErrors, type PrismViolation } from "./violations.js";

export interface MockServerOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Calls per second per credential before 429; 0 turns it off. Default 3 (Gong's). */
  ratePerSecond?: number;
  /** Calls per UTC day per credential before 429; 0 turns it off. Default 10,000 (Gong's). */
  dailyLimit?: number;
  /** How many accepted (reportingSystem, eventId) keys are remembered for 409; oldest forgotten first. Default 100,000. */
  duplicateMemory?: number;
  /** How many accepted events GET /__mock/events keeps; oldest dropped first. Default 1,000. */
  journalLimit?: number;
  /** Accept only these credentials (default: any well-formed ones). */
  credentials?: AcceptedCredentials;
  /** The OpenAPI document to serve. Default: the bundled spec of @gong-engage/spec. */
  specPath?: string;
  /** Receives one line per request ("PUT /v2/... 200 1.4ms"). Default: no logging. */
  log?: (line: string) => void;
}

export interface JournalEntry {
  /** 1, 2, 3, ... in the order the events were accepted. */
  sequence: number;
  operationId: string;
  /** e.g. "PUT /v2/customer-engagement/content/shared" */
  endpoint: string;
  /** When the event was accepted, ISO 8601. */
  time: string;
  /** The event as sent. */
  body: unknown;
  /** The body of the 200 that accepted it: requestId, and integrationId as a bigint. */
  response: Record<string, unknown>;
}

export interface MockServer {
  /** e.g. "http://127.0.0.1:4010" */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The operations served, read from the spec. */
  readonly operations: ReadonlyArray<Pick<SpecOperation, "operationId" | "method" | "path" | "statuses">>;
  /** The accepted events (what GET /__mock/events lists). */
  journal(): JournalEntry[];
  /** What POST /__mock/reset does: clears the journal, the duplicate memory and the rate counters. */
  reset(): void;
  /** How many event keys the duplicate memory holds now. */
  duplicateMemorySize(): number;
  close(): Promise<void>;
}

export const DEFAULTS = {
  port: 4010,
  host: "127.0.0.1",
  ratePerSecond: 3,
  dailyLimit: 10_000,
  duplicateMemory: 100_000,
  journalLimit: 1_000,
} as const;

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JSON_HEADERS = { "Content-Type": "application/json" };

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  for (const name of ["port", "ratePerSecond", "dailyLimit", "duplicateMemory", "journalLimit"] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < 0) {
      throw new TypeError(`startMockServer: \`${name}\` must be a non-negative integer, got ${JSON.stringify(value)}.`);
    }
  }
  if (settings.port > 65535) throw new TypeError(`startMockServer: \`port\` must be at most 65535, got ${settings.port}.`);

  const spec = await loadSpec(options.specPath);
  const prism = createInstance(prismConfig(), { logger: createLogger("gong-mock", { level: "silent" }) });
  const limiter = new RateLimiter({ perSecond: settings.ratePerSecond, perDay: settings.dailyLimit });
  const seen = new BoundedKeySet(settings.duplicateMemory);
  const journal = new BoundedLog<JournalEntry>(settings.journalLimit);
  let accepted = 0;

  const reset = () => {
    limiter.reset();
    seen.clear();
    journal.clear();
  };

  // One request, in Gong's order: route, forced status (Prefer), credentials (401), rate limit (429), body (400,
  // from Prism's validation), duplicate (409), then Prism's 200 with fresh ids. Returns the status sent.
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = new URL(req.url ?? "/", "http://mock.local");
    const method = (req.method ?? "GET").toUpperCase();
    if (url.pathname.startsWith("/__mock/")) return admin(method, url, res);

    const text = await readBody(req);
    const operation = spec.find(method, url.pathname);
    if (!operation) return unknownRoute(method, url.pathname, res);

    const input: IHttpRequest = {
      method: method.toLowerCase() as IHttpRequest["method"],
      url: { path: url.pathname, query: Object.fromEntries(url.searchParams) },
      headers: req.headers as Record<string, string>,
      body: undefined,
    };
    const preferences = getHttpConfigFromRequest(input);
    if (preferences._tag === "Left") return sendError(res, 400, [`Prefer: ${preferences.left.detail || preferences.left.message}`]);
    const prefer = preferences.right;

    // A forced status is answered as asked, before Gong's own checks: it is how a developer asks for a 500.
    if (prefer.code !== undefined) {
      if (!operation.statuses.includes(prefer.code)) {
        return sendError(res, 400, [
          `Prefer: code=${prefer.code} is not documented for ${operation.operationId}; documented: ${operation.statuses.join(", ")}`,
        ]);
      }
      input.body = tryParse(text ?? "");
      return sendPrism(operation, res, await callPrism(input, prefer, { forced: true }));
    }

    const auth = authenticate(req.headers.authorization, options.credentials);
    if (!auth.ok) return sendError(res, 401, [auth.problem]);

    const rate = limiter.take(auth.principal);
    if (!rate.allowed) {
      return sendError(res, 429, [`API request limit exceeded (${rate.limit === "day" ? `${settings.dailyLimit} calls per day` : `${settings.ratePerSecond} calls per second`}); retry after ${rate.retryAfterSeconds}s`], {
        "Retry-After": String(rate.retryAfterSeconds),
      });
    }

    if (text === undefined) return sendError(res, 400, [`body: larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`]);
    if (text.trim() === "") return sendError(res, 400, ["body: is required (a JSON event)"]);
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      return sendError(res, 400, [`body: malformed JSON (${(error as Error).message})`]);
    }
    input.body = event;

    const result = await callPrism(input, prefer);
    if (!result.ok) return sendProblem(res, result.status, result.detail);
    const violations = result.violations.filter((v) => v.severity === 0 || v.severity === "Error");
    const valid = operation.validateBody ? operation.validateBody(event) : true;
    const errors = gongErrors(violations, valid ? [] : operation.validateBody?.errors);
    if (errors.length) return sendError(res, 400, errors);
    if (result.statusCode !== 200) return sendPrism(operation, res, result);

    const { reportingSystem, eventId } = event as { reportingSystem?: unknown; eventId?: unknown };
    const key = typeof eventId === "string" && eventId !== "" ? `${operation.path}\u0000${String(reportingSystem)}\u0000${eventId}` : undefined;
    if (key && seen.has(key)) {
      return sendError(res, 409, [operation.exampleErrors.get(409) ?? "duplicate event"]);
    }
    if (key) seen.add(key);
    const response = withFreshIds(operation, 200, result.body);
    journal.push({
      sequence: ++accepted,
      operationId: operation.operationId,
      endpoint: `${operation.method} ${operation.path}`,
      time: new Date().toISOString(),
      body: event,
      response,
    });
    return send(res, 200, response, result.headers);
  }

  /** Prism's body with a fresh requestId and, for each int64 field of the status's schema, a value beyond 2^53. */
  function withFreshIds(operation: SpecOperation, status: number, body: unknown): Record<string, unknown> {
    const fresh: Record<string, unknown> = { ...asObject(body), requestId: newRequestId() };
    for (const field of operation.int64Fields.get(status) ?? []) fresh[field] = newInt64();
    return fresh;
  }

  async function callPrism(
    input: IHttpRequest,
    prefer: { code?: number | undefined; exampleKey?: string | undefined; dynamic?: boolean | undefined; seed?: string | undefined },
    { forced = false } = {},
  ) {
    // A forced status is served whatever the request holds, so Prism neither validates it nor checks security.
    const config = prismConfig(!forced, {
      dynamic: prefer.dynamic ?? false,
      ...(prefer.code !== undefined ? { code: prefer.code } : {}),
      ...(prefer.exampleKey !== undefined ? { exampleKey: prefer.exampleKey } : {}),
      ...(prefer.seed !== undefined ? { seed: prefer.seed } : {}),
    });
    const outcome = await prism.request(input, spec.prismOperations, config)();
    if (outcome._tag === "Left") {
      const error = outcome.left as Error & { status?: number; detail?: string };
      return { ok: false as const, status: error.status ?? 500, detail: error.detail || error.message };
    }
    const { output, validations } = outcome.right;
    return {
      ok: true as const,
      statusCode: output.statusCode,
      headers: output.headers ?? {},
      body: output.body,
      violations: validations.input as PrismViolation[],
    };
  }

  function sendPrism(operation: SpecOperation, res: ServerResponse, result: Awaited<ReturnType<typeof callPrism>>): number {
    if (!result.ok) return sendProblem(res, result.status, result.detail);
    return send(res, result.statusCode, withFreshIds(operation, result.statusCode, result.body), result.headers);
  }

  function sendProblem(res: ServerResponse, status: number, detail: string): number {
    // Prism could not answer (e.g. no example for a requested name, an Accept it cannot serve): Gong's 400 for
    // what the request asked, 500 for Prism's own failures; never Prism's problem+json or an undocumented status.
    return sendError(res, status < 500 ? 400 : 500, [detail]);
  }

  function admin(method: string, url: URL, res: ServerResponse): number {
    if (url.pathname === "/__mock/events" && method === "GET") {
      const operationId = url.searchParams.get("operationId");
      const events = journal.list().filter((e) => !operationId || e.operationId === operationId);
      return send(res, 200, { events, returned: events.length, accepted: journal.total, limit: settings.journalLimit });
    }
    if (url.pathname === "/__mock/reset" && method === "POST") {
      reset();
      return send(res, 200, { reset: true });
    }
    if (url.pathname === "/__mock/health" && method === "GET") {
      return send(res, 200, { ok: true, operations: spec.operations.map((o) => `${o.method} ${o.path}`) });
    }
    return sendError(res, 404, [
      `No mock endpoint at ${method} ${url.pathname}; there are GET /__mock/events, POST /__mock/reset and GET /__mock/health`,
    ]);
  }

  function unknownRoute(method: string, path: string, res: ServerResponse): number {
    const served = spec.operations.map((o) => `${o.method} ${o.path}`).join(", ");
    const samePath = spec.operations.some((o) => o.path === path);
    return sendError(res, samePath ? 405 : 404, [`No operation at ${method} ${path}; this mock serves ${served}`]);
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((error: unknown) => {
        // A failure of the mock itself (or a client that went away mid-request): never crash the server.
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return 500;
        }
        return sendError(res, 500, [`mock server error: ${(error as Error).message}`]);
      })
      .then((status) => {
        options.log?.(`${req.method} ${req.url} ${status} ${(performance.now() - started).toFixed(1)}ms`);
      });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(new Error(`Port ${settings.port} on ${settings.host} is already in use. Stop the other process or pick another port (--port <n>, or 0 for any free port).`));
      } else if (error.code === "EACCES") {
        reject(new Error(`No permission to listen on ${settings.host}:${settings.port}. Use a port above 1023.`));
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
    server.listen(settings.port, settings.host);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    host: address.address,
    port: address.port,
    operations: spec.operations.map(({ operationId, method, path, statuses }) => ({ operationId, method, path, statuses })),
    journal: () => journal.list(),
    reset,
    duplicateMemorySize: () => seen.size,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function prismConfig(validate = true, mock: Partial<IHttpConfig["mock"]> = {}): IHttpConfig {
  return {
    mock: { dynamic: false, ...mock },
    validateRequest: validate,
    validateResponse: false,
    checkSecurity: validate,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false,
  } as IHttpConfig;
}

function sendError(res: ServerResponse, status: number, errors: string[], headers: Record<string, string> = {}): number {
  return send(res, status, { requestId: newRequestId(), errors }, headers);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, unknown> = {}): number {
  // lossless-json writes bigint as an exact JSON integer (JSON.stringify would throw).
  const text = stringify(body) ?? "";
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "content-type" && name.toLowerCase() !== "content-length") out[name] = String(value);
  }
  res.writeHead(status, { ...out, ...JSON_HEADERS, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
  return status;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function tryParse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
