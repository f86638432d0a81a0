#!/usr/bin/env node
// Transport benchmark (run on purpose after a build: `node bench/exchange.mjs`; never part of the tests): the CPU
// one request costs, client and server together, in one process on 127.0.0.1, sent the way the suite's sender
// sends it (src/http-exchange.ts, node:http) and the way it used to (fetch, the body read with text()). The two
// alternate in rounds, after a warm-up, so that both meet the same machine. Why the sender does not use fetch.
// Options (env): BENCH_EXCHANGE_REQUESTS per round (default 2000).
import { createServer } from "node:http";
import { exchange } from "../dist/src/http-exchange.js";

const REQUESTS = Number(process.env.BENCH_EXCHANGE_REQUESTS ?? 2000);
const ROUNDS = 3;
const body = JSON.stringify({ reportingSystem: "contract-tests", eventId: "bench-1", contentUrl: "https://example.com/doc" });
const headers = { "Content-Type": "application/json", Accept: "application/json", Authorization: "Basic YmVuY2g6YmVuY2g=" };

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end('{"requestId":"bench"}');
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/v2/bench`;

const ways = {
  "node:http (exchange)": () => exchange(url, { method: "PUT", headers, body, timeoutMs: 30_000 }),
  "fetch + text()": async () => (await fetch(url, { method: "PUT", headers, body, signal: AbortSignal.timeout(30_000) })).text(),
};

async function cpuPerRequestMs(send, count) {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await send();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

try {
  for (const send of Object.values(ways)) await cpuPerRequestMs(send, 200); // warm-up
  const results = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, send] of Object.entries(ways)) results[name].push(await cpuPerRequestMs(send, REQUESTS));
  }
  console.log(`CPU per request, client and server in one process (${ROUNDS} rounds of ${REQUESTS}):`);
  for (const [name, perRound] of Object.entries(results)) {
    console.log(`  ${name.padEnd(22)} ${perRound.map((ms) => `${ms.toFixed(3)} ms`).join("  ")}`);
  }
} finally {
  server.close();
}
