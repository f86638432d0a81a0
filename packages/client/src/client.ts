// createEngagementClient: the typed Gong client. It is a thin layer over openapi-fetch (typed by the generated
// `paths`) that adds what openapi-fetch leaves out: auth, validation before sending, pacing within Gong's
// limits (pacing.ts), per-attempt timeouts, retries and Gong's 409 (policy in retry.ts), Gong's exact int64 id
// for the event, and batches (report-many.ts). Its methods are the spec's operations (operations.ts): one per
// operationId, and `report(operationIdOrAlias, event)`.
import { checkBaseUrl, neverReached, parseLossless, parseRetryAfter, toInt64 } from "@gong-engage/spec-model/runtime";
import createClient, { type Client } from "openapi-fetch";
import { attemptSignal, sleep, TimeoutSlices } from "./abort.js";
import { authorizationHeader, type GongAuth } from "./auth.js";
import { directFetch } from "./direct-fetch.js";
import { GongApiError, type GongApiErrorInit, type GongErrorCode, GongValidationError } from "./errors.js";
import type { paths } from "./generated/openapi.js";
import {
  type EventOf,
  eventIdOf,
  OPERATIONS,
  type Operation,
  type OperationId,
  type OperationName,
  type OperationNamed,
  operationNamed,
  operationNames,
  type ReportResult,
  resultIdFieldOf,
} from "./operations.js";
import { Pacer } from "./pacing.js";
import { type ReportManyItem, type ReportManyOptions, type ReportOutcome, reportMany, type Send, type Settlement } from "./report-many.js";
import { decideRetry, interpretConflict, outcomeIsUnknown, retryPolicy } from "./retry.js";
import { accessForAttempt, type GongTokenSource, isTokenSource, tokenMiddleware } from "./token-source.js";
import type { AttemptOutcome, CallOptions, RateLimitOptions, RetryInfo, RetryOptions } from "./types.js";
import { validateEvent } from "./validation.js";

export type { CallOptions, RetryInfo } from "./types.js";

export interface EngagementClientOptions {
  /**
   * Gong's API root. OAuth apps must use the `api_base_url_for_customer` from their token. With a token source as
   * `auth`, the customer's base URL from its tokens is used and this is only the fallback when they carry none
   * (no default then: an error if neither is known). @default "https://api.gong.io"
   */
  baseUrl?: string;
  /** { accessKey, accessKeySecret } (Basic), { bearerToken } (OAuth, fixed), or a token source (OAuth, renewing: token-source.ts). */
  auth: GongAuth | GongTokenSource;
  /** Retries for 429, 5xx, network errors and timeouts. `false` turns them off. @default 3 retries */
  retry?: RetryOptions | false;
  /**
   * Pacing of this client's calls, shared by all its concurrent calls: by default Gong's limits from the spec
   * (3 calls per second and 10,000 per UTC day). `false` turns it off (another layer paces, or a mock without limits).
   */
  rateLimit?: RateLimitOptions | false;
  /** Per attempt, in ms; 0 turns the timeout off. @default 30_000 */
  timeoutMs?: number;
  /** Check each event against the spec's request schema before sending. @default true */
  validate?: boolean;
  /** A fetch to use instead of globalThis.fetch (for tests, proxies, instrumentation). */
  fetch?: (input: Request) => Promise<Response>;
  /** Called before each retry, e.g. for logging. Never receives credentials. What it throws is ignored. */
  onRetry?: (info: RetryInfo) => void;
}

/** One method per operation of the spec, named by its operationId (e.g. `reportContentShared(event)`). */
export type OperationMethods = {
  [Id in OperationId]: (event: EventOf<Id>, options?: CallOptions) => Promise<ReportResult<Id>>;
};

export type EngagementClient = OperationMethods & {
  /** Reports one event to the operation named by its operationId or alias (e.g. "shared"). */
  report<Name extends OperationName>(operation: Name, event: EventOf<OperationNamed[Name]>, options?: CallOptions): Promise<ReportResult<OperationNamed[Name]>>;
  /**
   * Reports many events (an array or an async iterable of `{ operation, event }`, `operation` an alias such as
   * "shared" or an operationId), a few at a time, paced: yields one outcome per input, tagged with its index,
   * as each completes. See report-many.ts.
   */
  reportMany(items: Iterable<ReportManyItem> | AsyncIterable<ReportManyItem>, options?: ReportManyOptions): AsyncGenerator<ReportOutcome>;
  /** The underlying typed openapi-fetch client, with auth set and nothing else: for full control. */
  readonly raw: Client<paths>;
};

