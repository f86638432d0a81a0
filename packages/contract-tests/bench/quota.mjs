#!/usr/bin/env node
// Quota benchmark (run on purpose: `pnpm bench`, or `pnpm --filter @gong-engage/contract-tests bench`; never
// part of the tests): a backlog of events through the client's reportMany (concurrency 10, default pacing)
// against the mock in its own process at Gong's default limits (3 calls/s, 10,000/day per credential).
// Reports the achieved rate against the 3/s the limit allows (the baseline), the 429 answers (there should be
// none: the client paces itself), and whether every event is in the mock's journal exactly once.
// Everything on 127.0.0.1. Options (env): BENCH_QUOTA_EVENTS (default 1000; 1,000 take about 6 minutes).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createEngagementClient } from "@gong-engage/client";

const require = createRequire(import.meta.url);
const EVENTS = Number(process.env.BENCH_QUOTA_EVENTS ?? 1000);
const LIMIT_PER_SECOND = 3;
const spec = JSON.parse(readFileSync(require.resolve("@gong-engage/spec/openapi.json"), "utf8"));
const viewed = spec.components.examples.ContentViewedEventKnownViewer.value;
const shared = spec.components.examples.ContentSharedEventFull.value;

const mockPackage = require.resolve("@gong-engage/mock-server/package.json");
const mockBin = join(dirname(mockPackage), JSON.parse(readFileSync(mockPackage, "utf8")).bin["gong-mock"]);
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
const mock = spawn(process.execPath, [mockBin, "--port", "0", "--quiet", "--journal-limit", String(EVENTS * 2)], { stdio: ["ignore", "pipe", "inherit"] });
children.add(mock);
const url = await new Promise((resolve, reject) => {
  let out = "";
  mock.stdout.on("data", (d) => {
    out += d;
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (match) resolve(match[1]);
  });
  mock.on("exit", (code) => reject(new Error(`gong-mock exited (${code}) before listening`)));
});

const statuses = new Map();
const gong = createEngagementClient({
  baseUrl: url,
  auth: { accessKey: "quota-bench", accessKeySecret: "quota-bench-secret" },
  // Counts every answer the mock gives (429s included), then hands the response back untouched.
  fetch: async (request) => {
    const response = await fetch(request);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return response;
  },
});

const run = `quota-${Date.now()}`;
function* backlog() {
  for (let i = 0; i < EVENTS; i++) {
    yield i % 2 ? { operation: "viewed", event: { ...viewed, eventId: `${run}-${i}` } } : { operation: "shared", event: { ...shared, eventId: `${run}-${i}` } };
  }
}

console.log(`quota benchmark: ${EVENTS} events through reportMany (concurrency 10) against gong-mock at its default limits (${LIMIT_PER_SECOND}/s), 127.0.0.1`);
const started = performance.now();
const outcomes = {};
let lastPrint = started;
for await (const outcome of gong.reportMany(backlog(), {
  concurrency: 10,
  onProgress: (p) => {
    if (performance.now() - lastPrint > 30_000 || p.done === EVENTS) {
      lastPrint = performance.now();
      console.log(`  ${p.done}/${EVENTS} done, ${p.ratePerSecond.toFixed(2)}/s over the last 10 s, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  },
})) {
  outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1;
}
const seconds = (performance.now() - started) / 1000;

const journal = await (await fetch(`${url}/__mock/events`)).json();
const perEvent = new Map();
for (const entry of journal.events) {
  const id = entry.body.eventId;
  if (id?.startsWith(run)) perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
}
mock.kill();

const rate = EVENTS / seconds;
const rows = [
  ["events", EVENTS],
  ["elapsed", `${seconds.toFixed(1)} s`],
  ["achieved rate", `${rate.toFixed(3)} events/s`],
  [`ratio to the limit (${LIMIT_PER_SECOND}/s, baseline)`, `${(rate / LIMIT_PER_SECOND).toFixed(3)}x`],
  [
    "answers by status",
    [...statuses]
      .sort()
      .map(([s, n]) => `${s}: ${n}`)
      .join(", "),
  ],
  ["429 answers", statuses.get(429) ?? 0],
  [
    "outcomes",
    Object.entries(outcomes)
      .map(([s, n]) => `${s}: ${n}`)
      .join(", "),
  ],
  ["in the mock's journal", perEvent.size],
  ["  exactly once", [...perEvent.values()].filter((n) => n === 1).length],
];
console.log(rows.map(([k, v]) => `  ${String(k).padEnd(46)} ${v}`).join("\n"));
const ok = (statuses.get(429) ?? 0) === 0 && perEvent.size === EVENTS && [...perEvent.values()].every((n) => n === 1) && rate >= 0.95 * LIMIT_PER_SECOND;
console.log(ok ? "  PASS: at least 95% of 3/s, no 429, every event journaled exactly once" : "  FAIL: see the figures above");
process.exitCode = ok ? 0 : 1;
