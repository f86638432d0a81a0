// Checks the contract suite itself, in-process and concurrently (src/run-profile.ts runs the same test
// definitions as test/contract/): both profiles must pass against two independent stand-ins, one that takes a
// replay as a duplicate only on the same operation and one that takes it across operations (both readings of
// Gong's docs), and against the mock with Prefer; each of eleven deliberate defects must make both profiles fail;
// and an operation added to a copy of the spec only (new-operation-spec.ts) is planned, and every documented status
// of it elicited and checked, by both profiles with no TypeScript change, against the mock serving that copy.
// The runs spend their time waiting on their servers' pace, so they all run at once, in this one file.
// The CLI's own behaviour (exit codes, start-up errors, --spec, the budget) is checked in cli.test.ts.
import { startMockServer } from "@gong-engage/mock-server";
import { bundledSpecModel, loadSpecModel, type SpecModel } from "@gong-engage/spec-model";
import { beforeAll, describe, expect, it } from "vitest";
import { type ProfileResult, runProfile } from "../../src/run-profile.js";
import { type Defect, type DuplicateReading, startIndependentServer } from "./independent-server.js";
import { NEW_OPERATION, NEW_PATH, specWithNewOperation } from "./new-operation-spec.js";
import { DEFECT_RUNS, PROFILES, selfCheckConfig } from "./self-check-config.js";

const model = bundledSpecModel();
const show = (result: ProfileResult) => [...result.failures, ...result.output].join("\n").slice(-4000);

async function againstStandIn(profile: keyof typeof PROFILES, duplicates: DuplicateReading, defect?: Defect): Promise<ProfileResult> {
  const { standInRate, flags } = PROFILES[profile];
  const server = await startIndependentServer({ ratePerSecond: standInRate, duplicates, ...(defect ? { defect } : {}) });
  try {
    return await runProfile(selfCheckConfig({ ...flags, baseUrl: server.url, ...(defect ? { runs: DEFECT_RUNS } : {}) }), model);
  } finally {
    await server.close();
  }
}

const defects: Array<[Defect, RegExp]> = [
  ["replay-accepted", /expected 409, got 200/],
  ["edited-replay-accepted", /expected 409, got 200/],
  ["integration-id-float", /body\/integrationId: not an exact int64 JSON integer/],
  ["integration-id-string", /body\/integrationId: not an exact int64 JSON integer/],
  ["no-retry-after", /header Retry-After: missing/],
  ["tracking-id-with-viewer-accepted", /expected 400, got 200|got 200/],
  ["malformed-json-500", /expected 400, got 500/],
  ["basic-without-secret-accepted", /expected 401, got 200/],
  ["no-request-id-on-errors", /requestId/],
  ["date-time-not-checked", /expected 400, got 200|got 200/],
  ["enum-not-checked", /expected 400, got 200|got 200/],
];

for (const profile of ["smoke", "full"] as const) {
  describe.concurrent(`the ${profile} profile`, () => {
    for (const duplicates of ["per-operation", "across-operations"] as const) {
      it(`passes against a conforming stand-in that takes replays as duplicates ${duplicates}, reporting 500 as skipped with the reason`, async () => {
        const result = await againstStandIn(profile, duplicates);
        expect(result.passed, show(result)).toBe(true);
        expect(result.output.join("\n")).toMatch(/reportContentShared\s+500\s+SKIPPED\s+the target does not declare Prefer support/);
        for (const op of model.operations) {
          expect(
            result.coverage
              .table()
              .filter((row) => row.operationId === op.operationId && row.result?.state === "checked")
              .map((row) => row.status),
          ).toEqual(op.statuses.filter((status) => status !== 500));
        }
      });
    }

    for (const [defect, symptom] of defects) {
      it(`fails against a stand-in whose defect is: ${defect}`, async () => {
        const result = await againstStandIn(profile, "per-operation", defect);
        expect(result.passed, show(result)).toBe(false);
        expect(result.failures.join("\n")).toMatch(symptom);
      });
    }

    it("passes against the mock as a --base-url with --prefer, 500 checked", async () => {
      const { standInRate, flags } = PROFILES[profile];
      const mock = await startMockServer({ port: 0, ratePerSecond: standInRate, dailyLimit: 0 });
      try {
        const result = await runProfile(selfCheckConfig({ ...flags, baseUrl: mock.url, prefer: true }), model);
        expect(result.passed, show(result)).toBe(true);
        expect(result.coverage.gaps()).toEqual([]);
        expect(result.output.join("\n")).toMatch(/reportContentShared\s+500\s+checked/);
      } finally {
        await mock.close();
      }
    });
  });
}

describe.concurrent("a new operation, added to the spec only", () => {
  let specPath: string;
  let newModel: SpecModel;
  beforeAll(() => {
    specPath = specWithNewOperation();
    newModel = loadSpecModel(specPath);
  });
  const statusesOf = (result: ProfileResult, state: "checked" | "skipped") =>
    result.coverage
      .table()
      .filter((row) => row.operationId === NEW_OPERATION && row.result?.state === state)
      .map((row) => row.status);

  for (const profile of ["smoke", "full"] as const) {
    it(`${profile}: the suite plans it and elicits and checks every documented status of it against the mock serving that spec`, async () => {
      const operation = newModel.operation(NEW_OPERATION)!;
      expect(operation.statuses).toEqual([200, 400, 401, 409, 429, 500]);
      const mock = await startMockServer({ port: 0, specPath, ratePerSecond: PROFILES[profile].standInRate, dailyLimit: 0 });
      try {
        // A few generated bodies are enough here: the point is that every status of the new operation is reached.
        const config = selfCheckConfig({ ...PROFILES[profile].flags, baseUrl: mock.url, prefer: true, spec: specPath, runs: "4" });
        const result = await runProfile(config, newModel);
        const output = [...result.failures, ...result.output].join("\n");
        expect(result.passed, output.slice(-4000)).toBe(true);
        expect(output).toMatch(new RegExp(`${NEW_OPERATION}: 400 for `));
        expect(statusesOf(result, "checked")).toEqual(operation.statuses);
        expect(
          mock
            .journal()
            .filter((entry) => entry.operationId === NEW_OPERATION)
            .map((entry) => entry.endpoint),
        ).toContain(`POST ${NEW_PATH}`);
      } finally {
        await mock.close();
      }
    });
  }
});