const DEFAULT_BASE_URL = "https://api.gong.io";
/** `raw`'s placeholder base with a token source: its middleware puts the customer's base URL in its place. */
const RAW_TOKEN_BASE = "https://customer-base-url.invalid";
const DEFAULT_TIMEOUT_MS = 30_000;
const NONE: readonly AttemptOutcome[] = [];
/** Why a call without its event's id ends after an unknown outcome (the field named as the spec names it). */
const notResent = (operation: Operation) =>
  `not resent: the event has no ${(operation.event as { eventIdField?: string }).eventIdField ?? "id"}, so Gong could not tell a resend from a new event and might record it twice`;

/** Whether the event carries its own id (x-gong-event.eventIdField), by which Gong recognises it sent again. */
function hasEventId(operation: Operation, event: unknown): boolean {
  const id = eventIdOf(operation, event);
  return id !== undefined && id !== "";
}
const asIs = (text: string) => text;

/** What one request came to: its outcome, and what the answer said. */
type Answer =
  /** A 2xx: Gong recorded the event; `text` is the body. */
  | { ok: true; outcome: AttemptOutcome & { kind: "response" }; text: string }
  | { ok: false; outcome: AttemptOutcome; requestId?: string | undefined; errors?: string[] | undefined; cause?: unknown };

