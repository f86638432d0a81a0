// The schema's versions: migrations/NNNN_name.sql, applied in order, each in its own transaction, under an
// advisory lock (two processes migrating at once take turns). `gong_relay.schema_version` records them; at
// start every command checks the database is at the version this relay ships.
import { readdirSync, readFileSync } from "node:fs";
import type { Pool } from "pg";
import { RelayDatabaseError } from "./errors.js";

const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url);
const LOCK_KEY = 0x676f6e67; // "gong"

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function shippedMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{4}_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file, sql: readFileSync(new URL(file, MIGRATIONS_DIR), "utf8") }));
}

export const SCHEMA_VERSION = Math.max(...shippedMigrations().map((m) => m.version));

/** Applies the migrations the database lacks; returns the names of those applied. */
export async function migrate(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock($1)", [LOCK_KEY]);
    // Only when it is missing: `create schema if not exists` needs CREATE on the database even when the schema is
    // there, and a database admin may have created it for the relay's role, which then lacks that right.
    const { rowCount } = await client.query("select 1 from pg_namespace where nspname = 'gong_relay'");
    if (!rowCount) await client.query("create schema gong_relay");
    await client.query(
      "create table if not exists gong_relay.schema_version (version integer primary key, name text not null, applied_at timestamptz not null default now())",
    );
    const { rows } = await client.query<{ version: number }>("select version from gong_relay.schema_version");
    const done = new Set(rows.map((r) => r.version));
    for (const migration of shippedMigrations()) {
      if (done.has(migration.version)) continue;
      await client.query("begin");
      try {
        await client.query(migration.sql);
        await client.query("insert into gong_relay.schema_version (version, name) values ($1, $2)", [migration.version, migration.name]);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw new RelayDatabaseError(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query("select pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}

/** Throws unless the database's gong_relay schema is exactly at this relay's version. */
export async function checkSchema(pool: Pool): Promise<void> {
  const exists = await pool.query<{ table: string | null }>("select to_regclass('gong_relay.schema_version')::text as table");
  const { rows } = exists.rows[0]?.table
    ? await pool.query<{ version: number | null }>("select max(version) as version from gong_relay.schema_version")
    : { rows: [] };
  const version = rows[0]?.version ?? null;
  if (version === null) {
    throw new RelayDatabaseError("the database has no gong_relay schema yet: run `gong-relay migrate` (with the same DATABASE_URL) first");
  }
  if (version < SCHEMA_VERSION) {
    throw new RelayDatabaseError(`the database's gong_relay schema is at version ${version}, this relay needs ${SCHEMA_VERSION}: run \`gong-relay migrate\``);
  }
  if (version > SCHEMA_VERSION) {
    throw new RelayDatabaseError(
      `the database's gong_relay schema is at version ${version}, newer than this relay (${SCHEMA_VERSION}): upgrade @gong-engage/relay`,
    );
  }
}
