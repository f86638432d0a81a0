#!/usr/bin/env node
// `pnpm test:packaging`: proves that a user's own app can install and use the four packages (and the spec model
// they share), the way the README's "Use it from your app" section says, with npm only and outside this workspace:
//   1. `pnpm pack` @gong-engage/spec-model, client, mock-server, contract-tests and relay; check each
//      tarball (no workspace: ranges, the files it must ship, the bundled spec where needed) and print its size;
//   2. in a temp directory outside the workspace, a plain npm project `npm install`s the tarballs;
//   3. a TypeScript file that imports the client type-checks with `tsc --strict`;
//   4. the mock starts from the installed package's bin (`npx gong-mock --port 0`), and the compiled file
//      reports an event to it (checked in the mock's journal);
//   5. the installed contract suite runs against that mock from its own bin (`npx gong-contract --base-url`),
//      and writes JUnit XML;
//   6. the installed relay (`npx gong-relay`, its own embedded Postgres from npm, no database configured) takes a
//      tenant, enqueues events from a file and delivers them to that mock: each once in the mock's journal.
// Installing takes the npm registry (the install step); everything the test runs is on 127.0.0.1.
// Keeps the temp directory on failure (its path is printed). KEEP=1 keeps it always.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const shell = process.platform === "win32";
const work = mkdtempSync(join(tmpdir(), "gong-engage-packaging-"));
const tarballs = join(work, "tarballs");
const app = join(work, "my-app");
const started = performance.now();
const children = [];
// The app is a plain npm project: none of the npm_* settings that `pnpm run` passes down may reach its npm.
const appEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_|^pnpm_/i.test(name)));

const PACKAGES = {
  "@gong-engage/spec-model": {
    dir: "packages/spec-model",
    mustShip: ["dist/index.js", "dist/index.d.ts", "dist/runtime.js", "dist/runtime.d.ts", "dist/openapi.json", "README.md", "LICENSE"],
  },
  "@gong-engage/client": { dir: "packages/client", mustShip: ["dist/index.js", "dist/index.d.ts", "dist/generated/validators.js", "README.md", "LICENSE"] },
  "@gong-engage/mock-server": {
    dir: "packages/mock-server",
    mustShip: ["bin/gong-mock.js", "dist/cli.js", "dist/index.d.ts", "README.md", "LICENSE"],
  },
  "@gong-engage/contract-tests": {
    dir: "packages/contract-tests",
    mustShip: ["bin/gong-contract.js", "dist/src/cli.js", "dist/test/contract/contract.test.js", "dist/openapi.json", "README.md", "LICENSE"],
  },
  "@gong-engage/relay": {
    dir: "packages/relay",
    mustShip: [
      "bin/gong-relay.js",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cli.js",
      "migrations/0001_outbox.sql",
      "migrations/0002_oauth.sql",
      "README.md",
      "LICENSE",
    ],
  },
};

function step(text) {
  console.log(`[packaging ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
}

function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], shell, maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed (exit code ${error.status}):\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

/**
 * Starts a command in a process group of its own (POSIX), so that stopping it stops what it started: `npx gong-mock`
 * is npx (and, through `shell`, possibly a shell) running node running the mock; signalling only the npx process
 * would leave the mock orphaned on its port.
 */
function spawnGroup(command, args, options) {
  const child = spawn(command, args, { ...options, shell, detached: process.platform !== "win32", stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return child;
}

/** Stops a child and everything in its process group; resolves once the group is gone (SIGKILL after 5 s). */
async function stopGroup(child) {
  const signalGroup = (signal) => {
    try {
      if (process.platform === "win32") child.kill(signal);
      else process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // ESRCH: the group is gone already
    }
  };
  if (!signalGroup("SIGTERM")) return;
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signalGroup(0)) return;
  }
  signalGroup("SIGKILL");
}

/** Starts a long-running command; resolves with the child once its output matches `ready`. */
function startAndWait(command, args, options, ready, timeoutMs = 60_000) {
  const child = spawnGroup(command, args, options);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(" ")} not ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${command} ${args.join(" ")} exited (${code}) before it was ready:\n${output}`)));
  });
}

