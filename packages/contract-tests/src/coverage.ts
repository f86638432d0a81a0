// Which (operation, documented status) pairs the suite has elicited and checked. The list of pairs comes from
// the spec, so a status added to the spec without a test shows up as a gap and fails the run.
import type { SpecOperation } from "@gong-engage/spec-model";

export type PairState = { state: "checked"; how: Set<string>; checks: Set<string> } | { state: "skipped"; reason: string };

export class Coverage {
  private readonly pairs = new Map<string, PairState>();

  /** `operations`: the operations of the spec the suite runs (their documented statuses are the pairs). */
  constructor(private readonly operations: SpecOperation[]) {}

  record(operationId: string, status: number, how: string, checks: string[]): void {
    const key = `${operationId} ${status}`;
    const existing = this.pairs.get(key);
    if (existing?.state === "checked") {
      existing.how.add(how);
      for (const c of checks) existing.checks.add(c);
    } else {
      this.pairs.set(key, { state: "checked", how: new Set([how]), checks: new Set(checks) });
    }
  }

  skip(operationId: string, status: number, reason: string): void {
    const key = `${operationId} ${status}`;
    if (this.pairs.get(key)?.state !== "checked") this.pairs.set(key, { state: "skipped", reason });
  }

  /** Every documented pair, with what happened to it. */
  table(): Array<{ operationId: string; status: number; result: PairState | undefined }> {
    return this.operations.flatMap((op) =>
      op.statuses.map((status) => ({
        operationId: op.operationId,
        status,
        result: this.pairs.get(`${op.operationId} ${status}`),
      })),
    );
  }

  format(): string {
    const rows = this.table().map(({ operationId, status, result }) => {
      const what =
        result?.state === "checked"
          ? `checked  by ${[...result.how].join("; ")}; checks: ${[...result.checks].join(", ")}`
          : result?.state === "skipped"
            ? `SKIPPED  ${result.reason}`
            : "MISSING  no test elicits and checks it";
      return `  ${operationId.padEnd(Math.max(22, ...this.operations.map((op) => op.operationId.length)))} ${String(status).padEnd(4)} ${what}`;
    });
    return ["contract coverage (operation, documented status):", ...rows].join("\n");
  }

  gaps(): string[] {
    return this.table()
      .filter(({ result }) => !result)
      .map(({ operationId, status }) => `${operationId} ${status}`);
  }
}
