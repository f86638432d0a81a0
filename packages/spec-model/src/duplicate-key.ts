// Gong's duplicate rule applied to an event: the key two events share when Gong would answer the second with 409.
import type { GongEventRule } from "./types.js";

/**
 * The duplicate key of `event` under `rule`: the scope and the values of the rule's fields, as one string
 * (equal strings = duplicates). Undefined when a key field is absent or null: such an event is never recognised
 * as a duplicate (the legacy operations' eventId is optional, and Gong matches only events that carry it).
 */
export function duplicateKeyOf(event: unknown, rule: Pick<GongEventRule, "duplicateKey" | "duplicateKeyScope">): string | undefined {
  if (!event || typeof event !== "object") return undefined;
  const values: unknown[] = [];
  for (const field of rule.duplicateKey) {
    const value = (event as Record<string, unknown>)[field];
    if (value === undefined || value === null) return undefined;
    values.push(typeof value === "bigint" ? value.toString() : value);
  }
  return JSON.stringify([rule.duplicateKeyScope, ...values]);
}
