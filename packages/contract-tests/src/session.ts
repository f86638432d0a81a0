// One run of the suite against one target: the plan, the target, the paced sender, the coverage and the run's
// event ids, made from a resolved configuration and a loaded spec model. The vitest file (test/contract/) and the
// in-process runner (run-profile.ts) both start their runs here, so they run the same suite the same way.

import type { SpecModel, SpecOperation } from "@gong-engage/spec-model";
import type { Config } from "./config.js";
import { Coverage } from "./coverage.js";
import { formatPlan, overBudget, type Plan, planFor } from "./plan.js";
import { markdownReport } from "./report.js";
import { Sender } from "./sender.js";
import { SUITE_TAG, type SuiteContext, type SuiteDefinition, suiteFor, tagEvent } from "./suites.js";
import { openTarget } from "./target.js";

export interface Session {
  plan: Plan;
  suite: SuiteDefinition;
  coverage: Coverage;
  eventIdPrefix: string;
  /** Opens the target (after checking the plan against the budget: over it, nothing is opened or sent). */
  open(): Promise<SuiteContext>;
  /** The closing lines and the Markdown report; closes the target. */
  finish(): Promise<{ summary: string; markdown: string | undefined }>;
}

export function createSession(config: Config, model: SpecModel, log: (line: string) => void): Session {
  const suite = suiteFor(config, model);
  const plan = planFor(config, model, config.preflightRequests, suite);
  const coverage = new Coverage(model.operations);
  const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const eventIdPrefix = `ct-${runId}-`;
  const started = performance.now();
  let eventCounter = 0;
  let context: SuiteContext | undefined;
  const states = new Map<string, Map<string, unknown>>();
  const sentInAll = () => (context?.sender.requestsSent ?? 0) + config.preflightRequests;

  return {
    plan,
    suite,
    coverage,
    eventIdPrefix,
    async open() {
      log(formatPlan(plan, config.maxRequests));
      const over = overBudget(config, model, plan);
      if (over) throw new Error(over); // before the target is opened: not one request
      const target = await openTarget(config, model);
      const budget = config.maxRequests === undefined ? undefined : config.maxRequests - config.preflightRequests;
      context = {
        config,
        model,
        target,
        sender: new Sender(target, budget),
        coverage,
        tagged: (op: SpecOperation, body: unknown) => tagEvent(model, op, body, `${eventIdPrefix}${++eventCounter}`),
        state: (op: SpecOperation) => states.get(op.operationId) ?? states.set(op.operationId, new Map()).get(op.operationId)!,
        log,
      };
      log(`contract suite: ${config.profile} profile; target ${target.label}; pace ${target.ratePerSecond} req/s; seed ${config.seed}`);
      return context;
    },
    async finish() {
      if (!context) return { summary: "", markdown: undefined };
      const { sender, target } = context;
      const tagged = [...new Set(model.operations.flatMap((op) => op.event.duplicateKey.filter((field) => field !== op.event.eventIdField)))];
      const eventIdFields = [...new Set(model.operations.flatMap((op) => (op.event.eventIdField ? [op.event.eventIdField] : [])))];
      const markdown = markdownReport(coverage, {
        profile: config.profile,
        target: target.label,
        planned: plan.total,
        sent: sentInAll(),
        maxRequests: config.maxRequests,
        statuses: sender.statuses(),
        tag: SUITE_TAG,
        taggedFields: tagged,
        eventIdFields,
        eventIdPrefix,
        seconds: (performance.now() - started) / 1000,
      });
      await target.close();
      const summary =
        `contract suite: ${sentInAll()} requests sent of ${plan.total} planned` +
        `${config.maxRequests !== undefined ? ` (budget ${config.maxRequests})` : ""}; answers by status ${JSON.stringify(sender.statuses())}\n` +
        `contract suite: events tagged ${tagged.map((f) => `${f} "${SUITE_TAG}"`).join(", ")}${tagged.length ? ", " : ""}` +
        `${eventIdFields.join("/")} prefix "${eventIdPrefix}"`;
      return { summary, markdown };
    },
  };
}

/** "n of m planned requests sent, s" (the progress line). */
export function progressLine(session: Session, context: SuiteContext | undefined, config: Config, started: number): string {
  const sent = (context?.sender.requestsSent ?? 0) + config.preflightRequests;
  return `contract suite: ${sent} of ${session.plan.total} planned requests sent, ${((performance.now() - started) / 1000).toFixed(0)} s`;
}
