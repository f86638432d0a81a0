// The request journal: the events the mock accepted (GET /__mock/events), oldest first, bounded.
import { BoundedLog } from "./bounded-memory.js";

export interface JournalEntry {
  /** 1, 2, 3, ... in the order the events were accepted. */
  sequence: number;
  operationId: string;
  /** The operation's method and path, e.g. "POST /things" */
  endpoint: string;
  /** When the event was accepted, ISO 8601. */
  time: string;
  /** The event as sent. */
  body: unknown;
  /** The body of the 200 that accepted it (Gong's id of the event, where the operation has one, as a bigint). */
  response: Record<string, unknown>;
  /** True when a drop-response fault reset the connection instead of answering: the caller never saw the 200. */
  responseDropped?: boolean;
  /** The fault that changed the answer the caller saw (e.g. "status:503,after-processing", "delay:2000"). */
  fault?: string;
  /** OAuth: the customer company whose token sent the event (oauth-server.ts). */
  company?: string;
  /** Set in proxy mode: the upstream accepted the event. */
  via?: "upstream";
}

export class Journal extends BoundedLog<JournalEntry> {
  private sequence = 0;

  /** Adds an accepted event, numbered in order. */
  record(entry: Omit<JournalEntry, "sequence" | "time">): JournalEntry {
    const full: JournalEntry = { sequence: ++this.sequence, time: new Date().toISOString(), ...entry };
    this.push(full);
    return full;
  }

  override clear(): void {
    super.clear();
    this.sequence = 0;
  }
}
