// Sends the suite's requests. Every request is first checked against the spec (method and path of a documented
// operation; a body the request schema accepts, or, for a negative test, one it rejects), so the suite cannot
// drift from the spec. Requests are paced by the client's pacer (@gong-engage/client/pacing: a request starts a
// full second after the answer to the one `perSecond` requests earlier, and at most `perDay` go in a UTC day),
// and a 429's Retry-After pauses it, as in the client; an unexpected 429 is then sent again. Only the deliberate
// burst goes over the limit: it is sent at once, outside the pacer. The request budget (CONTRACT_MAX_REQUESTS)
// is enforced here, before each request: request n + 1 is never sent.
import { Pacer } from "@gong-engage/client/pacing";
import { describeIssues, type SpecOperation as Operation, parseRetryAfter } from "@gong-engage/spec-model";
import { type Exchanged, exchange } from "./http-exchange.js";
import type { Target } from "./target.js";

export interface Sent {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed with JSON.parse (undefined if it is not JSON). */
  json: unknown;
  /** The body as sent. */
  requestBody: string;
}

export type BodyIntent = "valid" | "invalid" | "malformed";

export interface SendOptions {
  body: unknown;
  /** What the body is meant to be, checked against the spec before sending. */
  intent: BodyIntent;
  /** Authorization header: the target's credentials by default; null sends none. */
  authorization?: string | null;
  prefer?: string;
  /**
   * true (default): wait for a turn under the rate limit, and send again after a 429 (once its Retry-After has
   * passed). false: a burst's request, sent at once and answered as it is, 429 included.
   */
  paced?: boolean;
}

const MAX_429_RETRIES = 5;
/**
 * The longest the suite waits for a turn (a Retry-After, the day's limit): a longer wait fails the request
 * instead, well inside a test's time limit (vitest.config.ts).
 */
const MAX_WAIT_MS = 60_000;

export class BudgetExhausted extends Error {
  override readonly name = "BudgetExhausted";
}

export class Sender {
  private readonly pacer: Pacer;
  requestsSent = 0;
  private readonly byStatus = new Map<number, number>();

  /** `maxRequests`: the budget left for the suite (undefined: none). */
  constructor(
    private readonly target: Target,
    private readonly maxRequests: number | undefined = undefined,
  ) {
    this.pacer = new Pacer({ perSecond: target.ratePerSecond, perDay: target.perDay });
  }

  /** Requests the budget still allows (Infinity without a budget). */
  remaining(): number {
    return this.maxRequests === undefined ? Infinity : Math.max(0, this.maxRequests - this.requestsSent);
  }

  /** Answers received, by status. */
  statuses(): Record<number, number> {
    return Object.fromEntries([...this.byStatus].sort(([a], [b]) => a - b));
  }

  async send(operation: Operation, options: SendOptions): Promise<Sent> {
    const authorization = options.authorization === undefined ? this.target.authorization : options.authorization;
    const requestBody = checkRequest(operation, options, authorization);
    const paced = options.paced !== false;
    for (let attempt = 0; ; attempt++) {
      const sent = await this.once(operation, options, requestBody, authorization, paced);
      if (sent.status === 429) this.pacer.pauseFor(retryAfterMs(sent.headers) / 1000);
      if (sent.status !== 429 || !paced || attempt >= MAX_429_RETRIES) return sent;
    }
  }

  /** After a burst: no paced request starts before the target's rate window takes requests again. */
  cooldown(seconds: number): void {
    this.pacer.pauseFor(seconds + 0.1);
  }

  private async once(operation: Operation, options: SendOptions, requestBody: string, authorization: string | null, paced: boolean): Promise<Sent> {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (authorization !== null) headers.Authorization = authorization;
    if (options.prefer) headers.Prefer = options.prefer;
    if (this.remaining() <= 0) {
      throw new BudgetExhausted(
        `request budget spent: CONTRACT_MAX_REQUESTS allows ${this.maxRequests} requests to the suite and all were sent; this one (${operation.operationId}) was not`,
      );
    }
    const permit = paced ? this.pacer.reserve(MAX_WAIT_MS) : undefined;
    if (permit && !permit.ok) {
      throw new Error(
        `not sent: ${permit.limit} allows the next request (${operation.operationId}) in ${Math.ceil(permit.waitMs / 1000)} s, longer than the suite waits (${MAX_WAIT_MS / 1000} s)`,
      );
    }
    // Counted before the wait for a turn, so that concurrent requests never spend the same place in the budget.
    this.requestsSent++;
    let response: Exchanged;
    try {
      await permit?.ready();
      response = await exchange(`${this.target.baseUrl}${operation.path}`, { method: operation.method, headers, body: requestBody, timeoutMs: 30_000 });
    } finally {
      permit?.answered();
    }
    const { status, headers: answerHeaders, text } = response;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status, headers: answerHeaders, text, json, requestBody };
  }
}

function checkRequest(operation: Operation, options: SendOptions, authorization: string | null): string {
  // Credentials, when sent, use a scheme the spec documents for the operation (Basic, or Bearer for OAuth2).
  if (authorization !== null) {
    const scheme = authorization.split(" ")[0]!.toLowerCase();
    if (!(operation.authSchemes as string[]).includes(scheme)) {
      throw new Error(`suite error: ${scheme} is not a security scheme the spec documents for ${operation.operationId}`);
    }
  }
  if (options.intent === "malformed") {
    const text = String(options.body);
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    if (parses) throw new Error(`suite error: a "malformed" body for ${operation.operationId} is valid JSON: ${text}`);
    return text;
  }
  const issues = operation.validateRequest(options.body);
  const valid = issues.length === 0;
  if (options.intent === "valid" && !valid) {
    throw new Error(`suite error: a body meant to be valid for ${operation.operationId} fails the spec: ${describeIssues(issues)}`);
  }
  if (options.intent === "invalid" && valid) {
    throw new Error(`suite error: a body meant to break the spec for ${operation.operationId} is valid: ${JSON.stringify(options.body)}`);
  }
  return JSON.stringify(options.body);
}

/** The wait a 429's Retry-After asks for, in ms; a second when it says nothing usable. */
export function retryAfterMs(headers: Headers): number {
  return (parseRetryAfter(headers.get("retry-after")) ?? 1) * 1000;
}
