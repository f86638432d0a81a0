// The suite run in-process, without vitest's runner: the same session and the same test definitions as
// test/contract/, each test run in order, failures collected instead of reported. For code that runs the suite
// many times and looks at the outcome (this package's self-checks: 2 stand-ins and 11 defective servers, in both
// profiles, concurrently); users run the suite through gong-contract / runSuite.

import type { SpecModel } from "@gong-engage/spec-model";
import type { Config } from "./config.js";
import type { Coverage } from "./coverage.js";
import { createSession } from "./session.js";

export interface ProfileResult {
  /** Every test passed and every documented (operation, status) pair was elicited and checked, or skipped. */
  passed: boolean;
  /** "operation: test name: message", one per failed test. */
  failures: string[];
  coverage: Coverage;
  planned: number;
  /** Requests sent, preflight included. */
  sent: number;
  /** What the suite printed (plan, notes, summary). */
  output: string[];
}

export async function runProfile(config: Config, model: SpecModel): Promise<ProfileResult> {
  const output: string[] = [];
  const log = (line: string) => output.push(line);
  const session = createSession(config, model, log);
  const failures: string[] = [];
  const attempt = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  };
  let sent = config.preflightRequests;
  try {
    const context = await session.open();
    for (const { operation, tests } of session.suite.perOperation) {
      for (const test of tests) {
        if (test.skip) {
          for (const status of test.skip.statuses) session.coverage.skip(operation.operationId, status, test.skip.reason);
          continue;
        }
        await attempt(`${operation.operationId}: ${test.name}`, () => test.run(context));
      }
    }
    for (const test of session.suite.shared) await attempt(test.name, () => test.run(context));
    const gaps = session.coverage.gaps();
    if (gaps.length) failures.push(`coverage: no test elicits and checks: ${gaps.join(", ")}`);
    sent += context.sender.requestsSent;
  } catch (error) {
    failures.push(`start: ${(error as Error).message}`);
  } finally {
    const { summary } = await session.finish();
    if (summary) log(summary);
  }
  output.push(session.coverage.format());
  return { passed: failures.length === 0, failures, coverage: session.coverage, planned: session.plan.total, sent, output };
}
