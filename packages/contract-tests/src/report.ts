// The report a reviewer reads: the coverage table (operation x status: how it was elicited, which checks
// passed), the requests sent by status against the plan and the budget, and the tag and event-id prefix of
// the events the run left in the target. Printed, written as Markdown to CONTRACT_REPORT when asked
// and appended to $GITHUB_STEP_SUMMARY when set.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Coverage } from "./coverage.js";

export interface RunSummary {
  profile: string;
  target: string;
  planned: number;
  sent: number;
  maxRequests: number | undefined;
  statuses: Record<number, number>;
  /** The value written into the other fields of the duplicate key (taggedFields). */
  tag: string;
  taggedFields: string[];
  eventIdFields: string[];
  eventIdPrefix: string;
  seconds: number;
}

export function markdownReport(coverage: Coverage, run: RunSummary): string {
  const rows = coverage.table().map(({ operationId, status, result }) => {
    if (result?.state === "checked") return `| ${operationId} | ${status} | ✅ checked | ${[...result.how].join("; ")} | ${[...result.checks].join(", ")} |`;
    if (result?.state === "skipped") return `| ${operationId} | ${status} | ⏭️ skipped | ${result.reason} | |`;
    return `| ${operationId} | ${status} | ❌ missing | no test elicited and checked it | |`;
  });
  const gaps = coverage.gaps();
  const statuses =
    Object.entries(run.statuses)
      .map(([status, n]) => `${status}: ${n}`)
      .join(", ") || "none";
  return [
    `## Contract suite: ${run.profile} profile against ${run.target}`,
    "",
    gaps.length
      ? `**${gaps.length} documented pair(s) not covered:** ${gaps.join(", ")}`
      : "Every documented (operation, status) pair was elicited and checked, or skipped with a reason.",
    "",
    "| operation | status | result | elicited by | checks passed |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `Requests: ${run.sent} sent of ${run.planned} planned${run.maxRequests !== undefined ? `, budget ${run.maxRequests}` : ""} (answers by status: ${statuses}), in ${run.seconds.toFixed(1)} s.`,
    "",
    `Events the run reported are tagged ${run.taggedFields.map((field) => `\`${field}: "${run.tag}"\``).join(", ")}${run.taggedFields.length ? " " : ""}with ${run.eventIdFields.map((field) => `\`${field}\``).join("/")}s starting \`${run.eventIdPrefix}\`.`,
    "",
  ].join("\n");
}

/** Writes the report where it was asked for; returns where it went. */
export function writeReport(markdown: string, file: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const written: string[] = [];
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, markdown);
    written.push(file);
  }
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
    written.push("$GITHUB_STEP_SUMMARY");
  }
  return written;
}
