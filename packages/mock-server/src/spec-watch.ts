// `--watch`: reloads the served spec when it changes, without a restart and without losing the journal, the
// duplicate memory or the rate counters (the server only swaps its spec). Watching the spec's split sources
// (this repository's spec/), each change is linted and re-bundled first (@gong-engage/spec's build, Redocly);
// watching a bundled file (--spec), the file is re-read. A change that does not lint, bundle or load is
// reported and the previous spec keeps being served. File events come from chokidar.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { type FSWatcher, watch } from "chokidar";
import { type LoadedSpec, loadSpec } from "./spec.js";

export interface SpecWatchOptions {
  /** A folder holding the split spec (openapi.yaml, paths/, components/): linted and re-bundled on change. */
  sourcesDir?: string | undefined;
  /** Redocly config for the lint and the bundle (sources only). Default: none (Redocly's defaults). */
  config?: string | undefined;
  /** Or a bundled spec file (JSON), re-read on change. */
  specFile?: string | undefined;
  current(): LoadedSpec;
  apply(next: LoadedSpec): void;
  log(line: string): void;
}

export interface SpecWatcher {
  /** What is watched, for the banner. */
  readonly watching: string;
  /** Reloads done so far (successful ones). */
  readonly reloads: number;
  close(): Promise<void>;
}

const DEBOUNCE_MS = 100;
const IGNORED_DIRS = ["dist", "node_modules", "test", "scripts", "lib", "reports"];

/** The split sources of this repository's spec, when @gong-engage/spec is installed beside the mock (the workspace). */
export function workspaceSpecSources(): { sourcesDir: string; config: string } | undefined {
  try {
    const sourcesDir = dirname(createRequire(import.meta.url).resolve("@gong-engage/spec/package.json"));
    return { sourcesDir, config: join(sourcesDir, "..", "redocly.yaml") };
  } catch {
    return undefined;
  }
}

export async function watchSpec(options: SpecWatchOptions): Promise<SpecWatcher> {
  const target = options.sourcesDir ?? options.specFile;
  if (!target) throw new Error("watchSpec: give sourcesDir (the split spec) or specFile (a bundled spec)");
  const outDir = options.sourcesDir ? mkdtempSync(join(tmpdir(), "gong-mock-watch-")) : undefined;
  let reloads = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const reload = async (): Promise<void> => {
    const started = performance.now();
    const before = options.current();
    let next: LoadedSpec;
    try {
      next = options.sourcesDir ? await rebuild(options.sourcesDir, options.config, outDir!) : await loadSpec(options.specFile);
    } catch (error) {
      options.log(`spec change NOT applied, still serving info.version ${before.version}: ${oneLine((error as Error).message)}`);
      return;
    }
    options.apply(next);
    reloads++;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    options.log(`spec reloaded in ${seconds} s (info.version ${before.version} -> ${next.version}): ${await describeChange(before, next)}`);
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running) {
        again = true;
        return;
      }
      running = reload().finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule();
        }
      });
    }, DEBOUNCE_MS);
  };

  const watcher: FSWatcher = watch(target, {
    ignoreInitial: true,
    ignored: (path, stats) =>
      IGNORED_DIRS.some((dir) => path.includes(`${sep}${dir}${sep}`) || path.endsWith(`${sep}${dir}`)) ||
      (!!options.sourcesDir && !!stats?.isFile() && !/\.ya?ml$/.test(path)),
  });
  watcher.on("all", schedule);
  await new Promise<void>((resolve, reject) => {
    watcher.once("ready", resolve);
    watcher.once("error", reject);
  });

  return {
    watching: options.sourcesDir ? `${options.sourcesDir} (lint + bundle on change)` : String(options.specFile),
    get reloads() {
      return reloads;
    },
    async close() {
      clearTimeout(timer);
      await watcher.close();
      await running;
      if (outDir) rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Lints and bundles the split spec with @gong-engage/spec's build (Redocly), then loads the bundle. */
async function rebuild(sourcesDir: string, config: string | undefined, outDir: string): Promise<LoadedSpec> {
  const build = (await importOptional("@gong-engage/spec/build")) as
    | { lintSpec(o: object): Promise<void>; bundleSpec(o: object): Promise<{ jsonPath: string }> }
    | undefined;
  if (!build) throw new Error("re-bundling the spec's sources needs @gong-engage/spec (this repository's workspace)");
  const settings = { dir: sourcesDir, ...(config ? { config } : {}) };
  const [, bundle] = await Promise.all([build.lintSpec(settings), build.bundleSpec({ ...settings, outDir })]);
  return loadSpec(bundle.jsonPath);
}

/** One line: what changed, from @gong-engage/spec's diff (breaking / non-breaking / docs-only) where available. */
async function describeChange(before: LoadedSpec, after: LoadedSpec): Promise<string> {
  const diff = (await importOptional("@gong-engage/spec/diff")) as
    | { compareSpecs(a: unknown, b: unknown): { changes: Array<{ kind: string; operation: string; what: string }> }; summaryLine(r: unknown): string }
    | undefined;
  if (diff) {
    const result = diff.compareSpecs(before.document, after.document);
    if (!result.changes.length) return "no changes";
    const shown = result.changes.slice(0, 3).map((c) => `${c.kind}: ${c.operation.split(" ")[0]}: ${c.what}`);
    const more = result.changes.length > 3 ? `; and ${result.changes.length - 3} more` : "";
    return `${diff.summaryLine(result)} (${shown.join("; ")}${more})`;
  }
  const statuses = (spec: LoadedSpec) => spec.operations.map((o) => `${o.operationId} ${o.statuses.join(",")}`).join("; ");
  return statuses(before) === statuses(after) ? "same operations and statuses" : `now ${statuses(after)}`;
}

async function importOptional(specifier: string): Promise<unknown> {
  try {
    // A variable specifier: @gong-engage/spec is optional (present in this repository, absent when installed).
    const name: string = specifier;
    return await import(name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("@gong-engage/spec")) {
      return undefined;
    }
    throw error;
  }
}

function oneLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(0, 6).join(" | ") + (lines.length > 6 ? ` | ... (${lines.length - 6} more lines)` : "");
}
