#!/usr/bin/env node
// Client benchmark (run on purpose: `pnpm --filter @gong-engage/client bench`; never part of the tests).
// 1. Per-call cost of gong.reportContentShared against a local HTTP server on 127.0.0.1, next to a bare
//    fetch + JSON.parse of the same request, measured in the same run, interleaved in rounds so that machine
//    noise hits both alike. Printed as medians and their ratio.
// 2. The lossless parse of a 200 body against JSON.parse.
// Options (env): BENCH_CALLS (per variant, default 3000), BENCH_ROUNDS (default 10).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createEngagementClient } from "../dist/index.js";
import { parseWithBigInts } from "../dist/lossless-json.js";

const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@gong-engage/spec/openapi.json"), "utf8"));
const event = spec.components.examples.ContentSharedEventFull.value;
const calls = Number(process.env.BENCH_CALLS ?? 3000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const body = '{"requestId":"4al018gzaztcr8nbukw","integrationId":5517027188234206123}';

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const url = `${baseUrl}/v2/customer-engagement/content/shared`;
const auth = { accessKey: "bench-key", accessKeySecret: "bench-secret" };
const authorization = `Basic ${btoa("bench-key:bench-secret")}`;

const variants = {
  "bare fetch + JSON.parse": async () => {
    const response = await fetch(url, {
      method: "PUT",
      headers: { Authorization: authorization, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(event),
    });
    return JSON.parse(await response.text());
  },
  "client, validation on": ((gong) => () => gong.reportContentShared(event))(createEngagementClient({ baseUrl, auth })),
  "client, validation off": ((gong) => () => gong.reportContentShared(event))(
    createEngagementClient({ baseUrl, auth, validate: false }),
  ),
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function timeCalls(fn, n) {
  const samples = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return samples;
}

console.log(`client benchmark: ${calls} calls per variant in ${rounds} interleaved rounds, server on 127.0.0.1`);
for (const fn of Object.values(variants)) await timeCalls(fn, 300); // warm-up
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(variants)) samples[name].push(...(await timeCalls(fn, Math.ceil(calls / rounds))));
  process.stderr.write(`  round ${r + 1}/${rounds}\r`);
}
const baseline = median(samples["bare fetch + JSON.parse"]);
console.log("\nper-call median (µs)            ratio to bare fetch");
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(28)} ${m.toFixed(1).padStart(8)}   ${(m / baseline).toFixed(3)}x`);
}

// Lossless parse vs JSON.parse of the 200 body.
const parseIterations = 200_000;
function timeParse(fn) {
  for (let i = 0; i < 20_000; i++) fn(body);
  const t = process.hrtime.bigint();
  for (let i = 0; i < parseIterations; i++) fn(body);
  return Number(process.hrtime.bigint() - t) / parseIterations;
}
const parseRuns = { "JSON.parse": [], "lossless (lossless-json)": [] };
for (let r = 0; r < 5; r++) {
  parseRuns["JSON.parse"].push(timeParse(JSON.parse));
  parseRuns["lossless (lossless-json)"].push(timeParse(parseWithBigInts));
}
const parseBase = median(parseRuns["JSON.parse"]);
console.log(`\nparse of the 200 body, median of 5 x ${parseIterations} (ns/parse)   ratio to JSON.parse`);
for (const [name, xs] of Object.entries(parseRuns)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(28)} ${m.toFixed(0).padStart(8)}   ${(m / parseBase).toFixed(2)}x`);
}
console.log(`  JSON.parse reads integrationId as ${JSON.parse(body).integrationId}; lossless reads ${parseWithBigInts(body).integrationId}n`);
server.close();
