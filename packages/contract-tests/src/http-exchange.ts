// One HTTP request and its answer, the body read as text, over node:http / node:https. The suite's sender (and
// the tests that ask the mock about thousands of bodies) use it instead of fetch: on Node 20, fetch (undici)
// spends several times the CPU of node:http per request on loopback (measure: bench/exchange.mjs), and the
// self-checks send thousands. Nothing of fetch's is wanted here: a 3xx is an answer (the spec documents none, so
// the check reports it) rather than a redirect to follow, and no compression is asked for, so the body is the
// bytes the server wrote.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange fails after this long (an AbortSignal.timeout, as fetch's signal was). */
  timeoutMs: number;
}

export interface Exchanged {
  status: number;
  headers: Headers;
  text: string;
}

export function exchange(url: string, init: ExchangeRequest): Promise<Exchanged> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: init.method,
        headers: body ? { ...init.headers, "Content-Length": String(body.length) } : init.headers,
        signal: AbortSignal.timeout(init.timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        // An answer cut off (the timeout, a reset) ends in "error" here ("aborted"), never in a wait.
        response.on("error", reject);
        response.on("end", () => {
          const headers = new Headers();
          const raw = response.rawHeaders;
          for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
          resolve({ status: response.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