export function createEngagementClient(options: EngagementClientOptions): EngagementClient {
  if (!options || typeof options !== "object") {
    throw new TypeError("createEngagementClient: options are required, at least { auth }.");
  }
  const tokens = isTokenSource(options.auth) ? options.auth : undefined;
  const checked = (url: string) => checkBaseUrl(url, "createEngagementClient: `baseUrl`", { credentialsHint: "pass them in `auth`" });
  const baseUrl = tokens ? options.baseUrl && checked(options.baseUrl) : checked(options.baseUrl ?? DEFAULT_BASE_URL);
  const authHeaders = tokens ? {} : { Authorization: authorizationHeader(options.auth as GongAuth) };
  const policy = retryPolicy(options.retry);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`createEngagementClient: \`timeoutMs\` must be a non-negative number of milliseconds, got ${String(timeoutMs)}.`);
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
  // globalThis.fetch the URL and init directly instead of a Request object (direct-fetch.ts). A custom fetch,
  // and `raw`, always get a real Request.
  // With a token source, `raw` carries the token middleware; the report methods set token and base URL per attempt.
  const reporter = options.fetch && !tokens ? raw : createClient<paths>({ ...clientOptions, ...(options.fetch ? {} : directFetch) });

  /** One request: its outcome, never a rejection. */
  async function attempt(
    operation: Operation,
    body: string,
    signal: AbortSignal | undefined,
    access: { baseUrl: string; headers: { Authorization: string } } | undefined,
  ): Promise<Answer> {
    const timed = attemptSignal(signal, timeoutMs, timeouts);
    try {
      const { response, data, error } = await reporter.request(
        operation.method as never,
        operation.path as never,
        {
          body,
          bodySerializer: asIs,
          parseAs: "text",
          signal: timed.signal,
          ...access,
        } as never,
      );
      const status = response.status;
      if (response.ok) return { ok: true, outcome: { kind: "response", status }, text: typeof data === "string" ? data : "" };
      const retryAfterSeconds = status === 429 ? parseRetryAfter(response.headers.get("Retry-After")) : undefined;
      return { ok: false, outcome: { kind: "response", status, retryAfterSeconds }, requestId: readRequestId(error), errors: readErrors(error) };
    } catch (cause) {
      if (signal?.aborted) return { ok: false, outcome: { kind: "aborted" }, cause: signal.reason };
      const errors = [describeCause(cause)];
      if (timed.timedOut()) return { ok: false, outcome: { kind: "timeout" }, errors, cause };
      return { ok: false, outcome: { kind: "network-error", reached: !neverReached(cause) }, errors, cause };
    } finally {
      timed.dispose();
    }
  }

  /**
   * One call, settled: validate, then attempt -> decide -> wait until an attempt answers for good. `earlier` are
   * the outcomes of earlier calls for the same event (reportMany resends with the same eventId): a 409 after an
   * unknown one means that one landed.
   */
  async function settle(operation: Operation, event: unknown, signal: AbortSignal | undefined, earlier: readonly AttemptOutcome[] = NONE): Promise<Settlement> {
    const { operationId } = operation;
    if (validate) {
      const issues = validateEvent(operationId, event);
      if (issues.length) return { status: "invalid", error: new GongValidationError(operationId, issues) };
    }
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch (thrown) {
      // e.g. a BigInt or a cycle in a field the schema leaves open (a context field's value may be any object)
      const problem = `cannot be written as JSON (${thrown instanceof Error ? thrown.message : String(thrown)})`;
      return { status: "invalid", error: new GongValidationError(operationId, [{ field: "(event)", problem }]) };
    }
    let history = earlier;
    let attempts = 0;
    let rejectedToken: string | undefined; // OAuth: the token Gong just refused with 401 (renewed once per call)
    let renewed = false;
    const error = (code: GongErrorCode, fields: Omit<GongApiErrorInit, "code" | "operationId">) =>
      new GongApiError({ code, operationId, attempts, mayHaveLanded: history.some(outcomeIsUnknown), ...fields });
    const failed = (code: GongErrorCode, fields: Omit<GongApiErrorInit, "code" | "operationId">): Settlement => ({
      status: "failed",
      history,
      error: error(code, fields),
    });

    for (;;) {
      // OAuth: the access token and the customer's base URL for this attempt (renewed after a 401).
      let access: Awaited<ReturnType<typeof accessForAttempt>> | undefined;
      if (tokens) {
        try {
          access = await accessForAttempt(tokens, {
            operationId,
            baseUrl,
            signal,
            rejected: rejectedToken,
            attempts,
            mayHaveLanded: history.some(outcomeIsUnknown),
          });
        } catch (thrown) {
          if (thrown instanceof GongApiError) return { status: "failed", history, error: thrown };
          return { status: "aborted", reason: thrown, history };
        }
        rejectedToken = undefined;
      }

      // Wait for a turn within Gong's limits (or be refused at once).
      const permit = pacer?.reserve(maxWaitMs);
      if (permit && !permit.ok) return failed("QUOTA_EXHAUSTED", { retryAfter: Math.ceil(permit.waitMs / 1000), limit: permit.limit });
      try {
        if (permit) await permit.ready(signal);
        else if (signal?.aborted) throw signal.reason;
      } catch (reason) {
        return { status: "aborted", reason, history };
      }

      // Attempt.
      attempts++;
      let answer: Answer;
      try {
        answer = await attempt(operation, body, signal, access?.request);
      } finally {
        permit?.answered();
      }
      const { outcome } = answer;
      const before = history;
      history = before.length ? [...before, outcome] : [outcome];

      // Decide.
      if (answer.ok) {
        const read = readAccepted(answer.text, resultIdFieldOf(operation));
        if (read.problem === undefined) return { status: "accepted", requestId: read.requestId ?? "", resultId: read.resultId, history };
        // Gong answered 2xx, so the event is recorded, whatever the body says: it may have landed (it has).
        return failed("INVALID_RESPONSE", {
          status: answer.outcome.status,
          requestId: read.requestId,
          errors: [read.problem],
          cause: read.cause,
          mayHaveLanded: true,
        });
      }
      if (outcome.kind === "aborted") return { status: "aborted", reason: answer.cause, history };
      if (outcome.kind === "response" && outcome.status === 401 && access && !renewed) {
        [renewed, rejectedToken] = [true, access.accessToken]; // renew once, resend the same body
        continue;
      }
      if (outcome.kind === "response") {
        if (outcome.status === 409) {
          const reason = interpretConflict(before);
          return {
            status: "already-reported",
            reason,
            requestId: answer.requestId ?? "",
            history,
            error: error("HTTP_ERROR", { status: 409, requestId: answer.requestId, errors: answer.errors }),
          };
        }
        if (outcome.retryAfterSeconds !== undefined) pacer?.pauseFor(outcome.retryAfterSeconds);
      }
      // Without its id Gong cannot tell a resend from a new event: after an outcome that may have recorded it, a
      // resend could record it twice. Such a call ends here (mayHaveLanded), whatever the retry policy says.
      const unrecognisable = outcomeIsUnknown(outcome) && !hasEventId(operation, event);
      const decision = unrecognisable ? ({ retry: false } as const) : decideRetry(outcome, attempts - 1, policy);
      if (!decision.retry) {
        const said = unrecognisable && attempts - 1 < policy.maxRetries ? [...(answer.errors ?? []), notResent(operation)] : answer.errors;
        if (outcome.kind === "response") {
          return failed("HTTP_ERROR", {
            status: outcome.status,
            requestId: answer.requestId,
            errors: said,
            retryAfter: outcome.retryAfterSeconds,
          });
        }
        return failed(outcome.kind === "timeout" ? "TIMEOUT" : "NETWORK_ERROR", { errors: said, cause: answer.cause });
      }

      // Wait.
      try {
        options.onRetry?.({ operationId, attempt: attempts, reason: outcome.kind === "response" ? outcome.status : outcome.kind, delayMs: decision.delayMs });
      } catch {
        // A logging hook that throws must not cost the event its retry (nor reportMany its outcome).
      }
      try {
        await sleep(decision.delayMs, signal);
      } catch (reason) {
        return { status: "aborted", reason, history };
      }
    }
  }

  /** A single call, as the report methods settle it: a result, or a rejection. */
  async function report(name: string, event: unknown, callOptions?: CallOptions): Promise<ReportResult> {
    const operation = operationNamed(name);
    if (!operation) throw new TypeError(`report: \`operation\` must be one of ${operationNames()}, got ${JSON.stringify(name)}.`);
    const settled = await settle(operation, event, callOptions?.signal);
    switch (settled.status) {
      case "accepted":
        return result(operation, settled.requestId, settled.resultId, false);
      case "already-reported":
        // A 409 to a call that could not have recorded the event before: the caller sent a duplicate.
        if (settled.reason === "reported-before") throw settled.error;
        return result(operation, settled.requestId, undefined, true);
      case "aborted":
        throw settled.reason;
      default:
        throw settled.error;
    }
  }

  const send: Send = settle;
  const methods = Object.fromEntries(
    Object.keys(OPERATIONS).map((operationId) => [operationId, (event: unknown, callOptions?: CallOptions) => report(operationId, event, callOptions)]),
  ) as OperationMethods;
  return {
    ...methods,
    report: report as unknown as EngagementClient["report"],
    reportMany: (items, manyOptions) => reportMany(send, items, manyOptions),
    raw,
  };
}

