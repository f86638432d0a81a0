// The shapes the spec model hands out. A leaf module: it imports nothing at run time, so both entry points
// (and every package) can share these types without an import cycle.

/** One problem with a value by the spec: `field` is a JSON-pointer-ish path ("/person/email"), "(body)" for the root. */
export interface ValidationIssue {
  field: string;
  problem: string;
}

/**
 * Gong's per-operation event rule, read from the operation's `x-gong-event` extension (see spec/README.md,
 * "Vendor extensions"). Which fields identify a duplicate and the scope they share are our reading of Gong's
 * "Event was already reported in the past".
 */
export interface GongEventRule {
  /** The request field that is the sender's own id for the event, if the operation has one. */
  eventIdField?: string;
  /** The request fields whose values identify an event for Gong's 409. */
  duplicateKey: string[];
  /** Operations with the same scope share one key space. */
  duplicateKeyScope: string;
  /** The 200 body field that is Gong's id for the accepted event (an exact int64), if Gong returns one. */
  resultIdField?: string;
}

/** Gong's rate limits per company credential, from the spec's root `x-gong-rate-limits`. */
export interface RateLimits {
  perSecond: number;
  perDay: number;
}
