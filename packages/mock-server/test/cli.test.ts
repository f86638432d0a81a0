// The CLI as a user runs it: banner, per-request log lines, clean exit on signals, clear errors.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { basic, put, SHARED, sharedEvent, spec, VIEWED } from "./helpers.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // Generous: on a loaded 2-core CI machine the CLI (Prism's import) can take several seconds to start.
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const match = pattern.exec(stdout);
    if (!match) throw new Error(`gong-mock never printed ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`);
    return match;
  };
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

describe("gong-mock CLI", () => {
  it("prints a banner with the URL, endpoints, a curl command and the journal; logs each request; stops on SIGINT", async () => {
    const mock = run(["--port", "0", "--rate-per-second", "0"]);
    const url = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))![1]!;
    const banner = mock.out();
    expect(banner).toContain(`PUT  ${url}/v2/customer-engagement/content/shared`);
    expect(banner).toContain(`PUT  ${url}/v2/customer-engagement/content/viewed`);
    expect(banner).toMatch(/curl -i -X PUT/);
    expect(banner).toContain(`${url}/__mock/events`);
    expect((await put(url, SHARED, sharedEvent(), { Authorization: basic() })).status).toBe(200);
    expect(await mock.waitFor(/PUT \/v2\/customer-engagement\/content\/shared 200 [\d.]+ms/)).toBeTruthy();
    mock.child.kill("SIGINT");
    expect(await mock.exited).toBe(0);
    expect(mock.out()).toMatch(/SIGINT: stopping/);
  });

  it("takes flags from the environment, --quiet logs nothing per request, SIGTERM exits 0", async () => {
    const mock = run([], { GONG_MOCK_PORT: "0", GONG_MOCK_QUIET: "1", GONG_MOCK_RATE_PER_SECOND: "1" });
    const url = (await mock.waitFor(/listening on (http:\/\/[\d.:]+)/))![1]!;
    expect(mock.out()).toMatch(/Rate limits per credential: 1\/s/);
    await put(url, SHARED, sharedEvent(), { Authorization: basic() });
    expect((await put(url, SHARED, sharedEvent(), { Authorization: basic() })).status).toBe(429);
    mock.child.kill("SIGTERM");
    expect(await mock.exited).toBe(0);
    expect(mock.out()).not.toMatch(/PUT \/v2/);
  });

  it("says clearly when the port is taken, and exits 1", async () => {
    const first = run(["--port", "0", "--quiet"]);
    const port = (await first.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))![1]!;
    const second = run(["--port", port]);
    expect(await second.exited).toBe(1);
    expect(second.err()).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is already in use`));
  });

  it("rejects bad flags with exit 2 and points at --help, which documents every flag", async () => {
    const bad = run(["--port", "abc"]);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/--port must be a non-negative integer/);
    const unknown = run(["--prot", "1"]);
    expect(await unknown.exited).toBe(2);
    const help = run(["--help"]);
    expect(await help.exited).toBe(0);
    const flags = ["--port", "--host", "--rate-per-second", "--daily-limit", "--duplicate-memory", "--journal-limit", "--spec"];
    flags.push("--fault", "--fault-seed", "--upstream", "--watch", "--quiet", "GONG_MOCK_PORT", "GONG_MOCK_FAULTS", "Prefer: code=500");
    for (const flag of flags) expect(help.out()).toContain(flag);
  });

  it("--fault sets a scenario (the banner shows it; the journal counts it); GONG_MOCK_FAULTS does the same", async () => {
    const mock = run(["--port", "0", "--rate-per-second", "0", "--fault", "drop-response,every=2", "--fault-seed", "7"]);
    const url = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))![1]!;
    expect(await mock.waitFor(/Faults \(seed 7\): drop-response,every=2 /)).toBeTruthy();
    expect((await put(url, SHARED, sharedEvent(), { Authorization: basic() })).status).toBe(200);
    await expect(put(url, SHARED, sharedEvent(), { Authorization: basic() })).rejects.toThrow();
    expect(await mock.waitFor(/dropped: connection reset instead of answering \(fault drop-response, event recorded\)/)).toBeTruthy();
    const journal = await (await fetch(`${url}/__mock/events`)).json();
    expect(journal.faults).toEqual({ "drop-response": 1 });
    expect(journal.events.map((e: { responseDropped?: boolean }) => e.responseDropped ?? false)).toEqual([false, true]);

    const fromEnv = run(["--port", "0"], { GONG_MOCK_FAULTS: "status:503,next=1; delay:10" });
    expect(await fromEnv.waitFor(/Faults \(seed \d+\): status:503,next=1; delay:10 /)).toBeTruthy();
  });

  it("refuses a bad fault rule or upstream with exit 2, naming the problem", async () => {
    const fault = run(["--fault", "status:404"]);
    expect(await fault.exited).toBe(2);
    expect(fault.err()).toMatch(/status needs one of 500, 502, 503, 504/);
    const part = run(["--fault", "drop-response,often"]);
    expect(await part.exited).toBe(2);
    expect(part.err()).toMatch(/--fault: .*unknown part "often"/);
    const upstream = run(["--upstream", "ftp://example.invalid"]);
    expect(await upstream.exited).toBe(2);
    expect(upstream.err()).toMatch(/upstream must use http or https/);
  });

  it("--upstream announces the validating proxy", async () => {
    const target = run(["--port", "0", "--quiet"]);
    const upstreamUrl = (await target.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))![1]!;
    const proxy = run(["--port", "0", "--upstream", upstreamUrl]);
    const url = (await proxy.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))![1]!;
    expect(proxy.out()).toContain(`VALIDATING PROXY to ${upstreamUrl}`);
    expect((await put(url, SHARED, sharedEvent(), { Authorization: basic() })).status).toBe(200);
    expect(await proxy.waitFor(/PUT \/v2\/customer-engagement\/content\/shared 200 \(upstream\)/)).toBeTruthy();
  });

  it("a spec it cannot serve is a config error: exit 2, one line naming the file and the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gong-mock-cli-spec-"));
    try {
      const notOpenApi = join(dir, "not-openapi.json");
      writeFileSync(notOpenApi, JSON.stringify({ hello: "world" }));
      const noRule = join(dir, "no-rule.json");
      const document = structuredClone(spec);
      delete document.paths[VIEWED].put["x-gong-event"];
      writeFileSync(noRule, JSON.stringify(document));
      const missing = join(dir, "missing.json");
      const runs = [run(["--spec", missing]), run(["--spec", notOpenApi]), run([], { GONG_MOCK_SPEC: noRule })];
      const expected = [
        `gong-mock: spec ${missing}: cannot read the OpenAPI document: ENOENT`,
        `gong-mock: spec ${notOpenApi}: is not an OpenAPI 3 document`,
        `gong-mock: spec ${noRule}: operation reportContentViewed: x-gong-event is missing`,
      ];
      for (const [i, started] of runs.entries()) {
        expect(await started.exited).toBe(2);
        expect(started.err().startsWith(expected[i]!), started.err()).toBe(true);
        expect(started.err().trimEnd().split("\n"), started.err()).toHaveLength(1);
        expect(started.out()).toBe("");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a bad flag or variable is one line with exit 2; any other failure is one line with exit 1, and DEBUG=1 adds the stack", async () => {
    const badFlag = run(["--prot", "1"]);
    const badEnv = run([], { GONG_MOCK_ACCESS_KEY: "only-the-key" });
    for (const started of [badFlag, badEnv]) {
      expect(await started.exited).toBe(2);
      expect(started.err().trimEnd().split("\n")).toHaveLength(1);
    }
    expect(badFlag.err()).toMatch(/^gong-mock: Unknown option '--prot'.*\(gong-mock --help lists the flags\)$/m);
    expect(badEnv.err()).toMatch(/^gong-mock: set both GONG_MOCK_ACCESS_KEY and GONG_MOCK_ACCESS_KEY_SECRET, or neither/);

    const first = run(["--port", "0", "--quiet"]);
    const port = (await first.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))![1]!;
    const plain = run(["--port", port], { DEBUG: "" });
    const debug = run(["--port", port], { DEBUG: "1" });
    expect(await plain.exited).toBe(1);
    expect(plain.err().trimEnd().split("\n")).toEqual([expect.stringMatching(/^gong-mock: Port \d+ on 127\.0\.0\.1 is already in use/)]);
    expect(await debug.exited).toBe(1);
    expect(debug.err()).toMatch(/^gong-mock: Port \d+ on 127\.0\.0\.1 is already in use.*\n(Error: .*\n)?\s+at /);
  });
});