function runToEnd(command, args, options) {
  const child = spawnGroup(command, args, options);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

const clientSource = `// A user's app: reports a content share to Gong (here: the mock) with the typed client.
import { createEngagementClient, GongApiError, type ContentSharedEvent, type ReportResult } from "@gong-engage/client";

const gong = createEngagementClient({
  baseUrl: process.env.GONG_BASE_URL ?? "https://api.gong.io",
  auth: { accessKey: process.env.GONG_ACCESS_KEY ?? "", accessKeySecret: process.env.GONG_ACCESS_KEY_SECRET ?? "" },
});
const event: ContentSharedEvent = {
  reportingSystem: "my-proposals-app",
  eventId: process.env.EVENT_ID ?? "share-1",
  eventTimestamp: new Date().toISOString(),
  contentId: "doc_1",
  contentUrl: "https://app.example.com/doc_1",
  contentTitle: "Q3 proposal",
  recipients: [{ email: "buyer@customer.com", name: "Pat Buyer" }],
};
try {
  const result: ReportResult = await gong.reportContentShared(event);
  const exact: bigint | undefined = result.integrationId;
  console.log(JSON.stringify({ requestId: result.requestId, integrationId: String(exact), alreadyReported: result.alreadyReported }));
} catch (error) {
  if (error instanceof GongApiError) console.error(error.code, error.status, error.message);
  throw error;
}
`;

// The commands run in process groups of their own, which a Ctrl+C (or CI's SIGTERM) to this script does not reach:
// stop them before going.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, async () => {
    interrupted = true;
    console.error(`\npackaging test: ${signal}, stopping what it started (kept ${work})`);
    await Promise.all(children.map(stopGroup));
    process.exit(130);
  });
}

