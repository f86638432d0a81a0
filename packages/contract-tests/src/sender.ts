// Sends the suite's requests. Every request is first checked against the spec (method and path of a documented
// operation; a body the request schema accepts, or, for a negative test, one it rejects), so the suite cannot
// drift from the spec. Requests are paced under the target's rate limit, and an unexpected 429 is retried after
// its Retry-After: only the deliberate burst goes over the limit.
import { describeErrors, type Operation } from "./spec-model.js";
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

export class Sender {
  private nextSlot = 0;
  requestsSent = 0;

  constructor(private readonly target: Target) {}

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
  }

  private async once(operation: Operation, options: SendOptions, requestBody: string, authorization: string | null): Promise<Sent> {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (authorization !== null) headers.Authorization = authorization;
    if (options.prefer) headers.Prefer = options.prefer;
    this.requestsSent++;
    const response = await fetch(`${this.target.baseUrl}${operation.path}`, {
      method: operation.method,
      headers,
      body: requestBody,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json, requestBody };
  }

  private async slot(): Promise<void> {
    const interval = 1000 / this.target.ratePerSecond;
    const now = performance.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + interval;
    if (at > now) await sleep(at - now);
  }
}

function checkRequest(operation: Operation, options: SendOptions, authorization: string | null): string {
  // Credentials, when sent, use a scheme the spec documents for the operation (Basic, or Bearer for OAuth2).
  if (authorization !== null) {
    const documented = operation.security.map((s) => (s.type === "oauth2" ? "bearer" : String(s.scheme).toLowerCase()));
    const scheme = authorization.split(" ")[0]!.toLowerCase();
    if (!documented.includes(scheme)) {
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
  const valid = operation.validateRequest(options.body);
  if (options.intent === "valid" && !valid) {
    throw new Error(`suite error: a body meant to be valid for ${operation.operationId} fails the spec: ${describeErrors(operation.validateRequest.errors)}`);
  }
  if (options.intent === "invalid" && valid) {
    throw new Error(`suite error: a body meant to break the spec for ${operation.operationId} is valid: ${JSON.stringify(options.body)}`);
  }
  return JSON.stringify(options.body);
}

export function retryAfterMs(headers: Headers): number {
  const value = headers.get("retry-after");
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : 1000;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
