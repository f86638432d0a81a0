// Checks gong-contract as a command, in child processes (where a separate process is the point: exit codes, one
// line per start-up error, the flags): the smoke profile against the mock (started here, a --base-url to the
// command) with --prefer and a report, `--spec` with a one-operation spec (planned, preflighted and run: that one
// operation only) at Gong's own pace, a defect failing the run with exit code 1 under a request budget that is
// never exceeded, and the start-up errors. The runs are independent: they run at once.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMockServer } from "@gong-engage/mock-server";
import { bundledSpecModel, loadSpecModel } from "@gong-engage/spec-model";
import { describe, expect, it } from "vitest";
import { planFor } from "../../src/plan.js";
import { startIndependentServer } from "./independent-server.js";
import { CLI_PACE, SELF_CHECK_ENV, selfCheckConfig } from "./self-check-config.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const contractBin = fileURLToPath(new URL("../../bin/gong-contract.js", import.meta.url));
const bundledSpec = createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json");
const model = bundledSpecModel();
/** The smoke plan against a base URL (preflight included), as the suite's own plan function counts it. */
const smokePlan = (prefer = false) =>
  planFor({ ...selfCheckConfig({ profile: "smoke", baseUrl: "http://127.0.0.1:9", prefer }), preflightRequests: model.operations.length }, model).total;

function gongContract(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string; stderr: string }> {
  const { CI: _ci, GITHUB_STEP_SUMMARY: _s, ...rest } = process.env;
  // Only this run's settings: none of the CONTRACT_* / GONG_* variables of the environment the tests run in.
  const inherited = Object.fromEntries(Object.entries(rest).filter(([name]) => !/^(CONTRACT|GONG)_/.test(name)));
  const child = spawn(process.execPath, [contractBin, ...args], {
    cwd: packageDir,
    env: { ...inherited, ...SELF_CHECK_ENV, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stderr = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => {
    output += d;
    stderr += d;
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output, stderr })));
}

const oneLine = (stderr: string) =>
  stderr
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("gong-contract:"));
const expectClean = (output: string) => {
  expect(output).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack
  expect(output).not.toMatch(/Test Files|\d+ skipped|✓|×/); // the suite did not start
};

