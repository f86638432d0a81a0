// createRelay: the programmatic API, one object over a store (store.ts): enqueue, tenants, workers, status.
// The CLI (cli.ts) is a thin shell over it.
import type { Pool } from "pg";
import { type EnqueueItem, type EnqueueResult, enqueueOwn, insertRows, prepare, type Queryable } from "./enqueue.js";
import { type Log, stderrLog } from "./log.js";
import type { RelayMetrics } from "./metrics.js";
import { migrate } from "./migrations.js";
import { type OAuthAppConfig, oauthAppFromEnv } from "./oauth.js";
import { parseDuration, purge, retryDead, retryRefused, status, type TenantStatus } from "./operate.js";
import { loadRelaySpec, type RelaySpec } from "./operations.js";
import { SECRET_KEY_ENV, secretKeyFrom } from "./secrets.js";
import { openStore, type Store, type StoreOptions } from "./store.js";
import { Tenants } from "./tenants.js";
import type { RunSummary, WorkerOptions } from "./worker.js";

export interface RelayOptions extends StoreOptions {
  /** The key tenant credentials are encrypted with. @default process.env.GONG_RELAY_SECRET_KEY */
  secretKey?: string;
  /** The bundled spec, or another (a path or a parsed document). */
  spec?: string | Record<string, unknown>;
  /** State-change lines. @default to stderr with a timestamp */
  log?: Log;
  /**
   * The OAuth app that renews the tokens of OAuth tenants without an app of their own.
   * @default from GONG_OAUTH_CLIENT_ID, GONG_OAUTH_CLIENT_SECRET and GONG_OAUTH_TOKEN_URL (Gong's token endpoint when unset)
   */
  oauthApp?: OAuthAppConfig;
}

export interface Relay {
  readonly store: Store;
  readonly pool: Pool;
  readonly spec: RelaySpec;
  readonly tenants: Tenants;
  /**
   * Stores events for delivery. Every item is checked first: any invalid item or unknown tenant refuses the
   * whole call (naming the item and field) and nothing is stored. With `db` (your pg client, inside your
   * transaction), the events are stored in your transaction; else in one of the relay's own.
   */
  enqueue(items: readonly EnqueueItem[], options?: { db?: Queryable }): Promise<EnqueueResult>;
  /** Runs a worker in this process until `signal` aborts (or, with untilIdle, nothing is left). */
  run(options?: WorkerOptions & { metrics?: RelayMetrics }): Promise<RunSummary>;
  status(tenant?: string): Promise<TenantStatus[]>;
  retryDead(tenant?: string): Promise<number>;
  /** Refused events (Gong's 4xx) back to the queue, once their cause is fixed. */
  retryRefused(tenant?: string): Promise<number>;
  /** `olderThan` as a duration ("7d") or milliseconds. */
  purge(olderThan: string | number, options?: { includeDead?: boolean }): Promise<number>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

// The bundled spec, read once per process: every relay created without a spec of its own shares it, and so shares
// its validators, each compiled at its first use (loadRelaySpec loads the model lazily).
let bundledSpec: RelaySpec | undefined;
function readSpec(source: RelayOptions["spec"]): RelaySpec {
  if (source !== undefined) return loadRelaySpec(source);
  bundledSpec ??= loadRelaySpec();
  return bundledSpec;
}

export async function createRelay(options: RelayOptions = {}): Promise<Relay> {
  const log = options.log ?? stderrLog();
  // The spec is read (and its validators compiled) on first use: status, migrate, retry... never need it.
  let loaded: RelaySpec | undefined;
  const spec = () => (loaded ??= readSpec(options.spec));
  const store = await openStore({ ...options, log });
  let key: Buffer | undefined;
  const secretKey = () => (key ??= secretKeyFrom(options.secretKey ?? process.env[SECRET_KEY_ENV]));
  const tenants = new Tenants(store.pool, () => spec().rateLimits, secretKey);
  return {
    store,
    pool: store.pool,
    get spec() {
      return spec();
    },
    tenants,
    enqueue: async (items, { db } = {}) => {
      const rows = prepare(spec(), items);
      return db ? insertRows(db, rows) : enqueueOwn(store.pool, rows);
    },
    run: async ({ metrics, ...workerOptions } = {}) => {
      secretKey(); // refuse to start without the key, before claiming anything
      const oauthApp = options.oauthApp ?? oauthAppFromEnv();
      // Loaded here: only a worker needs prom-client and the delivery loop (the other commands start faster).
      const [{ Worker }, { RelayMetrics }] = await Promise.all([import("./worker.js"), import("./metrics.js")]);
      const worker = new Worker(store, spec(), secretKey, metrics ?? new RelayMetrics(store.pool), log, workerOptions, oauthApp);
      return worker.run();
    },
    status: (tenant) => status(store.pool, tenant),
    retryDead: (tenant) => retryDead(store.pool, tenant),
    retryRefused: (tenant) => retryRefused(store.pool, tenant),
    purge: (olderThan, { includeDead } = {}) =>
      purge(store.pool, typeof olderThan === "number" ? olderThan : parseDuration(olderThan, "olderThan"), includeDead),
    migrate: () => migrate(store.pool),
    close: () => store.close(),
  };
}