let failed = false;
try {
  step("building the packages (turbo, cached)");
  run("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], { cwd: root, env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });

  mkdirSync(tarballs, { recursive: true });
  const packed = [];
  for (const [name, { dir, mustShip }] of Object.entries(PACKAGES)) {
    const before = new Set(readdirSync(tarballs));
    run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(root, dir) });
    const file = readdirSync(tarballs).find((f) => !before.has(f));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${name}`);
    const path = join(tarballs, file);
    const entries = run("tar", ["-tzf", path])
      .split("\n")
      .filter(Boolean)
      .map((e) => e.replace(/^package\//, ""));
    const missing = mustShip.filter((f) => !entries.includes(f));
    if (missing.length) throw new Error(`${file} does not ship ${missing.join(", ")}`);
    const manifest = run("tar", ["-xzOf", path, "package/package.json"]);
    if (manifest.includes("workspace:")) throw new Error(`${file}: package.json still has workspace: ranges:\n${manifest}`);
    const { version } = JSON.parse(manifest);
    packed.push(path);
    step(`packed ${name}@${version}: ${file}, ${(statSync(path).size / 1024).toFixed(1)} KiB packed, ${entries.length} files`);
  }

  step(`installing the tarballs into a plain npm project outside the workspace (${app})`);
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }, null, 2));
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          lib: ["ES2022", "DOM"],
          types: ["node"],
          outDir: "out",
        },
        include: ["report.ts"],
      },
      null,
      2,
    ),
  );
  writeFileSync(join(app, "report.ts"), clientSource);
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packed, "typescript@5.9.3", "@types/node@20"], { cwd: app, env: appEnv });
  const prismVersions = new Set();
  const collect = (node) => {
    for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
      if (name === "@stoplight/prism-http") prismVersions.add(dep.version);
      collect(dep);
    }
  };
  collect(JSON.parse(run("npm", ["ls", "@stoplight/prism-http", "--all", "--json"], { cwd: app, env: appEnv })));
  step(`installed; @stoplight/prism-http ${[...prismVersions].join(", ")}`);
  if ([...prismVersions].some((v) => v !== "5.12.0")) throw new Error("a Prism version other than the pinned one (5.12.0, Node 20) was installed");

  step("npx tsc: a file that imports the client, strict");
  run("npx", ["tsc", "-p", "."], { cwd: app, env: appEnv });

  step("starting the mock from the installed bin: npx gong-mock --port 0");
  const mock = await startAndWait("npx", ["gong-mock", "--port", "0", "--quiet"], { cwd: app, env: appEnv }, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const mockUrl = mock.match[1];

  const eventId = `packaging-${Date.now()}`;
  const credentials = { GONG_ACCESS_KEY: "packaging-key", GONG_ACCESS_KEY_SECRET: "packaging-secret" };
  const reported = run("node", ["out/report.js"], { cwd: app, env: { ...appEnv, ...credentials, GONG_BASE_URL: mockUrl, EVENT_ID: eventId } });
  const result = JSON.parse(reported);
  if (!(BigInt(result.integrationId) > 2n ** 53n)) throw new Error(`the client's integrationId is not an exact int64: ${reported}`);
  const journal = await (await fetch(`${mockUrl}/__mock/events`)).json();
  if (!journal.events.some((e) => e.body.eventId === eventId)) throw new Error(`event ${eventId} is not in the mock's journal`);
  step(`the client reported ${eventId} to ${mockUrl}: requestId ${result.requestId}, integrationId ${result.integrationId} (exact), in the journal`);

  step("running the installed contract suite against it: npx gong-contract --base-url ...");
  const junit = join(work, "contract-junit.xml");
  const report = join(work, "contract-report.md");
  // The smoke profile (the default against a --base-url) at the mock's default 3 calls/s, as against Gong: 53
  // requests with --prefer for the spec's three operations.
  const contract = await runToEnd("npx", ["gong-contract", "--base-url", mockUrl, "--junit", junit, "--report", report, "--prefer", "--max-requests", "60"], {
    cwd: app,
    env: { ...appEnv, ...credentials, CI: "", NO_COLOR: "1" },
  });
  if (contract.code !== 0) throw new Error(`gong-contract failed (exit code ${contract.code}):\n${contract.output.slice(-4000)}`);
  if (!existsSync(junit)) throw new Error("gong-contract --junit wrote no file");
  if (!/\| reportContentViewed \| 429 \| ✅ checked \|/.test(readFileSync(report, "utf8"))) throw new Error("gong-contract --report wrote no coverage table");
  const tests = /Tests\s+(\d+) passed/.exec(contract.output)?.[1];
  step(`gong-contract passed against the installed mock (${tests} tests); JUnit: ${readFileSync(junit, "utf8").length} bytes`);

  step("the installed relay, no database configured (its own embedded Postgres): tenant add, enqueue, run --until-idle");
  const relayEnv = {
    ...appEnv,
    ...credentials,
    // A key made for this run only: it encrypts the tenant's credentials in the relay's database.
    GONG_RELAY_SECRET_KEY: randomBytes(32).toString("base64"),
    NO_COLOR: "1",
  };
  // Run as root (CI), the embedded Postgres runs as the "postgres" user, which must be able to pass through the
  // temp folder (mkdtemp makes it 700) to reach its data folder.
  chmodSync(work, 0o711);
  const relayData = ["--data-dir", join(app, ".gong-relay")];
  const relay = async (args) => {
    const { code, output } = await runToEnd("npx", ["gong-relay", ...args, ...relayData], { cwd: app, env: relayEnv });
    if (code !== 0) throw new Error(`gong-relay ${args.join(" ")} failed (exit code ${code}):\n${output.slice(-4000)}`);
    return output;
  };
  await relay(["tenant", "add", "packaging-tenant", "--base-url", mockUrl, "--credentials-from-env"]);
  const relayIds = [1, 2, 3].map((n) => `packaging-relay-${Date.now()}-${n}`);
  writeFileSync(
    join(app, "events.ndjson"),
    relayIds
      .map((eventId) =>
        JSON.stringify({
          reportingSystem: "my-proposals-app",
          eventId,
          eventTimestamp: new Date().toISOString(),
          contentId: "doc_1",
          contentUrl: "https://app.example.com/doc_1",
          contentTitle: "Q3 proposal",
          recipients: [{ email: "buyer@customer.com" }],
        }),
      )
      .join("\n"),
  );
  await relay(["enqueue", "--tenant", "packaging-tenant", "--operation", "shared", "--file", join(app, "events.ndjson")]);
  await relay(["run", "--until-idle"]);
  const relayStatus = JSON.parse(await relay(["status", "--json"]));
  const relayJournal = (await (await fetch(`${mockUrl}/__mock/events`)).json()).events.filter((e) => relayIds.includes(e.body.eventId));
  const landed = relayIds.map((id) => relayJournal.filter((e) => e.body.eventId === id).length);
  if (landed.some((count) => count !== 1)) throw new Error(`the relay's events are not each once in the journal: ${JSON.stringify(relayJournal)}`);
  const tenantStatus = relayStatus.find((t) => t.tenant === "packaging-tenant");
  if (tenantStatus?.deliveredToday !== relayIds.length || tenantStatus.pending !== 0) {
    throw new Error(`gong-relay status does not count the ${relayIds.length} events as delivered: ${JSON.stringify(relayStatus)}`);
  }
  step(`the relay delivered ${relayIds.length} events, each once in the mock's journal; status: ${JSON.stringify(relayStatus).slice(0, 300)}`);
  step("packaging test passed");
} catch (error) {
  failed = true;
  if (!interrupted) console.error(`\npackaging test FAILED: ${error.message}\n(kept ${work} for a look)`);
} finally {
  // The whole group of every command started, even one whose own process has exited (its children may not have).
  await Promise.all(children.map(stopGroup));
  if (!failed && process.env.KEEP !== "1") rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
