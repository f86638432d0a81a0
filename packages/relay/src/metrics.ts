// Prometheus metrics (prom-client, on a registry of the relay's own): events by outcome and tenant, 429s,
// send latency, sends in flight, and, read from the database at each scrape, the queue depth and the age of
// the oldest pending event per tenant. Labels are tenant ids and outcomes only, never a credential.
import { createServer, type Server } from "node:http";
import type { Pool } from "pg";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class RelayMetrics {
  readonly registry = new Registry();
  readonly events: Counter<"tenant" | "outcome">;
  readonly rateLimited: Counter<"tenant">;
  readonly sendSeconds: Histogram<"operation">;
  readonly inFlight: Gauge;

  constructor(pool: Pool | undefined) {
    const registers = [this.registry];
    this.events = new Counter({
      name: "gong_relay_events_total",
      help: "Events finished or retried, by tenant and outcome",
      labelNames: ["tenant", "outcome"],
      registers,
    });
    this.rateLimited = new Counter({ name: "gong_relay_rate_limited_total", help: "429 answers from Gong, by tenant", labelNames: ["tenant"], registers });
    this.sendSeconds = new Histogram({
      name: "gong_relay_send_duration_seconds",
      help: "Time from sending an event to Gong's answer",
      labelNames: ["operation"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlight = new Gauge({ name: "gong_relay_in_flight", help: "Events this worker is sending now", registers });
    const oldest = new Gauge({
      name: "gong_relay_oldest_pending_age_seconds",
      help: "Age of the oldest pending event, by tenant",
      labelNames: ["tenant"],
      registers,
    });
    new Gauge({
      name: "gong_relay_queue_depth",
      help: "Pending and in-flight events, by tenant",
      labelNames: ["tenant"],
      registers,
      async collect() {
        if (!pool) return;
        this.reset();
        oldest.reset();
        const { rows } = await pool.query(
          `select tenant, count(*)::int as depth, extract(epoch from clock_timestamp() - min(enqueued_at)) as age
             from gong_relay.event where status in ('pending', 'leased') group by tenant`,
        );
        for (const row of rows) {
          this.set({ tenant: row.tenant }, row.depth);
          oldest.set({ tenant: row.tenant }, Number(row.age));
        }
      },
    });
  }

  /** Serves GET /metrics on 127.0.0.1:<port> (0 picks one); resolves with the server. */
  serve(port: number, host = "127.0.0.1"): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end("see /metrics\n");
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": this.registry.contentType }).end(text),
        (error: Error) => res.writeHead(500).end(`metrics unavailable: ${error.message}\n`),
      );
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
