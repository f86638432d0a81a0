// Checks the contract suite itself, by running it (the gong-contract command, in a child process) against
// servers that are not the in-process mock: the mock in a separate process and an independent implementation
// must pass, in both profiles; each deliberate defect must make both profiles fail. Then the start-up errors
// and the request budget: one clear line, and not one request sent when the plan does not fit.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startIndependentServer, type Defect } from "./independent-server.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const mockCli = fileURLToPath(new URL("../../../mock-server/dist/cli.js", import.meta.url));
const contractBin = fileURLToPath(new URL("../../bin/gong-contract.js", import.meta.url));

function runSuite(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string; stderr: string }> {
  const { CI: _ci, CONTRACT_BASE_URL: _url, GONG_BEARER_TOKEN: _t, GITHUB_STEP_SUMMARY: _s, ...rest } = process.env;
  const child = spawn(process.execPath, [contractBin, ...args], {
    cwd: packageDir,
    env: { ...rest, CONTRACT_RUNS: "12", GONG_ACCESS_KEY: "self-check-key", GONG_ACCESS_KEY_SECRET: "self-check-secret", NO_COLOR: "1", ...env },
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

async function separateMock(args: string[]): Promise<{ url: string; stop(): void }> {
  const mock = spawn(process.execPath, [mockCli, "--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let banner = "";
  mock.stdout.on("data", (d) => (banner += d));
  for (let i = 0; i < 600 && !/listening on http/.test(banner); i++) await new Promise((r) => setTimeout(r, 50));
  return { url: /listening on (http:\/\/[\d.:]+)/.exec(banner)![1]!, stop: () => mock.kill("SIGTERM") };
}

const PROFILES = {
  // smoke at the pace of a real Gong (3/s): its one burst must meet the limit
  smoke: { ratePerSecond: 3, env: { CONTRACT_PROFILE: "smoke" } },
  full: { ratePerSecond: 40, env: { CONTRACT_PROFILE: "full", CONTRACT_RATE_PER_SECOND: "30" } },
} as const;

describe("the contract suite against the mock in a separate process", () => {
  it("smoke: every documented pair with at most 40 requests, within 20 s of pacing at 3 calls/s, and a Markdown report", async () => {
    const mock = await separateMock([]);
    const report = join(mkdtempSync(join(tmpdir(), "contract-report-")), "contract.md");
    try {
      const started = Date.now();
      const { code, output } = await runSuite({ CONTRACT_BASE_URL: mock.url, CONTRACT_PREFER: "true", CONTRACT_REPORT: report });
      const seconds = (Date.now() - started) / 1000;
      expect(code, output.slice(-3000)).toBe(0);
      const sent = Number(/contract suite: (\d+) requests sent of (\d+) planned/.exec(output)![1]);
      console.log(`smoke against the mock: ${sent} requests, ${seconds.toFixed(1)} s in all (process start included)`);
      expect(sent).toBeLessThanOrEqual(40);
      expect(seconds).toBeLessThan(60);
      const markdown = readFileSync(report, "utf8");
      for (const id of ["reportContentShared", "reportContentViewed"]) {
        for (const status of [200, 400, 401, 409, 429, 500]) expect(markdown).toMatch(new RegExp(`\\| ${id} \\| ${status} \\| ✅ checked \\|`));
      }
      expect(markdown).toMatch(/eventId`s starting `ct-/);
      expect(output).toMatch(/eventId prefix "ct-[a-z0-9-]+-"/);
    } finally {
      mock.stop();
    }
  }, 180_000);

  it("full: passes, with 500 checked through Prefer", async () => {
    const mock = await separateMock(["--rate-per-second", "40"]);
    try {
      const { code, output } = await runSuite({ CONTRACT_BASE_URL: mock.url, CONTRACT_PREFER: "true", ...PROFILES.full.env });
      expect(output).toMatch(/reportContentShared\s+500\s+checked/);
      expect(code, output.slice(-3000)).toBe(0);
    } finally {
      mock.stop();
    }
  }, 180_000);
});

const defects: Array<[Defect, RegExp]> = [
  ["replay-accepted", /expected 409, got 200/],
  ["edited-replay-accepted", /expected 409, got 200/],
  ["integration-id-float", /integrationId must be an exact JSON integer/],
  ["integration-id-string", /integrationId must be an exact JSON integer|body does not match the 200 schema/],
  ["no-retry-after", /header Retry-After is required/],
  ["tracking-id-with-viewer-accepted", /expected 400, got 200|got 200/],
  ["malformed-json-500", /expected 400, got 500/],
  ["basic-without-secret-accepted", /expected 401, got 200/],
  ["no-request-id-on-errors", /requestId|body does not match/],
  ["date-time-not-checked", /expected 400, got 200|got 200/],
  ["enum-not-checked", /expected 400, got 200|got 200/],
];

for (const [profile, { ratePerSecond, env }] of Object.entries(PROFILES)) {
  describe(`the ${profile} profile against an independent implementation`, () => {
    it("passes when it conforms, reporting 500 as skipped with the reason", async () => {
      const server = await startIndependentServer({ ratePerSecond });
      try {
        const { code, output } = await runSuite({ CONTRACT_BASE_URL: server.url, ...env });
        expect(code, output.slice(-3000)).toBe(0);
        expect(output).toMatch(/reportContentShared\s+500\s+SKIPPED\s+the target does not declare Prefer support/);
      } finally {
        await server.close();
      }
    }, 180_000);

    for (const [defect, symptom] of defects) {
      it(`fails when its defect is: ${defect}`, async () => {
        const server = await startIndependentServer({ ratePerSecond, defect });
        try {
          const { code, output } = await runSuite({ CONTRACT_BASE_URL: server.url, ...env });
          expect(code, output.slice(-2000)).toBe(1);
          expect(output).toMatch(symptom);
        } finally {
          await server.close();
        }
      }, 180_000);
    }
  });
}

describe("start-up errors and the budget", () => {
  const oneLine = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("gong-contract:"));
  const expectClean = (output: string) => {
    expect(output).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack
    expect(output).not.toMatch(/Test Files|\d+ skipped|✓|×/); // the suite did not start
  };

  it("a budget below the plan fails before the first request: the server receives nothing", async () => {
    const server = await startIndependentServer({ ratePerSecond: 3 });
    try {
      const { code, output, stderr } = await runSuite({ CONTRACT_BASE_URL: server.url }, ["--max-requests", "20"]);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([expect.stringMatching(/^gong-contract: the smoke plan needs 37 requests, 17 over CONTRACT_MAX_REQUESTS=20; nothing was sent/)]);
      expect(output).toMatch(/contract suite plan \(smoke profile\): 37 requests \(budget 20\)/);
      expectClean(output);
      const full = await runSuite({ CONTRACT_BASE_URL: server.url }, ["--profile", "full", "--max-requests", "100"]);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/the full plan needs \d+ requests, \d+ over CONTRACT_MAX_REQUESTS=100; nothing was sent; would fit: --profile smoke \(37 requests\)/);
      expect(server.received).toBe(0);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("a budget is never exceeded: request n + 1 is not sent, and the run says why it stopped", async () => {
    // A server whose limit (100/s) no 30-request burst meets: the burst goes on until the budget is spent.
    const server = await startIndependentServer({ ratePerSecond: 100 });
    try {
      const { code, output } = await runSuite({ CONTRACT_BASE_URL: server.url, CONTRACT_RATE_PER_SECOND: "10" }, ["--max-requests", "45"]);
      expect(code).toBe(1);
      expect(server.received).toBe(45);
      expect(output).toMatch(/no 429 within 18 burst requests \(the request budget ran out\)/);
      expect(output).toMatch(/contract suite: 45 requests sent of 37 planned \(budget 45\)/);
    } finally {
      await server.close();
    }
  }, 120_000);

  it.each([
    ["missing credentials", { GONG_ACCESS_KEY: "", GONG_ACCESS_KEY_SECRET: "", CONTRACT_BASE_URL: "http://127.0.0.1:9" }, 2, /^gong-contract: credentials missing: .*GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN/],
    ["a bad profile", { CONTRACT_PROFILE: "quick" }, 2, /^gong-contract: CONTRACT_PROFILE \(--profile\) must be "full" or "smoke", got "quick"$/],
  ])("%s: one line, no stack, no suite", async (_label, env, exitCode, message) => {
    const { code, output, stderr } = await runSuite(env as Record<string, string>);
    expect(code).toBe(exitCode);
    expect(oneLine(stderr)).toEqual([expect.stringMatching(message)]);
    expectClean(output);
  });

  it("an unreachable base URL: one line, no stack, no suite", async () => {
    const closed = await startIndependentServer({ ratePerSecond: 3 });
    const url = closed.url;
    await closed.close(); // nobody listens there now: connection refused
    const { code, output, stderr } = await runSuite({ CONTRACT_BASE_URL: url });
    expect(code).toBe(1);
    expect(oneLine(stderr)).toEqual([expect.stringMatching(/^gong-contract: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused; is the server running/)]);
    expectClean(output);
  });

  it("a base URL that is not this API (404 on both operations): one line naming what it answered", async () => {
    const mock = await separateMock([]);
    try {
      const { code, output, stderr } = await runSuite({ CONTRACT_BASE_URL: `${mock.url}/api` });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([
        expect.stringMatching(/does not look like this API: it answered 404 \(application\/json\) to PUT \/v2\/customer-engagement\/content\/shared and 404 .*is the base URL right\?/),
      ]);
      expectClean(output);
    } finally {
      mock.stop();
    }
  }, 60_000);
});
