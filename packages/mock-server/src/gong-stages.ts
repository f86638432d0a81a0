// Gong's checks, one function per stage, in the order Gong applies them (server.ts lists them): a forced
// status (Prefer), credentials (401), the rate limit (429), the body (400, by the spec model's validator), a
// replayed event (409, by the operation's x-gong-event duplicate rule), then the 200 that records the event in
// the journal. Each stage answers, or returns undefined to pass the request on.
import type { IncomingMessage } from "node:http";
import { duplicateKeyOf } from "@gong-engage/spec-model";
import type { IHttpRequest } from "@stoplight/prism-http";
import { type Answer, errorAnswer, MAX_BODY_BYTES } from "./answer.js";
import { type AcceptedCredentials, authenticate } from "./auth.js";
import type { BoundedKeySet } from "./bounded-memory.js";
import type { Journal } from "./journal.js";
import { type Preferences, type PrismBridge, type PrismResult, withFreshIds } from "./prism.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { SpecOperation } from "./spec.js";
import { gongErrors } from "./violations.js";

/** One request to an operation, as it moves through the stages. */
export interface MockRequest {
  req: IncomingMessage;
  operation: SpecOperation;
  /** The body as sent; undefined when larger than MAX_BODY_BYTES. */
  bytes: Buffer | undefined;
  input: IHttpRequest;
  prefer: Preferences;
  principal?: string;
  event?: unknown;
  prism?: Extract<PrismResult, { ok: true }>;
}

export interface GongState {
  prism: PrismBridge;
  limiter: RateLimiter;
  duplicates: BoundedKeySet;
  journal: Journal;
  credentials: AcceptedCredentials | undefined;
  limits: { perSecond: number; perDay: number };
}

/** Prefer: code=NNN (or example=Name of a non-200 example) is answered as asked, before Gong's own checks. */
export async function forcedStatus(state: GongState, request: MockRequest): Promise<Answer | undefined> {
  const parsed = state.prism.preferences(request.input);
  if (!parsed.ok) return errorAnswer(400, [`Prefer: ${parsed.problem}`]);
  const { prefer } = parsed;
  const { operation } = request;
  let code = prefer.code;
  if (code === undefined && prefer.exampleKey !== undefined) {
    const owner = [...operation.responses.values()].find((response) => response.examples.includes(prefer.exampleKey!));
    if (!owner) {
      const known = [...operation.responses.values()].flatMap((r) => r.examples.map((name) => `${name} (${r.status})`));
      return errorAnswer(400, [`Prefer: example=${prefer.exampleKey} is not an example of ${operation.operationId}; its examples: ${known.join(", ")}`]);
    }
    if (owner.status !== 200) code = owner.status;
  }
  request.prefer = { ...prefer, code };
  if (code === undefined) return undefined;
  if (!operation.statuses.includes(code)) {
    return errorAnswer(400, [`Prefer: code=${code} is not documented for ${operation.operationId}; documented: ${operation.statuses.join(", ")}`]);
  }
  // Stryker disable next-line all: a forced answer is not validated, so Prism never reads this body (kept for Prism's input to be whole)
  request.input.body = tryParse(request.bytes?.toString("utf8") ?? "");
  return state.prism.answer(operation, await state.prism.request(request.input, request.prefer, { forced: true }));
}

/** 401 for missing, malformed or (when configured) unknown credentials. */
export function checkCredentials(state: GongState, request: MockRequest): Answer | undefined {
  const auth = authenticate(request.req.headers.authorization, state.credentials);
  if (!auth.ok) return errorAnswer(401, [auth.problem]);
  request.principal = auth.principal;
  return undefined;
}

/** 429 with an integer Retry-After over the per-second or daily limit of the credential. */
export function rateLimit(state: GongState, request: MockRequest): Answer | undefined {
  // Stryker disable next-line StringLiteral: any constant key is the same one budget for requests without a principal
  const rate = state.limiter.take(request.principal ?? "");
  if (rate.allowed) return undefined;
  const limit = rate.limit === "day" ? `${state.limits.perDay} calls per day` : `${state.limits.perSecond} calls per second`;
  return errorAnswer(429, [`API request limit exceeded (${limit} per credential)`], { "Retry-After": String(rate.retryAfterSeconds) });
}

/** 400 naming each failing field: a missing or malformed body, the spec model's issues, Prism's findings outside the body. */
export async function validateBody(state: GongState, request: MockRequest): Promise<Answer | undefined> {
  const { bytes, operation } = request;
  if (bytes === undefined) return errorAnswer(400, [`body: larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`]);
  const text = bytes.toString("utf8");
  if (text.trim() === "") return errorAnswer(400, ["body: is required (a JSON event)"]);
  try {
    request.event = JSON.parse(text);
  } catch (error) {
    return errorAnswer(400, [`body: malformed JSON (${(error as Error).message})`]);
  }
  request.input.body = request.event;
  let result = await state.prism.request(request.input, request.prefer);
  if (!result.ok) return state.prism.answer(operation, result);
  // One definition of a valid body, shared with the client and the contract suite: the spec model's validator
  // (JSON Schema 2020-12, ajv-formats' full format checks). Prism's own body findings do not count (its
  // date-time check differs at the edges, e.g. leap seconds); its other findings (Content-Type) do.
  const issues = operation.validateRequest(request.event);
  const violations = result.violations.filter((v) => v.severity === 0 || v.severity === "Error");
  const errors = gongErrors(violations, issues);
  if (errors.length) return errorAnswer(400, errors);
  if (result.statusCode === 400) {
    // Prism refused on a rule of its own that the checks above ignore: have it produce the 200.
    result = await state.prism.request(request.input, { ...request.prefer, code: 200 }, { forced: true });
    if (!result.ok) return state.prism.answer(operation, result);
  }
  if (result.statusCode !== 200) return state.prism.answer(operation, result);
  request.prism = result;
  return undefined;
}

/** 409 when an event with the same duplicate key was accepted before, by any operation of the same duplicateKeyScope. */
export function duplicate(state: GongState, request: MockRequest): Answer | undefined {
  const key = duplicateKeyOf(request.event, request.operation.event);
  if (!key || !state.duplicates.has(key)) return undefined;
  return errorAnswer(409, [request.operation.responses.get(409)?.message ?? "duplicate event"]);
}

/** 200: the event is remembered for 409 and recorded in the journal. */
export function accept(state: GongState, request: MockRequest): Answer {
  const { operation } = request;
  const key = duplicateKeyOf(request.event, operation.event);
  if (key) state.duplicates.add(key);
  const response = withFreshIds(operation, 200, request.prism?.body);
  const journal = state.journal.record({
    operationId: operation.operationId,
    endpoint: `${operation.method} ${operation.path}`,
    body: request.event,
    response,
  });
  const headers = Object.fromEntries(Object.entries(request.prism?.headers ?? {}).map(([name, value]) => [name, String(value)]));
  return { status: 200, headers, body: response, journal };
}

// Stryker disable all: only used for the forced answer's input, which Prism does not read (see forcedStatus)
function tryParse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
// Stryker restore all
