// The contract suite: does this server implement the spec? The steps: take the configuration the runner resolved
// (vitest's inject: the gong-contract CLI, or this package's vitest config), load the spec it names, print the
// plan (and stop if it is over the request budget), open the target, run the profile's tests (src/suites.ts),
// check that every documented (operation, status) pair was elicited and checked, then print and write the report.

import { loadSpecModel } from "@gong-engage/spec-model";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Config } from "../../src/config.js";
import { writeReport } from "../../src/report.js";
import { createSession, progressLine } from "../../src/session.js";
import type { SuiteContext } from "../../src/suites.js";

declare module "vitest" {
  // biome-ignore lint/suspicious/noExportsInTest: a type augmentation of vitest (ProvidedContext), not a test export.
  export interface ProvidedContext {
    /** The suite's resolved settings (see src/config.ts), handed over by whoever starts vitest. */
    contractConfig: Config;
  }
}

const config = inject("contractConfig");
if (!config) throw new Error("the contract suite needs its configuration: run it with gong-contract (or this package's vitest config)");
const model = loadSpecModel(config.specPath);
const session = createSession(config, model, (line) => console.log(line));
const started = performance.now();
let progress: NodeJS.Timeout | undefined;
let context: SuiteContext | undefined;

beforeAll(async () => {
  context = await session.open();
  if (config.progress) {
    progress = setInterval(() => console.log(progressLine(session, context, config, started)), 10_000);
    progress.unref();
  }
});

afterAll(async () => {
  clearInterval(progress);
  const { summary, markdown } = await session.finish();
  if (!markdown) return;
  const written = writeReport(markdown, config.report);
  console.log(summary + (written.length ? `\ncontract suite: report written to ${written.join(" and ")}` : ""));
});

const ready = (): SuiteContext => {
  if (!context) throw new Error("the suite did not start (see the error of beforeAll)");
  return context;
};

for (const { operation, tests } of session.suite.perOperation) {
  describe(`${operation.operationId} (${operation.method} ${operation.path})`, () => {
    for (const test of tests) {
      if (test.skip) {
        it.skip(`${test.name}: ${test.skip.reason}`, () => {});
        for (const status of test.skip.statuses) session.coverage.skip(operation.operationId, status, test.skip.reason);
        continue;
      }
      it(test.name, () => test.run(ready()), test.timeoutMs);
    }
  });
}

if (session.suite.shared.length) {
  describe("all operations", () => {
    for (const test of session.suite.shared) it(test.name, () => test.run(ready()), test.timeoutMs);
  });
}

describe("coverage", () => {
  it("every documented (operation, status) pair is elicited and checked", () => {
    console.log(session.coverage.format());
    const gaps = session.coverage.gaps();
    expect(gaps, `no test elicits and checks: ${gaps.join(", ")}`).toEqual([]);
  });
});
