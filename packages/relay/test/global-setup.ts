// One folder for the whole run, holding every data folder and temp file the scenarios make, removed at the end:
// - a template database cluster (initdb once, never started): a scenario that needs a Postgres of its own (a restart,
//   an orphaned server) starts a copy of it instead of running initdb again; zero set-up still runs its own initdb;
// - one real Postgres (a copy of the template, started through the relay's own embedded store) that every other
//   scenario shares, with a database of its own (helpers.ts: freshDatabase).
// And the mock Gongs the scenarios ask for (mock-host.ts), served from this process.
// Killed mid-run (turbo stopping the task, Ctrl-C), vitest exits without the teardown: the exit hook then stops every
// Postgres under the run's folder, whichever process started it; killed with SIGKILL, a watcher does (leftovers.ts).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openEmbedded, prepareDataDir } from "../src/embedded.js";
import { onAnyExit, stopNow, watchOver } from "./leftovers.js";
import { serveMocks } from "./mock-host.js";

export default async function setup(project: TestProject) {
  const runDir = mkdtempSync(join(tmpdir(), "gong-relay-test-"));
  chmodSync(runDir, 0o755);
  const removeRun = () => {
    stopNow([], [runDir]);
    rmSync(runDir, { recursive: true, force: true });
  };
  onAnyExit(removeRun);
  watchOver(runDir);
  const template = join(runDir, "template");
  const [mocks] = await Promise.all([serveMocks(), prepareDataDir(template)]);
  const shared = join(runDir, "shared");
  execFileSync("cp", ["-a", template, shared]);
  const server = await openEmbedded(shared);
  project.provide("postgresUrl", server.connectionString);
  project.provide("runDir", runDir);
  project.provide("templateDataDir", template);
  project.provide("mockHost", mocks.url);
  return async () => {
    await mocks.close();
    await server.close();
    removeRun();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    /** Where the scenarios make their folders (helpers.ts: tempDir); removed at the end, whatever happens. */
    runDir: string;
    /** A data folder with an initialised cluster, never started: copy it (helpers.ts: copyOfTemplate). */
    templateDataDir: string;
    /** Where the scenarios ask for a mock Gong of their own (mock-host.ts; helpers.ts: startMock). */
    mockHost: string;
  }
}
