// The validating proxy: `--upstream <base URL>` forwards every request to the real server unchanged (method,
// path, query, headers with the caller's credentials, body bytes), returns the upstream's answer unchanged
// (status, headers, body bytes), and checks the exchange against the spec (exchange-check.ts). Credentials pass
// through and are never logged, journaled or put into a violation.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { checkBaseUrl, parseLossless } from "@gong-engage/spec-model";
import type { Answer } from "./answer.js";
import { BoundedLog } from "./bounded-memory.js";
import { checkExchange, type Finding } from "./exchange-check.js";
import type { Journal } from "./journal.js";
import type { SpecOperation } from "./spec.js";

/** One exchange whose answer departs from the spec (GET /__mock/violations). */
export interface ViolationRecord {
  /** The exchange's number among all proxied exchanges. */
  exchange: number;
  time: string;
  operationId: string;
  method: string;
  path: string;
  status: number;
  /** Gong's requestId of the answer, when it had one. */
  requestId?: string;
  /** What the spec says about the request itself (explains the answer; not the upstream's fault). */
  request: Finding[];
  violations: Finding[];
}

// Hop-by-hop headers belong to one connection, not to the message (RFC 9110 7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"]);
const UPSTREAM_TIMEOUT_MS = 60_000;

export class ValidatingProxy {
  readonly upstream: URL;
  readonly violations: BoundedLog<ViolationRecord>;
  exchanges = 0;

  constructor(upstream: string, limit: number) {
    this.upstream = new URL(checkBaseUrl(upstream, "upstream", { credentialsHint: "the callers' own credentials are passed through" }));
    this.violations = new BoundedLog<ViolationRecord>(limit);
  }

  /** Forwards the request; answers with the upstream's exact bytes. Records any violation of the spec. */
  async forward(req: IncomingMessage, url: URL, body: Buffer | undefined, operation: SpecOperation, journal: Journal): Promise<Answer> {
    const sequence = ++this.exchanges;
    let upstreamAnswer: { status: number; headers: IncomingHttpHeaders; rawHeaders: string[]; body: Buffer };
    try {
      upstreamAnswer = await send(this.upstream, req, url, body ?? Buffer.alloc(0));
    } catch (error) {
      const problem = `upstream ${this.upstream.origin} did not answer: ${(error as Error).message}`;
      this.record({ sequence, operation, req, url, status: 502, request: [], violations: [{ where: "upstream", problem }] });
      const text = JSON.stringify({ errors: [problem] });
      return {
        status: 502,
        headers: { "Content-Type": "application/json" },
        raw: Buffer.from(text),
        via: "upstream unreachable",
        violations: [{ where: "upstream", problem }],
      };
    }
    const findings = checkExchange(operation, { headers: req.headers, body }, upstreamAnswer);
    const requestId = readRequestId(upstreamAnswer.body);
    if (findings.violations.length) {
      this.record({ sequence, operation, req, url, status: upstreamAnswer.status, requestId, ...findings });
    }
    const answer: Answer = {
      status: upstreamAnswer.status,
      headers: upstreamAnswer.rawHeaders,
      raw: upstreamAnswer.body,
      via: "upstream",
      violations: findings.violations,
    };
    if (upstreamAnswer.status === 200 && !findings.request.length) {
      answer.journal = journal.record({
        operationId: operation.operationId,
        endpoint: `${operation.method} ${operation.path}`,
        body: safeParse(body),
        response: (safeParse(upstreamAnswer.body, true) as Record<string, unknown>) ?? {},
        via: "upstream",
      });
    }
    return answer;
  }

  private record(entry: {
    sequence: number;
    operation: SpecOperation;
    req: IncomingMessage;
    url: URL;
    status: number;
    requestId?: string | undefined;
    request: Finding[];
    violations: Finding[];
  }): void {
    this.violations.push({
      exchange: entry.sequence,
      time: new Date().toISOString(),
      operationId: entry.operation.operationId,
      method: entry.req.method ?? "",
      path: entry.url.pathname,
      status: entry.status,
      ...(entry.requestId ? { requestId: entry.requestId } : {}),
      request: entry.request,
      violations: entry.violations,
    });
  }
}

function send(
  upstream: URL,
  req: IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }> {
  const headers: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1]!);
  }
  headers.push("Host", upstream.host);
  const target = new URL(upstream.pathname.replace(/\/+$/, "") + url.pathname + url.search, upstream.origin);
  const requestFn = upstream.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = requestFn(
      target,
      { method: req.method, headers: headers as unknown as Record<string, string>, timeout: UPSTREAM_TIMEOUT_MS },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const rawHeaders: string[] = [];
          for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
            const name = incoming.rawHeaders[i]!;
            if (!HOP_BY_HOP.has(name.toLowerCase()) && name.toLowerCase() !== "content-length") rawHeaders.push(name, incoming.rawHeaders[i + 1]!);
          }
          resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, rawHeaders, body: Buffer.concat(chunks) });
        });
        incoming.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${UPSTREAM_TIMEOUT_MS / 1000} s`)));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function readRequestId(body: Buffer): string | undefined {
  const id = (safeParse(body) as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" ? id : undefined;
}

function safeParse(body: Buffer | undefined, exactIntegers = false): unknown {
  try {
    const text = body?.toString("utf8") ?? "";
    return exactIntegers ? parseLossless(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
}
