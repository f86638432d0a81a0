// The contract suite: does this server implement the spec? The steps: read the configuration, print the plan
// (and stop if it is over the request budget), open the target, run the profile's tests (src/suites.ts), check
// that every documented (operation, status) pair was elicited and checked, then print and write the report.
// Against the project's mock by default, or any server with CONTRACT_BASE_URL (see the README).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { Coverage } from "../../src/coverage.js";
import { formatPlan, overBudget, planFor } from "../../src/plan.js";
import { markdownReport, writeReport } from "../../src/report.js";
import { Sender } from "../../src/sender.js";
import { REPORTING_SYSTEM, suiteFor, type SuiteContext } from "../../src/suites.js";
import { openTarget } from "../../src/target.js";

const config = readConfig();
const plan = planFor(config);
const suite = suiteFor(config);
const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const eventIdPrefix = `ct-${runId}-`;
let eventCounter = 0;
const coverage = new Coverage();
const started = performance.now();
let progress: NodeJS.Timeout | undefined;
let context: SuiteContext | undefined;

beforeAll(async () => {
  console.log(formatPlan(plan, config.maxRequests));
  const over = overBudget(config, plan);
  if (over) throw new Error(over); // before the target is opened: not one request
  const target = await openTarget(config);
  const budget = config.maxRequests === undefined ? undefined : config.maxRequests - config.preflightRequests;
  const sender = new Sender(target, budget);
  context = {
    config,
    target,
    sender,
    coverage,
    tagged: (body) => ({ ...body, reportingSystem: REPORTING_SYSTEM, eventId: `${eventIdPrefix}${++eventCounter}` }),
    state: new Map(),
  };
  console.log(`contract suite: ${config.profile} profile; target ${target.label}; pace ${target.ratePerSecond} req/s; seed ${config.seed}`);
  if (config.progress) {
    progress = setInterval(() => {
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`contract suite: ${sender.requestsSent + config.preflightRequests} of ${plan.total} planned requests sent, ${seconds} s`);
    }, 10_000);
    progress.unref();
  }
});

afterAll(async () => {
  clearInterval(progress);
  if (!context) return;
  const { sender, target } = context;
  const markdown = markdownReport(coverage, {
    profile: config.profile,
    target: target.label,
    planned: plan.total,
    sent: sender.requestsSent + config.preflightRequests,
    maxRequests: config.maxRequests,
    statuses: sender.statuses(),
    reportingSystem: REPORTING_SYSTEM,
    eventIdPrefix,
    seconds: (performance.now() - started) / 1000,
  });
  const written = writeReport(markdown, config.report);
  console.log(
    `contract suite: ${sender.requestsSent + config.preflightRequests} requests sent of ${plan.total} planned` +
      `${config.maxRequests !== undefined ? ` (budget ${config.maxRequests})` : ""}; answers by status ${JSON.stringify(sender.statuses())}\n` +
      `contract suite: events tagged reportingSystem "${REPORTING_SYSTEM}", eventId prefix "${eventIdPrefix}"` +
      (written.length ? `\ncontract suite: report written to ${written.join(" and ")}` : ""),
  );
  await target.close();
});

const ready = (): SuiteContext => {
  if (!context) throw new Error("the suite did not start (see the error of beforeAll)");
  return context;
};

for (const { operation, tests } of suite.perOperation) {
  describe(`${operation.operationId} (${operation.method} ${operation.path})`, () => {
    for (const test of tests) {
      if (test.skip) {
        it.skip(`${test.name}: ${test.skip.reason}`, () => {});
        for (const status of test.skip.statuses) coverage.skip(operation.operationId, status, test.skip.reason);
        continue;
      }
      it(test.name, () => test.run(ready()), test.timeoutMs);
    }
  });
}

if (suite.shared.length) {
  describe("all operations", () => {
    for (const test of suite.shared) it(test.name, () => test.run(ready()), test.timeoutMs);
  });
}

describe("coverage", () => {
  it("every documented (operation, status) pair is elicited and checked", () => {
    console.log(coverage.format());
    const gaps = coverage.gaps();
    expect(gaps, `no test elicits and checks: ${gaps.join(", ")}`).toEqual([]);
  });
});
