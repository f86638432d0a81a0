// `gong-relay enqueue --file events.ndjson` (or stdin): one event per line, read as a stream (backpressure:
// memory stays at one batch however long the file), enqueued in batches, each line checked on its own: a bad
// line is reported with its number and the field, and the others are stored.
import type { Readable } from "node:stream";
import { enqueueOwn, prepareOne } from "./enqueue.js";
import type { EnqueueIssue } from "./errors.js";
import type { Relay } from "./relay.js";

export interface NdjsonCounts {
  lines: number;
  stored: number;
  duplicates: number;
  refused: number;
}

export interface NdjsonOptions {
  tenant: string;
  operation: string;
  /** Lines per insert. @default 500 */
  batchSize?: number;
  onRefused?: (line: number, problems: string) => void;
  onProgress?: (counts: NdjsonCounts) => void;
}

export async function enqueueNdjson(relay: Relay, input: Readable, options: NdjsonOptions): Promise<NdjsonCounts> {
  const batchSize = options.batchSize ?? 500;
  const counts: NdjsonCounts = { lines: 0, stored: 0, duplicates: 0, refused: 0 };
  let batch: NonNullable<ReturnType<typeof prepareOne>>[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const result = await enqueueOwn(relay.pool, batch);
    counts.stored += result.stored;
    counts.duplicates += result.duplicates;
    batch = [];
    options.onProgress?.(counts);
  };
  const handle = async (text: string) => {
    counts.lines++;
    if (text.trim() === "") return;
    const issues: EnqueueIssue[] = [];
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      counts.refused++;
      options.onRefused?.(counts.lines, `not JSON (${(error as Error).message})`);
      return;
    }
    const row = prepareOne(relay.spec, { tenant: options.tenant, operation: options.operation, event: event as Record<string, unknown> }, counts.lines, issues);
    if (!row) {
      counts.refused++;
      options.onRefused?.(counts.lines, issues.map((i) => `${i.field}: ${i.problem}`).join("; "));
      return;
    }
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  };
  let rest = "";
  // One decoder for the whole stream: a character split across two chunks is joined, not mangled to U+FFFD.
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of input) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) await handle(line.replace(/\r$/, ""));
  }
  rest += decoder.decode();
  if (rest !== "") await handle(rest.replace(/\r$/, ""));
  await flush();
  return counts;
}
