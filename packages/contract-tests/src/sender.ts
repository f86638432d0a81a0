// Sends the suite's requests. Every request is first checked against the spec (method and path of a documented
// operation; a body the request schema accepts, or, for a negative test, one it rejects), so the suite cannot
// drift from the spec. Requests are paced under the target's rate limit, and an unexpected 429 is retried after
// its Retry-After: only the deliberate burst goes over the limit. The request budget (CONTRACT_MAX_REQUESTS)
// is enforced here, before each request: request n + 1 is never sent.
// The pacing is still the suite's own (paced on answers, like the client's): @gong-engage/client does not
// export its Pacer, which the suite should share once it does.
import { describeIssues, type SpecOperation as Operation, parseRetryAfter } from "@gong-engage/spec-model";
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
  /** Wait for a slot under the rate limit (default true). */
  paced?: boolean;
  /** Retry an unexpected 429 after Retry-After (default true). */
  retryOn429?: boolean;
}

const MAX_429_RETRIES = 5;
// The server's one-second window starts when a request arrives; a little slack keeps a paced 4th request out of it.
const PACE_SLACK = 1.03;

export class BudgetExhausted extends Error {
  override readonly name = "BudgetExhausted";
}

export class Sender {
  private nextSlot = 0;
  /** When the recent answers came (performance.now()), oldest first: the server counted each by then. */
  private readonly answeredAt: number[] = [];
  requestsSent = 0;
  private readonly byStatus = new Map<number, number>();

  /** `maxRequests`: the budget left for the suite (undefined: none). */
  constructor(
    private readonly target: Target,
    private readonly maxRequests: number | undefined = undefined,
  ) {}

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
    for (let attempt = 0; ; attempt++) {
      if (options.paced !== false) await this.slot();
      const sent = await this.once(operation, options, requestBody, authorization);
      if (sent.status !== 429 || options.retryOn429 === false || attempt >= MAX_429_RETRIES) return sent;
      await sleep(retryAfterMs(sent.headers));
    }
  }

  /** Waits until the target's rate window would take a request again. */
  async cooldown(seconds: number): Promise<void> {
    await sleep(seconds * 1000 + 100);
    this.nextSlot = 0;
    this.answeredAt.length = 0;
  }

  private async once(operation: Operation, options: SendOptions, requestBody: string, authorization: string | null): Promise<Sent> {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (authorization !== null) headers.Authorization = authorization;
    if (options.prefer) headers.Prefer = options.prefer;
    if (this.remaining() <= 0) {
      throw new BudgetExhausted(
        `request budget spent: CONTRACT_MAX_REQUESTS allows ${this.maxRequests} requests to the suite and all were sent; this one (${operation.operationId}) was not`,
      );
    }
    this.requestsSent++;
    const response = await fetch(`${this.target.baseUrl}${operation.path}`, {
      method: operation.method,
      headers,
      body: requestBody,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    this.answeredAt.push(performance.now());
    if (this.answeredAt.length > 100) this.answeredAt.shift();
    this.byStatus.set(response.status, (this.byStatus.get(response.status) ?? 0) + 1);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json, requestBody };
  }

  private async slot(): Promise<void> {
    const interval = (1000 / this.target.ratePerSecond) * PACE_SLACK;
    const now = performance.now();
    let at = Math.max(now, this.nextSlot);
    // At most `perWindow` requests in any second as the server counts them (on arrival, which is before its
    // answer): the next one goes a full second after the answer to the one `perWindow` requests earlier.
    const perWindow = Math.floor(this.target.ratePerSecond);
    if (perWindow >= 1 && this.answeredAt.length >= perWindow) at = Math.max(at, this.answeredAt[this.answeredAt.length - perWindow]! + 1000);
    this.nextSlot = at + interval;
    if (at > now) await sleep(at - now);
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
