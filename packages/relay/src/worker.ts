// A worker process's delivery loop: `concurrency` lanes, each claiming one event at a time (the claim in the
// database paces every tenant for all workers, see migrations/), sending it with the tenant's own client
// (no pacing, no retries of its own: the relay paces and retries through the database), and recording the
// outcome (outcome.ts) fenced by the lease: a worker whose lease expired cannot overwrite what another did.
// Lanes sleep until a NOTIFY (new events, a resumed tenant), a timer to the next due tenant, or the polling
// interval, whichever comes first (polling alone works behind PgBouncer). stop() stops claiming; the sends in
// flight finish (or, past `shutdownMs`, are aborted and released) and are recorded.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { createEngagementClient, type EngagementClient } from "@gong-engage/client";
import pg from "pg";
import { crashPoint } from "./crash-points.js";
import type { Log } from "./log.js";
import { StateLog } from "./log.js";
import type { RelayMetrics } from "./metrics.js";
import { GrantTokenSource, type OAuthAppConfig, resendInOwnTurn } from "./oauth.js";
import type { RelaySpec } from "./operations.js";
import { type Decision, decideError, decideResult } from "./outcome.js";
import { checkStoredSecrets, decryptCredentials } from "./secrets.js";
import { describe, type Store } from "./store.js";

export interface WorkerOptions {
  /** Events this process sends at the same time. @default 4 */
  concurrency?: number;
  /** How long a claimed event is this worker's; past it, another worker may send it again. @default 60000 */
  leaseMs?: number;
  /** Per send. @default 30000 */
  timeoutMs?: number;
  /** Wait before the first retry of a transient failure; doubles each time. @default 2000 */
  backoffMs?: number;
  /** Longest wait between retries. @default 300000 */
  maxBackoffMs?: number;
  /** Transient failures in a row before an event is dead-lettered. @default 8 */
  maxAttempts?: number;
  /** Polling fallback: the longest a lane sleeps without a notification. @default 2000 */
  pollMs?: number;
  /** On stop, how long sends in flight may take before they are aborted and released. @default 30000 */
  shutdownMs?: number;
  /** Return once nothing is pending or in flight (paused tenants' events excepted). @default false */
  untilIdle?: boolean;
  /** Log one line per event. @default false */
  verbose?: boolean;
  /**
   * By default a call's 1-second window counts from its answer (surely after Gong counted it; measured on this
   * process's clock from the claim, placed on the database's clock): zero 429s
   * whatever the latency, at the cost of pacing slower when Gong answers slowly. With an allowance, the window
   * counts from when the call was sent plus this many ms (or from its answer, if that came sooner; always from
   * the answer on a tenant's first call, which may open a connection): faster when Gong is slow to answer,
   * but a request that takes longer than the allowance to be counted by Gong can meet a 429. @default undefined
   */
  arrivalAllowanceMs?: number | undefined;
  /** Names this worker in leases. @default "<host>:<pid>:<random>" */
  workerId?: string;
  /** Stops the worker like SIGTERM does. */
  signal?: AbortSignal;
}

export interface RunSummary {
  sent: number;
  outcomes: Record<string, number>;
}

interface Claimed {
  event_pk: string;
  tenant: string;
  operation: string;
  payload: string;
  attempts: number;
  may_have_landed: boolean;
  tenant_version: Date;
  base_url: string;
  /** null for a tenant on OAuth (its grant is in gong_relay.oauth_grant: the check constraint of migration 0002). */
  credentials: Buffer | null;
  claimed_at: Date;
  /** performance.now() when the claim query was sent. */
  claimSentAt: number;
  /** The latest time (database clock, ms) Gong counted the call: its answer, or (with arrivalAllowanceMs) sooner. */
  reachedBy?: number;
}

const CLAIM_SQL = "select * from gong_relay.claim($1, $2, $3)";

export class Worker {
  private readonly options: Required<Omit<WorkerOptions, "signal" | "arrivalAllowanceMs">> & { arrivalAllowanceMs: number | undefined };
  private readonly clients = new Map<string, { version: number; client: EngagementClient | Error; warm: boolean }>();
  private readonly states: StateLog;
  private readonly abortSends = new AbortController();
  private stopping = false;
  // Sleeping lanes, woken one at a time by the shared timer (the next due tenant) and by each successful
  // claim (there may be more due work), all at once by a NOTIFY or stop(): no herd of lanes claiming at the
  // same instant for one due tenant.
  private readonly sleepers: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private listener: pg.Client | undefined;
  private listenTimer: NodeJS.Timeout | undefined;
  private databaseDown = false;
  private readonly summary: RunSummary = { sent: 0, outcomes: {} };

