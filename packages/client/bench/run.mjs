#!/usr/bin/env node
import { readFileSync } from "node:fs";
// Client benchmark (run on purpose: `pnpm --filter @gong-engage/client bench`; never part of the tests).
// 1. Per-call cost of gong.reportContentShared against a local HTTP server on 127.0.0.1, next to a bare
//    fetch + JSON.parse of the same request, measured in the same run, interleaved call by call so that machine
//    noise hits all alike. Printed as medians and their ratio.
// 2. The lossless parse of a 200 body against JSON.parse.
// 3. The quota benchmark (bench/quota.mjs, run after this one by `pnpm bench`).
// The headline is the client with its defaults (validation on, pacing on, a 30 s timeout per attempt) except that
// the pacing limits are high enough never to wait (1,000 calls at Gong's 3/s would take 6 minutes): what the
// client costs per call, schedule included. The other variants turn one thing off each, to show its share. The
// "floor" variants do by hand what the defaults need done per call, adding one part per step (openapi-fetch called
// as the report methods call it, the same generated validators, the same shared timeout signal, the lossless
// parse): the last one is the least any client with these defaults costs, before pacing, retries and results.
// Options (env): BENCH_CALLS (per variant, default 1000).
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { parseLossless as parseWithBigInts, toInt64 } from "@gong-engage/spec-model/runtime";
import createClient from "openapi-fetch";
import { TimeoutSlices } from "../dist/abort.js";
import { directFetch } from "../dist/direct-fetch.js";
import { createEngagementClient } from "../dist/index.js";
import { validateEvent } from "../dist/validation.js";

const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@gong-engage/spec/openapi.json"), "utf8"));
const event = spec.components.examples.ContentSharedEventFull.value;
const calls = Number(process.env.BENCH_CALLS ?? 1000);
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

const neverWait = { perSecond: 1_000_000, perDay: 0 };
const bare = async () => {
  const response = await fetch(url, {
    method: "PUT",
    headers: { Authorization: authorization, "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(event),
  });
  return JSON.parse(await response.text());
};
const timeouts = new TimeoutSlices(30_000);
const asIs = (text) => text;
// openapi-fetch as the report methods call it (the URL and init straight to fetch, no Request object built; the
// body serialised before, as settle() does once per call, since a retry resends the same text).
const openapiFetch = createClient({ baseUrl, headers: { Authorization: authorization, Accept: "application/json" }, ...directFetch });
/** The floor: what the client's defaults need done per call, by hand, one part more per step. */
const floor =
  ({ validate = false, timeout = false, lossless = false }) =>
  async () => {
    if (validate && validateEvent("reportContentShared", event).length) throw new Error("the bench's event is invalid");
    const signal = timeout ? timeouts.next().signal : undefined;
    const { data } = await openapiFetch.PUT("/v2/customer-engagement/content/shared", {
      body: JSON.stringify(event),
      bodySerializer: asIs,
      parseAs: "text",
      signal,
    });
    if (!lossless) return JSON.parse(data);
    const answer = parseWithBigInts(data);
    return { requestId: answer.requestId, integrationId: toInt64(answer.integrationId) };
  };
const variants = {
  "bare fetch + JSON.parse": bare,
  "floor: openapi-fetch": floor({}),
  "floor: + validation": floor({ validate: true }),
  "floor: + timeout signal": floor({ validate: true, timeout: true }),
  "floor: + lossless parse": floor({ validate: true, timeout: true, lossless: true }),
  "client, defaults": (
    (gong) => () =>
      gong.reportContentShared(event)
  )(createEngagementClient({ baseUrl, auth, rateLimit: neverWait })),
  "client, validation off": (
    (gong) => () =>
      gong.reportContentShared(event)
  )(createEngagementClient({ baseUrl, auth, rateLimit: neverWait, validate: false })),
  "client, pacing off": (
    (gong) => () =>
      gong.reportContentShared(event)
  )(createEngagementClient({ baseUrl, auth, rateLimit: false })),
  "client, timeout off": (
    (gong) => () =>
      gong.reportContentShared(event)
  )(createEngagementClient({ baseUrl, auth, rateLimit: neverWait, timeoutMs: 0 })),
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function timeCall(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1000;
}

console.log(`client benchmark: ${calls} calls per variant, interleaved call by call, server on 127.0.0.1`);
const entries = Object.entries(variants);
for (let i = 0; i < 300; i++) for (const [, fn] of entries) await fn(); // warm-up
const samples = Object.fromEntries(entries.map(([k]) => [k, []]));
for (let i = 0; i < calls; i++) {
  // Rotate the order so that no variant always runs first after the others.
  for (let j = 0; j < entries.length; j++) {
    const [name, fn] = entries[(i + j) % entries.length];
    samples[name].push(await timeCall(fn));
  }
  if (i % 500 === 0) process.stderr.write(`  ${i}/${calls}\r`);
}
const baseline = median(samples["bare fetch + JSON.parse"]);
console.log("\nper-call median (µs)              ratio to bare fetch (target for the defaults: <= 1.10x)");
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(30)} ${m.toFixed(1).padStart(8)}   ${(m / baseline).toFixed(3)}x`);
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
