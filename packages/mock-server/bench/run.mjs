#!/usr/bin/env node
// Mock-server benchmark (run on purpose: `pnpm --filter @gong-engage/mock-server bench`; never part of the
// tests). Everything on 127.0.0.1, bounded in requests and time.
//  1. Throughput and latency of this mock (rate limit off, logging off) next to bare `prism mock` (the pinned
//     @stoplight/prism-cli) on the same bundled spec, same request, same load, in the same run; runs
//     alternate between the two and the median run of each is compared.
//  2. Time from start (a new process) to the first 200, for both.
//  3. Memory after 100,000 accepted events with unique eventIds, with the duplicate memory capped.
// Options (env): BENCH_SECONDS per run (default 5), BENCH_RUNS per server (default 3),
// BENCH_CONNECTIONS (default 10), BENCH_EVENTS for part 3 (default 100000), BENCH_CAP (default 10000).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const require = createRequire(import.meta.url);
const specPath = require.resolve("@gong-engage/spec/openapi.json");
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const prismBin = require.resolve("@stoplight/prism-cli/dist/index.js");
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const CAP = Number(process.env.BENCH_CAP ?? 10_000);
const PATH = "/v2/customer-engagement/content/shared";
// The documented minimal example: no eventId, so the mock never answers 409 during the load runs.
const body = JSON.stringify(spec.components.examples.ContentSharedEventMinimal.value);
const headers = { "content-type": "application/json", authorization: `Basic ${btoa("bench-key:bench-secret")}` };

// The servers this bench starts end with it: Ctrl+C reaches them anyway, but a SIGTERM to this process alone (a CI
// timeout, `kill`) would leave them running on their ports.
const children = new Set();
const killChildren = () => {
  for (const child of children) child.kill("SIGKILL");
};
process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

function start(command, args, port) {
  const child = spawn(process.execPath, [command, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return { child, url: `http://127.0.0.1:${port}`, stderr: () => stderr };
}

async function firstOk(url, startedAt, deadlineMs = 60_000) {
  while (performance.now() - startedAt < deadlineMs) {
    try {
      const response = await fetch(url + PATH, { method: "PUT", headers, body });
      await response.text();
      if (response.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no 200 from ${url} within ${deadlineMs} ms`);
}

const servers = {
  "bare prism mock": (port) => start(prismBin, ["mock", "-h", "127.0.0.1", "-p", String(port), specPath], port),
  "gong-engage mock": (port) => start(cli, ["--port", String(port), "--quiet", "--rate-per-second", "0", "--daily-limit", "0"], port),
};

const stop = (server) =>
  new Promise((resolve) => {
    server.child.once("exit", resolve);
    server.child.kill("SIGTERM");
  });

const load = (url) =>
  // Bounded in time (and so in requests): SECONDS per run.
  autocannon({ url: url + PATH, method: "PUT", headers, body, connections: CONNECTIONS, duration: SECONDS, timeout: 10 });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`mock benchmark: ${RUNS} runs x ${SECONDS} s of PUT ${PATH} per server, ${CONNECTIONS} connections, 127.0.0.1`);
const results = Object.fromEntries(Object.keys(servers).map((k) => [k, { rps: [], p50: [], p99: [], startup: [], non2xx: 0 }]));
let port = 4600;
for (let run = 0; run < RUNS; run++) {
  for (const [name, make] of Object.entries(servers)) {
    const startedAt = performance.now();
    const server = make(++port);
    results[name].startup.push(await firstOk(server.url, startedAt));
    await autocannon({ url: server.url + PATH, method: "PUT", headers, body, connections: CONNECTIONS, amount: 2000 }); // warm-up
    const r = await load(server.url);
    const rps = r.requests.total / r.duration;
    results[name].rps.push(rps);
    results[name].p50.push(r.latency.p50);
    results[name].p99.push(r.latency.p99);
    results[name].non2xx += r.non2xx + r.errors;
    await stop(server);
    process.stderr.write(`  run ${run + 1}/${RUNS} ${name}: ${Math.round(rps)} req/s\n`);
  }
}
const base = results["bare prism mock"];
console.log("\nserver               req/s (median)  p50 ms  p99 ms  start to first 200 ms  non-2xx   throughput ratio");
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(18)} ${median(r.rps).toFixed(0).padStart(14)} ${String(median(r.p50)).padStart(7)} ${String(median(r.p99)).padStart(7)} ${median(r.startup).toFixed(0).padStart(22)} ${String(r.non2xx).padStart(8)}   ${(median(r.rps) / median(base.rps)).toFixed(2)}x`,
  );
}

// 3. Memory after EVENTS accepted events with unique eventIds, in a process of its own.
const memoryProbe = `
  import { startMockServer } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
  import autocannon from "autocannon";
  const mock = await startMockServer({ port: 0, ratePerSecond: 0, dailyLimit: 0, duplicateMemory: ${CAP} });
  const event = ${JSON.stringify(spec.components.examples.ContentSharedEventFull.value)};
  let n = 0;
  const before = process.memoryUsage();
  const r = await autocannon({
    url: mock.url + ${JSON.stringify(PATH)}, connections: 10, amount: ${EVENTS}, timeout: 10,
    requests: [{ method: "PUT", headers: ${JSON.stringify(headers)},
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ ...event, eventId: "mem-" + (++n) }) }) }],
  });
  global.gc(); global.gc();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ accepted: r["2xx"], other: r.non2xx + r.errors, before, after,
    duplicateMemory: mock.duplicateMemorySize(), journal: mock.journal().length }));
  await mock.close();
`;
const probe = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", memoryProbe], {
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  stdio: ["ignore", "pipe", "inherit"],
});
children.add(probe);
let out = "";
probe.stdout.on("data", (d) => (out += d));
await new Promise((resolve) => probe.on("exit", resolve));
const m = JSON.parse(out);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
console.log(
  `\nmemory after ${m.accepted} accepted events with unique eventIds (duplicate memory cap ${CAP}):\n` +
    `  heap used ${mb(m.before.heapUsed)} -> ${mb(m.after.heapUsed)} MiB, rss ${mb(m.before.rss)} -> ${mb(m.after.rss)} MiB\n` +
    `  duplicate memory holds ${m.duplicateMemory} keys (cap ${CAP}: ${m.duplicateMemory <= CAP ? "within" : "OVER"}), journal holds ${m.journal}; non-2xx ${m.other}`,
);
if (m.duplicateMemory > CAP) process.exitCode = 1;
