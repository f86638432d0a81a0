// createEngagementClient: the typed Gong client. It is a thin layer over openapi-fetch (typed by the generated
// `paths`) that adds what openapi-fetch leaves out: auth, validation before sending, pacing within Gong's
// limits (pacing.ts), per-attempt timeouts, retries (policy in retry.ts), Gong's 409 semantics, an exact int64
// integrationId, and batches (report-many.ts).
import createClient, { type Client } from "openapi-fetch";
import { attemptSignal, sleep, TimeoutSlices } from "./abort.js";
import { authorizationHeader, type GongAuth } from "./auth.js";
import { GongApiError, GongValidationError, type GongErrorCode } from "./errors.js";
import type { components, paths } from "./generated/openapi.js";
import { parseWithBigInts, toInt64 } from "./lossless-json.js";
import { Pacer, type RateLimitOptions } from "./pacing.js";
import { reportMany, type ReportManyItem, type ReportManyOptions, type ReportOutcome, type Send } from "./report-many.js";
import {
  decideRetry,
  outcomeIsUnknown,
  parseRetryAfter,
  retryPolicy,
  type AttemptOutcome,
  type RetryOptions,
} from "./retry.js";
import { validateEvent, type OperationId } from "./validation.js";
import { accessForAttempt, isTokenSource, tokenMiddleware, type GongTokenSource } from "./token-source.js";

export type ContentSharedEvent = components["schemas"]["ContentSharedEvent"];
export type ContentViewedEvent = components["schemas"]["ContentViewedEvent"];

/** What a report resolves with. */
export type ReportResult =
  | {
      /** Gong's request reference. */
      requestId: string;
      /** Gong's integrationId, exact (an int64 beyond 2^53). */
      integrationId: bigint;
      /** False: this call's request was accepted. */
      alreadyReported: false;
    }
  | {
      requestId: string;
      /** Not known: Gong's 409 body does not carry it. */
      integrationId: undefined;
      /**
       * True: an earlier attempt of this same call got no clear answer (timeout, network error, 5xx), and the
       * retry was refused with 409: that earlier attempt landed, so the event is in Gong.
       */
      alreadyReported: true;
    };

export interface RetryInfo {
  operationId: OperationId;
  /** The attempt that failed (1 = the first request). */
  attempt: number;
  /** What happened: an HTTP status, "timeout" or "network-error". */
  reason: number | "timeout" | "network-error";
  /** How long the client waits before the next attempt. */
  delayMs: number;
}

export interface EngagementClientOptions {
  /**
   * Default "https://api.gong.io". With a token source as `auth`, the customer's base URL from its tokens is used
   * and this is only the fallback when they carry none (no default: an error if neither is known).
   */
  baseUrl?: string;
  /** { accessKey, accessKeySecret } (Basic), { bearerToken } (OAuth, fixed), or a token source (OAuth, renewing: token-source.ts). */
  auth: GongAuth | GongTokenSource;
  /** Retries for 429, 5xx, network errors and timeouts. `false` turns them off. Default 3 retries. */
  retry?: RetryOptions | false;
  /**
   * Pacing of this client's calls, shared by all its concurrent calls: by default Gong's 3 calls per second
   * and 10,000 per UTC day. `false` turns it off (another layer paces, or a mock without limits).
   */
  rateLimit?: RateLimitOptions | false;
  /** Per attempt, in ms. Default 30,000. 0 turns the timeout off. */
  timeoutMs?: number;
  /** Check each event against the spec's request schema before sending. Default true. */
  validate?: boolean;
  /** A fetch to use instead of globalThis.fetch (for tests, proxies, instrumentation). */
  fetch?: (input: Request) => Promise<Response>;
  /** Called before each retry, e.g. for logging. Never receives credentials. */
  onRetry?: (info: RetryInfo) => void;
}

export interface CallOptions {
  /** Aborts the call, including its retries and waits; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface EngagementClient {
  reportContentShared(event: ContentSharedEvent, options?: CallOptions): Promise<ReportResult>;
  reportContentViewed(event: ContentViewedEvent, options?: CallOptions): Promise<ReportResult>;
  /**
   * Reports many events (an array or an async iterable of `{ operation: "shared" | "viewed", event }`), a few
   * at a time, paced: yields one outcome per input, tagged with its index, as each completes. See report-many.ts.
   */
  reportMany(items: Iterable<ReportManyItem> | AsyncIterable<ReportManyItem>, options?: ReportManyOptions): AsyncGenerator<ReportOutcome>;
  /** The underlying typed openapi-fetch client, with auth set and nothing else: for full control. */
  readonly raw: Client<paths>;
}

const DEFAULT_BASE_URL = "https://api.gong.io";
/** `raw`'s placeholder base with a token source: its middleware puts the customer's base URL in its place. */
const RAW_TOKEN_BASE = "https://customer-base-url.invalid";
const DEFAULT_TIMEOUT_MS = 30_000;
const SHARED_PATH = "/v2/customer-engagement/content/shared";
const VIEWED_PATH = "/v2/customer-engagement/content/viewed";

