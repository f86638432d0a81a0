// The relay's errors, one class per failure a user acts on differently. The CLI's exit code follows the class:
// RelayUsageError (a flag or option is wrong) exits 2, every other RelayError exits 1. No message ever carries a
// credential: database URLs are redacted, tenant credentials are never put in a message.

export class RelayError extends Error {
  override readonly name: string = "RelayError";
}

/** A flag, option or environment variable is missing or wrong; the message names it and what to do. */
export class RelayUsageError extends RelayError {
  override readonly name = "RelayUsageError";
}

/** The database cannot be reached, or its gong_relay schema is not at the version this relay needs. */
export class RelayDatabaseError extends RelayError {
  override readonly name = "RelayDatabaseError";
}

/** A tenant that is not configured. */
export class UnknownTenantError extends RelayError {
  override readonly name = "UnknownTenantError";
  constructor(readonly tenants: string[]) {
    super(
      `unknown tenant${tenants.length > 1 ? "s" : ""} ${tenants.map((t) => JSON.stringify(t)).join(", ")}: add ${tenants.length > 1 ? "them" : "it"} first (gong-relay tenant add <id> ...); nothing was stored`,
    );
  }
}

/** One problem of one item given to enqueue. */
export interface EnqueueIssue {
  /** The item's position in the batch (0-based). */
  index: number;
  /** The event's field (`recipients[0].email`), or `operation` / `tenant` / `(event)`. */
  field: string;
  problem: string;
}

/** Some items of an enqueue call are not valid; nothing of the call was stored. */
export class EnqueueValidationError extends RelayError {
  override readonly name = "EnqueueValidationError";
  constructor(readonly issues: EnqueueIssue[]) {
    const shown = issues.slice(0, 5).map((i) => `item ${i.index}: ${i.field}: ${i.problem}`);
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
    super(`not enqueued, nothing was stored: ${shown.join("; ")}${more}`);
  }
}

/** A connection string with its password replaced by ***, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unreadable database URL)";
  }
}