describe.concurrent("gong-contract", () => {
  it("smoke against the mock as a --base-url, at the pace of --rate-per-second: every documented pair within the plan, exit 0, a Markdown report", async () => {
    const mock = await startMockServer({ port: 0, ratePerSecond: CLI_PACE.standInRate, dailyLimit: 0 });
    const report = join(mkdtempSync(join(tmpdir(), "contract-report-")), "contract.md");
    try {
      const { code, output } = await gongContract({ CONTRACT_BASE_URL: mock.url, CONTRACT_PREFER: "true", CONTRACT_REPORT: report }, [
        "--rate-per-second",
        CLI_PACE.ratePerSecond,
      ]);
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toContain(`pace ${CLI_PACE.ratePerSecond} req/s`);
      const [sent, planned] = /contract suite: (\d+) requests sent of (\d+) planned/.exec(output)!.slice(1).map(Number);
      console.log(`smoke against the mock at ${CLI_PACE.ratePerSecond} calls/s: ${sent} requests of ${planned} planned`);
      expect(planned).toBe(smokePlan(true));
      expect(sent).toBeLessThanOrEqual(planned!);
      const markdown = readFileSync(report, "utf8");
      for (const op of model.operations) {
        for (const status of op.statuses) expect(markdown).toMatch(new RegExp(`\\| ${op.operationId} \\| ${status} \\| ✅ checked \\|`));
      }
      expect(markdown).toMatch(/eventId`s starting `ct-/);
      expect(output).toMatch(/eventId prefix "ct-[a-z0-9-]+-"/);
    } finally {
      await mock.close();
    }
  });

  it("--spec with a one-operation spec plans, preflights and runs that one operation, at Gong's pace by default", async () => {
    const document = JSON.parse(readFileSync(bundledSpec, "utf8"));
    const [kept, ...dropped] = Object.keys(document.paths) as [string, ...string[]];
    for (const path of dropped) delete document.paths[path];
    const oneOp = join(mkdtempSync(join(tmpdir(), "contract-spec-")), "one-op.json");
    writeFileSync(oneOp, JSON.stringify(document));
    // Gong's limit (x-gong-rate-limits), so the suite's default pace meets no 429 outside its burst.
    const server = await startIndependentServer({ ratePerSecond: model.rateLimits.perSecond });
    try {
      const { code, output } = await gongContract({ CONTRACT_BASE_URL: server.url }, ["--spec", oneOp]);
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toContain(`pace ${model.rateLimits.perSecond} req/s`);
      const planned = Number(/contract suite plan \(smoke profile\): (\d+) requests/.exec(output)![1]);
      const [sent, planTotal] = /contract suite: (\d+) requests sent of (\d+) planned/.exec(output)!.slice(1).map(Number);
      expect(planTotal).toBe(planned);
      expect(sent).toBeLessThanOrEqual(planned);
      const oneOpModel = loadSpecModel(oneOp);
      expect(planned).toBe(planFor({ ...selfCheckConfig({ profile: "smoke", baseUrl: server.url }), preflightRequests: 1 }, oneOpModel).total);
      expect(planned).toBeLessThan(smokePlan());
      for (const other of model.operations.slice(1)) expect(output).not.toContain(other.operationId);
      expect(output).toMatch(/reportContentShared\s+409\s+checked/);
      expect([...server.receivedBy.keys()]).toEqual([`PUT ${kept}`]);
      expect(server.received).toBe(sent);
    } finally {
      await server.close();
    }
  });

  it("a budget below the plan fails before the first request: the server receives nothing", async () => {
    const server = await startIndependentServer({ ratePerSecond: 3 });
    try {
      const { code, output, stderr } = await gongContract({ CONTRACT_BASE_URL: server.url }, ["--max-requests", "20"]);
      expect(code).toBe(1);
      const smoke = smokePlan();
      expect(oneLine(stderr)).toEqual([
        expect.stringMatching(
          new RegExp(`^gong-contract: the smoke plan needs ${smoke} requests, ${smoke - 20} over CONTRACT_MAX_REQUESTS=20; nothing was sent`),
        ),
      ]);
      expect(output).toContain(`contract suite plan (smoke profile): ${smoke} requests (budget 20)`);
      expectClean(output);
      const full = await gongContract({ CONTRACT_BASE_URL: server.url }, ["--profile", "full", "--max-requests", "100"]);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(
        new RegExp(
          `the full plan needs \\d+ requests, \\d+ over CONTRACT_MAX_REQUESTS=100; nothing was sent; would fit: --profile smoke \\(${smoke} requests\\)`,
        ),
      );
      expect(server.received).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("a failing check exits 1 and names it (a stand-in that accepts replays); a budget is never exceeded: request n + 1 is not sent, and the run says why it stopped", async () => {
    // A server whose limit (100/s) no 30-request burst meets: the burst goes on until the budget is spent.
    const server = await startIndependentServer({ ratePerSecond: 100, defect: "replay-accepted" });
    // The plan counts the burst at its first wave (10): a budget 8 over the plan lets the burst send 18.
    const smoke = smokePlan();
    const budget = smoke + 8;
    try {
      const { code, output } = await gongContract({ CONTRACT_BASE_URL: server.url, CONTRACT_RATE_PER_SECOND: "20" }, ["--max-requests", String(budget)]);
      expect(code, output.slice(-2000)).toBe(1);
      expect(output).toMatch(/expected 409, got 200/);
      expect(server.received).toBe(budget);
      expect(output).toMatch(/no 429 within 18 burst requests \(the request budget ran out\)/);
      expect(output).toContain(`contract suite: ${budget} requests sent of ${smoke} planned (budget ${budget})`);
    } finally {
      await server.close();
    }
  });

  it.each([
    [
      "missing credentials",
      { GONG_ACCESS_KEY: "", GONG_ACCESS_KEY_SECRET: "", CONTRACT_BASE_URL: "http://127.0.0.1:9" },
      2,
      /^gong-contract: credentials missing: .*GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN/,
    ],
    ["a bad profile", { CONTRACT_PROFILE: "quick" }, 2, /^gong-contract: CONTRACT_PROFILE \(--profile\) must be "full" or "smoke", got "quick"$/],
    [
      "a spec file that is not there",
      { CONTRACT_SPEC: "/nonexistent/one-op.json" },
      2,
      /^gong-contract: CONTRACT_SPEC \(--spec\): \/nonexistent\/one-op\.json: cannot read the OpenAPI document/,
    ],
  ])("%s: one line, no stack, no suite", async (_label, env, exitCode, message) => {
    const { code, output, stderr } = await gongContract(env as Record<string, string>);
    expect(code).toBe(exitCode);
    expect(oneLine(stderr)).toEqual([expect.stringMatching(message)]);
    expectClean(output);
  });

  it("an unreachable base URL: one line, no stack, no suite", async () => {
    // Port 2: nothing listens there. (Port 1 fetch refuses outright as a "bad port"; a port just closed could be
    // taken at once by a server of a test running alongside, which then answers: that made this test flaky.)
    const { code, output, stderr } = await gongContract({ CONTRACT_BASE_URL: "http://127.0.0.1:2" });
    expect(code).toBe(1);
    expect(oneLine(stderr)).toEqual([
      expect.stringMatching(/^gong-contract: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused; is the server running/),
    ]);
    expectClean(output);
  });

  it("a base URL that is not this API (404 on both operations): one line naming what it answered", async () => {
    const server = await startIndependentServer({ ratePerSecond: 3 });
    try {
      const { code, output, stderr } = await gongContract({ CONTRACT_BASE_URL: `${server.url}/api` });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([
        expect.stringMatching(
          /does not look like this API: it answered 404 \(application\/json\) to PUT \/v2\/customer-engagement\/content\/shared and 404 .*is the base URL right\?/,
        ),
      ]);
      expectClean(output);
    } finally {
      await server.close();
    }
  });
});
