// What a stage of the mock answers, and how it goes on the wire. An Answer is a status, headers and a JSON body
// (written with lossless-json, so a bigint id stays an exact JSON integer), or exact bytes (the
// proxy's upstream answer, a load balancer's HTML page).
import type { IncomingMessage, ServerResponse } from "node:http";
import { stringify } from "lossless-json";
import { newRequestId } from "./ids.js";
import type { JournalEntry } from "./journal.js";

export interface Answer {
  status: number;
  /** Headers as written; for `raw` answers, the upstream's raw header list (name, value, name, value, ...). */
  headers: Record<string, string> | string[];
  /** The JSON body, or undefined for `raw`. */
  body?: unknown;
  /** Exact bytes to send instead of `body`. */
  raw?: Buffer;
  /** The accepted event this answer belongs to (faults mark it in the journal). */
  journal?: JournalEntry;
  /** Where the answer came from, for the log line: "" for the mock, "upstream" for the proxy. */
  via?: string;
  /** Proxy mode: where the upstream's answer departs from the spec (printed with the request's log line). */
  violations?: Array<{ where: string; problem: string }>;
}

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Gong's error body: a fresh requestId and one message per problem. */
export function errorAnswer(status: number, errors: string[], headers: Record<string, string> = {}): Answer {
  return { status, headers, body: { requestId: newRequestId(), errors } };
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers, body };
}

/** The bytes of an answer's body. */
export function bodyBytes(answer: Answer): Buffer {
  if (answer.raw) return answer.raw;
  return Buffer.from(stringify(answer.body) ?? "", "utf8");
}

/** Writes the status line and headers; the body follows with `res.end(bodyBytes(answer))`. */
export function writeHead(res: ServerResponse, answer: Answer, length: number): void {
  if (Array.isArray(answer.headers)) {
    res.writeHead(answer.status, [...answer.headers, "Content-Length", String(length)]);
    return;
  }
  const headers: Record<string, string> = {};
  let contentType = "application/json";
  for (const [name, value] of Object.entries(answer.headers)) {
    if (/^content-type$/i.test(name)) contentType = value;
    else if (!/^content-length$/i.test(name)) headers[name] = value;
  }
  res.writeHead(answer.status, { ...headers, "Content-Type": contentType, "Content-Length": length });
}

export function write(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const bytes = bodyBytes(answer);
  writeHead(res, answer, bytes.length);
  res.end(bytes);
}

/** The request body, or undefined when it is larger than MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