export function createEngagementClient(options: EngagementClientOptions): EngagementClient {
  if (!options || typeof options !== "object") {
    throw new TypeError("createEngagementClient: options are required, at least { auth }.");
  }
  const tokens = isTokenSource(options.auth) ? options.auth : undefined;
  const baseUrl = tokens ? options.baseUrl && checkBaseUrl(options.baseUrl) : checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const authHeaders = tokens ? {} : { Authorization: authorizationHeader(options.auth as GongAuth) };
  const policy = retryPolicy(options.retry);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError("createEngagementClient: `timeoutMs` must be a non-negative number of milliseconds.");
  }
  const validate = options.validate ?? true;
  const timeouts = new TimeoutSlices(timeoutMs);
  const pacer = options.rateLimit === false ? undefined : new Pacer(options.rateLimit ?? {});
  const maxWaitMs = (options.rateLimit || undefined)?.maxWaitMs ?? (options.retry === false ? 30_000 : policy.maxDelayMs);
  const clientOptions = {
    baseUrl: tokens ? RAW_TOKEN_BASE : baseUrl!,
    headers: { ...authHeaders, Accept: "application/json" },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const raw = createClient<paths>(clientOptions);
  if (tokens) raw.use(tokenMiddleware(tokens, RAW_TOKEN_BASE, baseUrl));
  // The report methods go through their own openapi-fetch client. Without a custom fetch it hands
  // globalThis.fetch the URL and init directly instead of a Request object: building a Request costs about
  // 100 µs per call on Node 20 (a quarter of a loopback round trip; see bench/). A custom fetch, and `raw`,
  // always get a real Request.
  // With a token source, `raw` carries the token middleware; the report methods set token and base URL per attempt.
  const reporter = options.fetch && !tokens ? raw : createClient<paths>({ ...clientOptions, ...(options.fetch ? {} : directFetch) });

  // One call: validate, then attempts until one answers for good. `track` carries what is known about the event
  // across the calls of a batch (reportMany resends with the same eventId): attempts, and whether any outcome
  // was unknown (then a 409 means an earlier attempt landed).
  async function report(
    operationId: OperationId,
    event: ContentSharedEvent | ContentViewedEvent,
    callOptions: CallOptions = {},
    track: CallTrack = { attempts: 0, outcomeUnknown: false },
  ): Promise<ReportResult> {
    if (validate) {
      const issues = validateEvent(operationId, event);
      if (issues.length) throw new GongValidationError(operationId, issues);
    }
    const path = operationId === "reportContentShared" ? SHARED_PATH : VIEWED_PATH;
    const body = JSON.stringify(event);
    const { signal } = callOptions;
    let attempts = 0;
    let rejectedToken: string | undefined; // OAuth: the token Gong just refused with 401 (renewed once per call)
    let renewed = false;

    for (;;) {
      const access = tokens && (await accessForAttempt(tokens, { operationId, baseUrl, signal, rejected: rejectedToken, attempts, mayHaveLanded: track.outcomeUnknown }));
      rejectedToken = undefined;
      const permit = pacer?.reserve(maxWaitMs);
      if (permit && !permit.ok) {
        throw new GongApiError({
          code: "QUOTA_EXHAUSTED",
          operationId,
          retryAfter: Math.ceil(permit.waitMs / 1000),
          limit: permit.limit,
          attempts,
          mayHaveLanded: track.outcomeUnknown,
        });
      }
      await permit?.ready(signal);
      attempts++;
      track.attempts++;
      const attempt = attemptSignal(signal, timeoutMs, timeouts);
      let outcome: AttemptOutcome;
      let failure: GongApiError;
      try {
        const { response, data, error } = await reporter.PUT(path, {
          body: event as never,
          bodySerializer: () => body,
          parseAs: "text",
          signal: attempt.signal,
          ...access?.request,
        });
        if (response.ok) return successResult(operationId, response.status, data, attempts);
        if (response.status === 401 && access && !renewed) {
          [renewed, rejectedToken] = [true, access.accessToken]; // renew once, resend the same body
          continue;
        }
        const requestId = readRequestId(error);
        if (response.status === 409 && track.outcomeUnknown) {
          return { requestId: requestId ?? "", integrationId: undefined, alreadyReported: true };
        }
        const retryAfter = response.status === 429 ? parseRetryAfter(response.headers.get("Retry-After")) : undefined;
        if (retryAfter !== undefined) pacer?.pauseFor(retryAfter);
        outcome = { kind: "response", status: response.status, retryAfterSeconds: retryAfter };
        failure = new GongApiError({
          code: "HTTP_ERROR",
          operationId,
          status: response.status,
          requestId,
          errors: readErrors(error),
          retryAfter,
          attempts,
          mayHaveLanded: track.outcomeUnknown || outcomeIsUnknown({ kind: "response", status: response.status }),
        });
      } catch (thrown) {
        if (thrown instanceof GongApiError) throw thrown;
        if (signal?.aborted) {
          track.outcomeUnknown = true; // aborted while the request was out: it may have landed
          throw signal.reason;
        }
        const timedOut = attempt.timedOut();
        outcome = timedOut ? { kind: "timeout" } : { kind: "network-error", reached: !neverReached(thrown) };
        failure = networkFailure(operationId, timedOut ? "TIMEOUT" : "NETWORK_ERROR", attempts, thrown, track.outcomeUnknown || outcomeIsUnknown(outcome));
      } finally {
        permit?.answered();
        attempt.dispose();
      }

      track.outcomeUnknown ||= outcomeIsUnknown(outcome);
      const decision = decideRetry(outcome, attempts - 1, policy);
      if (!decision.retry) throw failure;
      options.onRetry?.({
        operationId,
        attempt: attempts,
        reason: outcome.kind === "response" ? outcome.status : outcome.kind,
        delayMs: decision.delayMs,
      });
      await sleep(decision.delayMs, signal);
    }
  }

  const send: Send = (operationId, event, callOptions, track) => report(operationId, event as ContentSharedEvent, callOptions, track);
  return {
    reportContentShared: (event, callOptions) => report("reportContentShared", event, callOptions),
    reportContentViewed: (event, callOptions) => report("reportContentViewed", event, callOptions),
    reportMany: (items, manyOptions) => reportMany(send, items, manyOptions),
    raw,
  };
}

