// Where the relay keeps its queue: the user's Postgres (DATABASE_URL), in the gong_relay schema, migrated by
// `gong-relay migrate` and checked at start; or, without one, an embedded Postgres in a data folder
// (embedded.ts), migrated at start. Same SQL both ways.
import pg from "pg";
import { type EmbeddedServer, openEmbedded } from "./embedded.js";
import { RelayDatabaseError, redactUrl } from "./errors.js";
import { checkSchema, migrate } from "./migrations.js";

export interface StoreOptions {
  /** The user's Postgres. Without it, an embedded Postgres in `dataDir`. */
  databaseUrl?: string | undefined;
  /** The embedded Postgres' data folder. @default "./.gong-relay" */
  dataDir?: string | undefined;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
  /** "check" (default with a DATABASE_URL): refuse an unmigrated database; "apply": migrate (default embedded). */
  schema?: "check" | "apply" | "none";
  log?: (line: string) => void;
}

export interface Store {
  pool: pg.Pool;
  connectionString: string;
  /** For messages: the URL with its password hidden, or "embedded Postgres in <dir>". */
  description: string;
  embedded: EmbeddedServer | undefined;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = ".gong-relay";

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const embedded = options.databaseUrl ? undefined : await openEmbedded(options.dataDir ?? DEFAULT_DATA_DIR, options.log);
  const connectionString = options.databaseUrl ?? embedded!.connectionString;
  const description = embedded ? `embedded Postgres in ${embedded.dataDir}` : redactUrl(connectionString);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    // A refused connection fails at once whatever this is; this bounds a connection that hangs. 5 s was seen to
    // expire on a healthy local Postgres when the machine was busy (2 cores, a dozen processes starting at once).
    connectionTimeoutMillis: 15_000,
    application_name: `gong-relay:${process.pid}`,
  });
  // An idle connection that breaks (a Postgres restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const close = async () => {
    await pool.end().catch(() => {});
    await embedded?.close();
  };
  try {
    await pool.query("select 1");
    const schema = options.schema ?? (embedded ? "apply" : "check");
    if (schema === "apply") await migrate(pool);
    else if (schema === "check") await checkSchema(pool);
  } catch (error) {
    await close();
    if (error instanceof RelayDatabaseError) throw error;
    throw new RelayDatabaseError(`cannot reach the database (${description}): ${describe(error)}`);
  }
  return { pool, connectionString, description, embedded, close };
}

/** One line for a database error: its message, or its code when the message is empty (AggregateError). */
export function describe(error: unknown): string {
  const e = error as { message?: string; code?: string; errors?: Array<{ message?: string }> };
  return e?.message || e?.errors?.map((x) => x.message).join("; ") || e?.code || String(error);
}