/** What a report resolves with: Gong's requestId, its id for the event under the operation's name for it, and whether it was there already. */
function result(operation: Operation, requestId: string, resultId: bigint | undefined, alreadyReported: boolean): ReportResult {
  const field = resultIdFieldOf(operation);
  const value: Record<string, unknown> = { requestId };
  if (field !== undefined) value[field] = resultId;
  value.alreadyReported = alreadyReported;
  return value as ReportResult;
}

/** A 2xx body: Gong's requestId and its exact id for the event (when the operation has one), or what is wrong with it. */
function readAccepted(
  text: string,
  resultIdField: string | undefined,
): { requestId?: string | undefined; resultId?: bigint | undefined; problem?: string; cause?: unknown } {
  let body: unknown;
  try {
    body = parseLossless(text);
  } catch (cause) {
    return { problem: "the body is not JSON", cause };
  }
  const requestId = readRequestId(body);
  if (resultIdField === undefined) return { requestId };
  const resultId = toInt64((body as Record<string, unknown> | null)?.[resultIdField]);
  if (resultId === undefined) return { requestId, problem: `${resultIdField} is missing or not an exact integer` };
  return { requestId, resultId };
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
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
  const { errors, message } = (body ?? {}) as { errors?: unknown; message?: unknown };
  if (Array.isArray(errors)) return errors.map((item) => (typeof item === "string" ? item : (JSON.stringify(item) ?? String(item))));
  // Not Gong's documented form ({ errors: [...] }), but a proxy's or a gateway's: keep what it says.
  if (typeof errors === "string" && errors.trim()) return [errors.trim().slice(0, 500)];
  if (typeof message === "string" && message.trim()) return [message.trim().slice(0, 500)];
  if (typeof body === "string" && body.trim()) return [body.trim().slice(0, 500)];
  return [];
}