/** What is known about one event across the calls that send it. */
export interface CallTrack {
  /** Requests sent so far. */
  attempts: number;
  /** Some attempt's outcome was unknown (timeout, reset, lost response, 5xx): the event may be in Gong. */
  outcomeUnknown: boolean;
}

/** A stand-in for Request that only carries url and init, and a fetch that unwraps it. */
class PlainRequest {
  readonly method: string;
  constructor(
    readonly url: string,
    readonly init: RequestInit,
  ) {
    this.method = init.method ?? "GET";
  }
}
const directFetch = {
  Request: PlainRequest as unknown as typeof Request,
  fetch: (request: Request) => {
    const { url, init } = request as unknown as PlainRequest;
    return globalThis.fetch(url, init);
  },
};

function successResult(operationId: OperationId, status: number, text: unknown, attempts: number): ReportResult {
  let body: unknown;
  try {
    body = parseWithBigInts(typeof text === "string" ? text : "");
  } catch (cause) {
    throw invalidSuccess(operationId, status, undefined, attempts, "the body is not JSON", cause);
  }
  const requestId = readRequestId(body);
  const integrationId = toInt64((body as { integrationId?: unknown } | null)?.integrationId);
  if (integrationId === undefined) {
    throw invalidSuccess(operationId, status, requestId, attempts, "integrationId is missing or not an exact integer");
  }
  return { requestId: requestId ?? "", integrationId, alreadyReported: false };
}

function invalidSuccess(
  operationId: OperationId,
  status: number,
  requestId: string | undefined,
  attempts: number,
  problem: string,
  cause?: unknown,
): GongApiError {
  return new GongApiError({
    code: "INVALID_RESPONSE",
    operationId,
    status,
    requestId,
    errors: [`${problem}; Gong accepted the event, do not resend it`],
    attempts,
    cause,
  });
}

function networkFailure(operationId: OperationId, code: GongErrorCode, attempts: number, cause: unknown, mayHaveLanded: boolean): GongApiError {
  const detail = cause instanceof Error ? describeCause(cause) : String(cause);
  return new GongApiError({ code, operationId, attempts, errors: [detail], cause, mayHaveLanded });
}

// Errors that mean the request never left for the server: nothing can have been recorded.
const NEVER_REACHED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT", "ERR_INVALID_URL"]);

function neverReached(error: unknown): boolean {
  const codes: string[] = [];
  const collect = (value: unknown, depth: number) => {
    if (!value || typeof value !== "object" || depth > 3) return;
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === "string") codes.push(code);
    collect(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) collect(inner, depth + 1);
  };
  collect(error, 0);
  return codes.length > 0 && codes.every((code) => NEVER_REACHED.has(code));
}

function describeCause(error: Error): string {
  // undici puts the useful part (ECONNREFUSED, ...) in `cause`.
  const inner = (error as { cause?: unknown }).cause;
  const innerText = inner instanceof Error ? `: ${inner.message}` : "";
  return `${error.message}${innerText}`;
}

function readRequestId(body: unknown): string | undefined {
  const id = (body as { requestId?: unknown } | null | undefined)?.requestId;
  return typeof id === "string" && id !== "" ? id : undefined;
}

function readErrors(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (Array.isArray(errors)) return errors.map(String);
  if (typeof body === "string" && body.trim()) return [body.trim().slice(0, 500)];
  return [];
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`createEngagementClient: \`baseUrl\` must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`createEngagementClient: \`baseUrl\` must use http or https, got ${JSON.stringify(url.protocol)}.`);
  }
  if (url.username || url.password) {
    throw new TypeError("createEngagementClient: `baseUrl` must not carry credentials; pass them in `auth`.");
  }
  return baseUrl.replace(/\/+$/, "");
}
