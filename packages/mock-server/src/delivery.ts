// How an answer reaches the caller, with the fault of the request (see faults.ts) applied: as is; not at all
// (the connection is reset, before or after the event was processed); late (the whole answer, or only the
// body); or replaced by a 5xx. Returns what happened, for the log line.
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type Answer, bodyBytes, errorAnswer, write, writeHead } from "./answer.js";
import type { Fault } from "./faults.js";
import type { SpecOperation } from "./spec.js";

/** A fault that strikes before the event is processed: reset-before, or status:NNN without after-processing. */
export function deliverFaultBefore(res: ServerResponse, fault: Fault, operation: SpecOperation): string {
  if (fault.kind === "reset-before") {
    reset(res);
    return "connection reset before processing (fault reset-before)";
  }
  const answer = faultStatusAnswer(fault.value, operation);
  write(res, answer);
  return `${answer.status} (fault ${fault.label}, not processed)`;
}

/** The answer of a processed request, with the request's fault applied. */
export async function deliver(res: ServerResponse, answer: Answer, fault: Fault | undefined, operation: SpecOperation): Promise<string> {
  const via = answer.via ? ` (${answer.via})` : "";
  switch (fault?.kind) {
    case undefined:
      write(res, answer);
      return `${answer.status}${via}`;
    case "drop-response":
      if (answer.journal) answer.journal.responseDropped = true;
      reset(res);
      return `${answer.status}${via} dropped: connection reset instead of answering (fault drop-response${answer.journal ? ", event recorded" : ""})`;
    case "delay":
      if (answer.journal) answer.journal.fault = fault.label;
      await sleep(fault.value);
      write(res, answer);
      return `${answer.status}${via} after ${fault.value} ms (fault ${fault.label})`;
    case "delay-body": {
      if (answer.journal) answer.journal.fault = fault.label;
      const bytes = bodyBytes(answer);
      writeHead(res, answer, bytes.length);
      res.flushHeaders();
      await sleep(fault.value);
      if (!res.destroyed) res.end(bytes);
      return `${answer.status}${via}, body after ${fault.value} ms (fault ${fault.label})`;
    }
    case "status": {
      if (answer.journal) answer.journal.fault = fault.label;
      write(res, faultStatusAnswer(fault.value, operation));
      return `${fault.value} instead of ${answer.status}${via} (fault ${fault.label}, after processing)`;
    }
    case "reset-before":
      reset(res);
      return "connection reset (fault reset-before)";
  }
}

/**
 * A 5xx as the caller would get it: the spec's error body where the spec documents the status (500), otherwise
 * what a load balancer in front of Gong answers (an HTML page, no requestId).
 */
export function faultStatusAnswer(status: number, operation: SpecOperation): Answer {
  const documented = operation.responses.get(status);
  if (documented) return errorAnswer(status, [documented.message]);
  const reason = { 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" }[status] ?? "Server Error";
  const page = `<html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1></body></html>\n`;
  return { status, headers: { "Content-Type": "text/html" }, raw: Buffer.from(page) };
}

/** Resets the connection (TCP RST where the platform allows), as a crashed or overloaded server does. */
function reset(res: ServerResponse): void {
  const socket = res.socket as (NonNullable<ServerResponse["socket"]> & { resetAndDestroy?: () => void }) | null;
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}
