// The plan: how many requests each test of the profile will send, and the total, printed before anything is
// sent; and the budget check (CONTRACT_MAX_REQUESTS): a plan over the budget fails at once, saying by how much
// and what would fit.

import type { SpecModel } from "@gong-engage/spec-model";
import { type Config, DEFAULT_RUNS } from "./config.js";
import { type SuiteDefinition, suiteFor } from "./suites.js";

export interface Plan {
  profile: Config["profile"];
  rows: Array<{ test: string; requests: number }>;
  /** Requests the CLI's preflight sends (counted in the total). */
  preflight: number;
  total: number;
}

/** The plan of `config`'s profile for the operations of `model` (of `suite`, when the caller has built it already). */
export function planFor(config: Config, model: SpecModel, preflight = config.preflightRequests, suite: SuiteDefinition = suiteFor(config, model)): Plan {
  const rows = [
    ...(preflight ? [{ test: "preflight: is the server there, and is it this API? (no credentials: 401 expected)", requests: preflight }] : []),
    ...suite.perOperation.flatMap(({ operation, tests }) =>
      tests.map((t) => ({ test: `${operation.operationId}: ${t.name}${t.skip ? ` (skipped: ${t.skip.reason})` : ""}`, requests: t.planned })),
    ),
    ...suite.shared.map((t) => ({ test: t.name, requests: t.planned })),
  ];
  return { profile: config.profile, rows, preflight, total: rows.reduce((sum, row) => sum + row.requests, 0) };
}

export function formatPlan(plan: Plan, maxRequests: number | undefined): string {
  const width = Math.max(...plan.rows.map((r) => r.test.length));
  return [
    `contract suite plan (${plan.profile} profile): ${plan.total} requests${maxRequests !== undefined ? ` (budget ${maxRequests})` : ""}`,
    ...plan.rows.map((row) => `  ${String(row.requests).padStart(4)}  ${row.test.padEnd(width)}`),
  ].join("\n");
}

/** Undefined when the plan fits the budget; otherwise what is wrong and what would fit, in one line. */
export function overBudget(config: Config, model: SpecModel, plan: Plan = planFor(config, model)): string | undefined {
  const max = config.maxRequests;
  if (max === undefined || plan.total <= max) return undefined;
  const fits: string[] = [];
  if (config.profile === "full") {
    const smoke = planFor({ ...config, profile: "smoke" }, model, plan.preflight).total;
    if (smoke <= max) fits.push(`--profile smoke (${smoke} requests)`);
    // The full plan grows by 2 requests per run per operation (generated valid and one-rule-broken bodies).
    const perRun = planFor({ ...config, runs: 2 }, model).total - planFor({ ...config, runs: 1 }, model).total;
    const fixed = plan.total - perRun * config.runs;
    const runs = Math.floor((max - fixed) / perRun);
    if (runs >= 1) fits.push(`CONTRACT_RUNS=${runs} (--runs ${runs}; ${fixed + perRun * runs} requests; default ${DEFAULT_RUNS})`);
  }
  const advice = fits.length ? `; would fit: ${fits.join(", or ")}` : `; no profile fits: raise CONTRACT_MAX_REQUESTS to at least ${plan.total}`;
  return `the ${plan.profile} plan needs ${plan.total} requests, ${plan.total - max} over CONTRACT_MAX_REQUESTS=${max}; nothing was sent${advice}`;
}
