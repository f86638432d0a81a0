// Checks the contract suite itself, by running it (the gong-contract command, in a child process) through
// CONTRACT_BASE_URL against servers that are not the in-process mock: the mock in a separate process and an
// independent implementation must pass; each deliberate defect must make the suite fail.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startIndependentServer, type Defect } from "./independent-server.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const mockCli = fileURLToPath(new URL("../../../mock-server/dist/cli.js", import.meta.url));
const contractBin = fileURLToPath(new URL("../../bin/gong-contract.js", import.meta.url));

function runSuite(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { CI: _ci, CONTRACT_BASE_URL: _url, GONG_BEARER_TOKEN: _t, ...rest } = process.env;
  const child = spawn(process.execPath, [contractBin], {
    cwd: packageDir,
    env: {
      ...rest,
      CONTRACT_RUNS: "12",
      GONG_ACCESS_KEY: "self-check-key",
      GONG_ACCESS_KEY_SECRET: "self-check-secret",
      NO_COLOR: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("the contract suite against servers other than the in-process mock", () => {
  it("passes against the mock in a separate process (with CONTRACT_PREFER=true: 500 is checked)", async () => {
    const mock = spawn(process.execPath, [mockCli, "--port", "0", "--quiet", "--rate-per-second", "40"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      let banner = "";
      mock.stdout.on("data", (d) => (banner += d));
      for (let i = 0; i < 200 && !/listening on http/.test(banner); i++) await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (http:\/\/[\d.:]+)/.exec(banner)![1]!;
      const { code, output } = await runSuite({ CONTRACT_BASE_URL: url, CONTRACT_PREFER: "true", CONTRACT_RATE_PER_SECOND: "30" });
      expect(output).toMatch(/reportContentShared\s+500\s+checked/);
      expect(code, output.slice(-3000)).toBe(0);
    } finally {
      mock.kill("SIGTERM");
    }
  }, 180_000);

  it("passes against an independent conforming server, reporting 500 as skipped with the reason", async () => {
    const server = await startIndependentServer({ ratePerSecond: 40 });
    try {
      const { code, output } = await runSuite({ CONTRACT_BASE_URL: server.url, CONTRACT_RATE_PER_SECOND: "30" });
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toMatch(/reportContentShared\s+500\s+SKIPPED\s+the target does not declare Prefer support/);
      expect(output).toMatch(/skipped/);
    } finally {
      await server.close();
    }
  }, 180_000);

  const defects: Array<[Defect, RegExp]> = [
    ["replay-accepted", /expected 409, got 200/],
    ["integration-id-float", /integrationId must be an exact JSON integer/],
    ["no-retry-after", /header Retry-After is required/],
    ["tracking-id-with-viewer-accepted", /expected 400, got 200|got 200/],
    ["malformed-json-500", /expected 400, got 500/],
  ];
  for (const [defect, symptom] of defects) {
    it(`fails against a server whose defect is: ${defect}`, async () => {
      const server = await startIndependentServer({ ratePerSecond: 40, defect });
      try {
        const { code, output } = await runSuite({ CONTRACT_BASE_URL: server.url, CONTRACT_RATE_PER_SECOND: "30" });
        expect(code).not.toBe(0);
        expect(output).toMatch(symptom);
      } finally {
        await server.close();
      }
    }, 180_000);
  }
});