  constructor(
    private readonly store: Store,
    private readonly spec: RelaySpec,
    private readonly secretKey: () => Buffer,
    private readonly metrics: RelayMetrics,
    private readonly log: Log,
    options: WorkerOptions = {},
    /** The relay's OAuth app, to renew the tokens of OAuth tenants without an app of their own. */
    private readonly oauthApp: OAuthAppConfig | undefined = undefined,
  ) {
    this.options = {
      concurrency: options.concurrency ?? 4,
      leaseMs: options.leaseMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      backoffMs: options.backoffMs ?? 2_000,
      maxBackoffMs: options.maxBackoffMs ?? 300_000,
      maxAttempts: options.maxAttempts ?? 8,
      pollMs: options.pollMs ?? 2_000,
      shutdownMs: options.shutdownMs ?? 30_000,
      untilIdle: options.untilIdle ?? false,
      arrivalAllowanceMs: options.arrivalAllowanceMs,
      verbose: options.verbose ?? false,
      workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`,
    };
    for (const [name, value] of Object.entries(this.options)) {
      if (typeof value === "number" && !(Number.isFinite(value) && value >= (name === "concurrency" || name === "maxAttempts" ? 1 : 0))) {
        throw new TypeError(
          `run: \`${name}\` must be a ${name === "concurrency" || name === "maxAttempts" ? "positive" : "non-negative"} number, got ${value}`,
        );
      }
    }
    if (this.options.timeoutMs === 0 || this.options.leaseMs <= this.options.timeoutMs) {
      throw new TypeError(
        `run: \`leaseMs\` (${this.options.leaseMs}) must be longer than \`timeoutMs\` (${this.options.timeoutMs || "0: none"}): a send still running when its lease ends is sent again by another worker`,
      );
    }
    this.states = new StateLog(log);
    options.signal?.addEventListener("abort", () => this.stop(), { once: true });
  }

  get id(): string {
    return this.options.workerId;
  }

  /** Delivers until stop() (or, with untilIdle, until nothing is left). */
  async run(): Promise<RunSummary> {
    const { concurrency } = this.options;
    await checkStoredSecrets(this.store.pool, this.secretKey());
    this.log(`worker ${this.id} started on ${this.store.description} (concurrency ${concurrency}, lease ${this.options.leaseMs} ms)`);
    await this.listen();
    await Promise.all(Array.from({ length: concurrency }, () => this.lane()));
    clearTimeout(this.listenTimer);
    clearTimeout(this.timer);
    await this.listener?.end().catch(() => {});
    const counts = Object.entries(this.summary.outcomes)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ");
    this.log(`worker ${this.id} stopped: ${this.summary.sent} sent${counts ? ` (${counts})` : ""}`);
    return this.summary;
  }

  /** Stops claiming; run() resolves once the sends in flight are recorded or released. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.wakeAll();
    const timer = setTimeout(() => this.abortSends.abort(new Error("worker stopping")), this.options.shutdownMs);
    timer.unref();
  }

  private async lane(): Promise<void> {
    while (!this.stopping) {
      let claimed: Claimed | undefined;
      let waitMs: number | null = null;
      try {
        const claimSentAt = performance.now();
        const query = this.store.pool.query(CLAIM_SQL, [this.id, this.options.leaseMs, this.options.maxAttempts]);
        if (crashPoint("claim", 2)) await new Promise(() => {});
        const { rows } = await query;
        const row = rows[0];
        if (row?.event_pk) claimed = { ...row, claimSentAt } as Claimed;
        else waitMs = row?.wait_ms ?? null;
        this.databaseIsUp();
      } catch (error) {
        this.databaseIsDown(error);
        await this.sleep(Math.min(500, this.options.pollMs));
        continue;
      }
      if (claimed) {
        this.wakeOne();
        await this.deliver(claimed);
        continue;
      }
      // The claim's wait_ms is null only when nothing is pending (for a tenant not paused) or leased: only then can
      // the queue be idle, and only then is it asked (one query per empty claim saved while work remains).
      if (this.options.untilIdle && waitMs === null && (await this.idle())) {
        this.stop();
        break;
      }
      await this.sleep(Math.min(waitMs ?? this.options.pollMs, this.options.pollMs));
    }
  }

  private async deliver(claimed: Claimed): Promise<void> {
    const operation = this.spec.find(claimed.operation);
    let decision: Decision;
    this.metrics.inFlight.inc();
    try {
      const client = operation && this.clientFor(claimed);
      const send = client && !(client instanceof Error) ? (client as unknown as Record<string, unknown>)[claimed.operation] : undefined;
      if (!operation || typeof send !== "function") {
        const why = !operation
          ? `the operation ${claimed.operation} is not in this relay's spec`
          : client instanceof Error
            ? client.message
            : `@gong-engage/client has no method ${claimed.operation}`;
        if (client instanceof Error) decision = { kind: "credentials-refused", status: 0, reason: why };
        else decision = { kind: "refused", status: undefined, reason: "unsupported", errors: [why] };
      } else {
        if (crashPoint("before-send")) await new Promise(() => {});
        const started = performance.now();
        const cached = this.clients.get(claimed.tenant);
        // Where the call's 1-second window starts, on the database clock: claimed_at is the database's time
        // when the claim began, after claimSentAt, so claimed_at + (t - claimSentAt) is never earlier than t.
        const onDatabaseClock = (t: number) => claimed.claimed_at.getTime() + 1 + (t - claimed.claimSentAt);
        const sentBound = cached?.warm && this.options.arrivalAllowanceMs !== undefined ? onDatabaseClock(started) + this.options.arrivalAllowanceMs : Infinity;
        if (cached) cached.warm = true;
        try {
          const result = await (send as (event: unknown, options: { signal: AbortSignal }) => Promise<Record<string, unknown>>)(JSON.parse(claimed.payload), {
            signal: this.abortSends.signal,
          });
          decision = decideResult(result, operation.resultIdField);
        } catch (error) {
          decision = this.abortSends.signal.aborted
            ? { kind: "transient", status: undefined, reason: "shutdown", errors: ["the worker stopped while sending"], mayHaveLanded: true }
            : decideError(error);
        }
        // The answer came after Gong counted the call: the window starts at the answer at the latest.
        claimed.reachedBy = Math.min(sentBound, onDatabaseClock(performance.now()));
        this.metrics.sendSeconds.observe({ operation: operation.operationId }, (performance.now() - started) / 1000);
        this.summary.sent++;
        if (crashPoint("after-send")) await new Promise(() => {});
      }
      await this.record(claimed, decision);
    } finally {
      this.metrics.inFlight.dec();
    }
  }

  // Writes the decision, fenced by the lease (this worker, this attempt). A database that went away is waited
  // for: the answer must not be lost (if the lease expires meanwhile, the resend is answered 409).
  private async record(claimed: Claimed, decision: Decision): Promise<void> {
    const { sql, values } = this.recordStatement(claimed, decision);
    for (let wait = 200; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        const { rows } = await this.store.pool.query(sql, values);
        this.databaseIsUp();
        this.observe(claimed, decision, rows[0]?.status as string | undefined);
        return;
      } catch (error) {
        this.databaseIsDown(error);
        if (this.abortSends.signal.aborted) return; // leave it leased: the lease expires and it is resent
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private recordStatement(claimed: Claimed, decision: Decision): { sql: string; values: unknown[] } {
    // Every statement also tells the tenant's pacing that this call was answered (gong_relay.answered), and is
    // fenced by the lease: this event, leased by this worker, for this attempt.
    const fence = "e.id = $1 and e.status = 'leased' and e.leased_by = $2 and e.attempts = $3";
    const answered = "from (select gong_relay.answered($4, $1, $5)) as answered";
    const answeredWith = (hold: string, pause: string) => `from (select gong_relay.answered($4, $1, $5, ${hold}, ${pause})) as answered`;
    const reachedBy = claimed.reachedBy === undefined ? null : new Date(Math.ceil(claimed.reachedBy));
    const base = [claimed.event_pk, this.id, claimed.attempts, claimed.tenant, reachedBy];
    switch (decision.kind) {
      case "accepted":
      case "already-reported":
        return {
          sql: `update gong_relay.event e set status = $6, result_id = $7, request_id = $8, last_status = $9, reason = null,
                  lease_until = null, finished_at = clock_timestamp() ${answered} where ${fence} returning e.status`,
          values: [
            ...base,
            decision.kind === "accepted" ? "accepted" : "already_reported",
            decision.kind === "accepted" ? (decision.resultId ?? null) : null,
            decision.requestId ?? null,
            decision.kind === "accepted" ? decision.status : 409,
          ],
        };
      case "refused":
        return {
          sql: `update gong_relay.event e set status = 'refused', last_status = $6, reason = $7, errors = $8, lease_until = null,
                  finished_at = clock_timestamp() ${answered} where ${fence} returning e.status`,
          values: [...base, decision.status ?? null, decision.reason, JSON.stringify(decision.errors)],
        };
      case "transient": {
        // Backoff: backoffMs doubling with each failure in a row, at most maxBackoffMs, the second half jittered.
        return {
          sql: `update gong_relay.event e set failures = e.failures + 1, may_have_landed = e.may_have_landed or $6, reason = $7,
                  errors = $8, last_status = $9, lease_until = null, leased_by = null,
                  status = case when e.failures + 1 >= $10 then 'dead' else 'pending' end,
                  finished_at = case when e.failures + 1 >= $10 then clock_timestamp() end,
                  run_at = clock_timestamp() + least($12::float8, $11::float8 * power(2, e.failures)) * (0.5 + random() / 2) * interval '1 millisecond'
                ${answered} where ${fence} returning e.status`,
          values: [
            ...base,
            decision.mayHaveLanded,
            decision.reason,
            JSON.stringify(decision.errors),
            decision.status ?? null,
            this.options.maxAttempts,
            this.options.backoffMs,
            this.options.maxBackoffMs,
          ],
        };
      }
      case "rate-limited":
        return {
          sql: `update gong_relay.event e set status = 'pending', lease_until = null, leased_by = null, run_at = clock_timestamp(),
                  last_status = 429 ${answeredWith("$6::float8", "null")} where ${fence} returning e.status`,
          values: [...base, decision.retryAfterSeconds],
        };
      case "renewed":
        // Sent again at once, in its next paced turn. Counted as a failure, so that 401s that renewing does not
        // cure (a wrong base URL, a permission taken away) end: dead-lettered at maxAttempts, reason
        // renewed-after-401. (Pausing the tenant at a second 401 would also pause it when another worker's refresh
        // replaced the token in between.)
        return {
          sql: `update gong_relay.event e set failures = e.failures + 1, reason = 'renewed-after-401', last_status = 401,
                  lease_until = null, leased_by = null, run_at = clock_timestamp(),
                  status = case when e.failures + 1 >= $6 then 'dead' else 'pending' end,
                  finished_at = case when e.failures + 1 >= $6 then clock_timestamp() end
                ${answered} where ${fence} returning e.status`,
          values: [...base, this.options.maxAttempts],
        };
      case "credentials-refused":
        return {
          sql: `update gong_relay.event e set status = 'pending', lease_until = null, leased_by = null, run_at = clock_timestamp(),
                  last_status = $7 ${answeredWith("null", "$6::text")} where ${fence} returning e.status`,
          values: [...base, decision.reason, decision.status || null],
        };
    }
  }

  private observe(claimed: Claimed, decision: Decision, status: string | undefined): void {
    const { tenant } = claimed;
    // A lease lost before the answer was recorded: the event is another worker's now, whatever this answer said.
    const outcome = status === undefined ? "lease-lost" : status === "dead" ? "dead" : decision.kind === "transient" ? "retry" : decision.kind;
    this.summary.outcomes[outcome] = (this.summary.outcomes[outcome] ?? 0) + 1;
    this.metrics.events.inc({ tenant, outcome });
    if (this.options.verbose) {
      const detail = decision.kind === "accepted" ? ` id ${decision.resultId ?? "?"}` : "reason" in decision ? ` (${decision.reason})` : "";
      this.log(
        `tenant ${tenant}: event ${claimed.event_pk} attempt ${claimed.attempts}: ${status === undefined ? "lease lost, not recorded" : outcome}${detail}`,
      );
    }
    if (status === undefined) return; // nothing was recorded: the tenant's state did not change either
    switch (decision.kind) {
      case "accepted":
      case "already-reported":
        this.states.set(tenant, "delivering", `tenant ${tenant}: delivering`);
        break;
      case "renewed":
        this.states.set(tenant, "renewed", `tenant ${tenant}: Gong answered 401; its OAuth token was renewed, the event goes again in its next turn`);
        break;
      case "rate-limited":
        this.metrics.rateLimited.inc({ tenant });
        this.states.set(
          tenant,
          "rate-limited",
          `tenant ${tenant}: Gong answered 429, no calls for ${decision.retryAfterSeconds}s (its Retry-After); other tenants go on`,
        );
        break;
      case "credentials-refused":
        this.clients.delete(tenant);
        this.states.set(
          tenant,
          "paused",
          `tenant ${tenant}: paused, its events kept: ${decision.reason} (fix the credentials: gong-relay tenant update, then tenant resume)`,
        );
        break;
      case "refused":
        this.states.set(
          tenant,
          `refused:${decision.reason}`,
          `tenant ${tenant}: Gong refused an event (${decision.reason}: ${decision.errors.join("; ").slice(0, 300)}); refused events are kept, see gong-relay status`,
        );
        break;
      case "transient":
        if (status === "dead") {
          this.states.set(
            tenant,
            `dead:${decision.reason}`,
            `tenant ${tenant}: an event was dead-lettered after ${this.options.maxAttempts} failures (${decision.reason}); gong-relay retry --dead --tenant ${tenant} sends it again`,
          );
        } else {
          this.states.set(tenant, `failing:${decision.reason}`, `tenant ${tenant}: transient failures (${decision.reason}), retrying with backoff`);
        }
        break;
    }
  }

  // One client per tenant, rebuilt when the tenant changes (updated_at). An Error when its credentials cannot
  // be used: the tenant is then paused with that reason.
  private clientFor(claimed: Claimed): EngagementClient | Error {
    const version = claimed.tenant_version.getTime();
    const cached = this.clients.get(claimed.tenant);
    if (cached && cached.version === version) return cached.client;
    let client: EngagementClient | Error;
    try {
      // OAuth: the client asks the grant's token source before each send, and after a 401 once more (renewed
      // under the grant's row lock, see oauth.ts) and resends the same event.
      const auth = claimed.credentials
        ? decryptCredentials(this.secretKey(), claimed.tenant, claimed.credentials)
        : resendInOwnTurn(
            new GrantTokenSource({
              pool: this.store.pool,
              tenant: claimed.tenant,
              secretKey: this.secretKey,
              relayApp: this.oauthApp,
              workerId: this.id,
              timeoutMs: this.options.timeoutMs,
            }),
          );
      client = createEngagementClient({ baseUrl: claimed.base_url, auth, rateLimit: false, retry: false, validate: true, timeoutMs: this.options.timeoutMs });
    } catch (error) {
      client = new Error((error as Error).message);
    }
    this.clients.set(claimed.tenant, { version, client, warm: false });
    return client;
  }

  private async idle(): Promise<boolean> {
    try {
      const { rows } = await this.store.pool.query(
        `select not exists (select 1 from gong_relay.event e join gong_relay.tenant t on t.id = e.tenant
                             where e.status = 'leased' or (e.status = 'pending' and not t.paused)) as idle`,
      );
      return rows[0]?.idle === true;
    } catch {
      return false;
    }
  }

  private async listen(): Promise<void> {
    if (this.stopping) return;
    const client = new pg.Client({ connectionString: this.store.connectionString, application_name: `gong-relay:${process.pid}` });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => {});
      if (!this.stopping) this.listenTimer = setTimeout(() => void this.listen(), this.options.pollMs);
    };
    client.on("error", retry);
    client.on("end", retry);
    client.on("notification", () => this.wakeAll());
    this.listener = client;
    try {
      await client.connect();
      await client.query("listen gong_relay");
      this.wakeAll(); // something may have been enqueued while not listening
    } catch {
      retry(); // polling covers the gap (and PgBouncer in transaction mode, where LISTEN does not work)
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      this.sleepers.push(resolve);
      const at = performance.now() + Math.max(1, ms);
      if (at < this.timerAt) {
        clearTimeout(this.timer);
        this.timerAt = at;
        this.timer = setTimeout(
          () => {
            this.timerAt = Infinity;
            this.timer = undefined;
            this.wakeOne();
          },
          Math.max(1, ms),
        );
      }
    });
  }

  private wakeOne(): void {
    this.sleepers.shift()?.();
  }

  private wakeAll(): void {
    for (const wake of this.sleepers.splice(0)) wake();
  }

  private databaseIsDown(error: unknown): void {
    if (this.databaseDown) return;
    this.databaseDown = true;
    this.log(`database unavailable (${describe(error)}); retrying`);
  }

  private databaseIsUp(): void {
    if (!this.databaseDown) return;
    this.databaseDown = false;
    this.log("database available again");
  }
}
