#!/usr/bin/env node
// `pnpm spec:diff [--base <git ref>] [--markdown <file>]`: what a spec change means for the apps that send
// events. Bundles the spec in the working tree and the spec at a git ref (default: the merge base with main),
// prints the changes grouped as breaking / non-breaking / docs-only (rules: lib/diff.mjs), and exits 1 on a
// breaking change unless info.version has a new major version.
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { bundleSpec, defaultConfig, specDir } from "../lib/build.mjs";
import { compareSpecs, formatMarkdown, formatText, gate, summaryLine } from "../lib/diff.mjs";

const HELP = `pnpm spec:diff [--base <git ref>] [--head <git ref>] [--markdown <file>]

Compares the spec in the working tree (spec/, uncommitted edits included) with the spec at a git ref, and
prints every change from the point of view of an app that sends events:
  breaking      a new required request field, a removed or narrowed enum value, a removed property, a
                tighter format, type or limit, a removed operation, response status, header or content type
  non-breaking  a new optional field, a widened enum or type, a new documented status, a new operation
  docs-only     descriptions, summaries, examples, tags, info
Each line names the operation and the JSON pointer (into the bundled spec) of the change.

Options:
  --base <ref>        the git ref to compare with (default: the merge base of HEAD with main, or origin/main)
  --head <ref>        compare the spec at this git ref instead of the working tree
  --markdown <file>   also write the changelog as Markdown to <file>
  -h, --help          this text

Also writes the Markdown to $GITHUB_STEP_SUMMARY when that is set (GitHub Actions).
Exit code: 0 when there is no breaking change, or info.version has a new major version; 1 on a breaking
change without one; 2 on a usage or git error.`;

function fail(message, code = 2) {
  console.error(`spec:diff: ${message}`);
  process.exit(code);
}

function git(args, cwd = specDir) {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/** The default base: where this branch left main (so a branch's own changes are compared, not main's newer ones). */
function defaultBase() {
  for (const candidate of ["main", "origin/main"]) {
    try {
      return { ref: git(["merge-base", "HEAD", candidate]).trim(), label: `the merge base with ${candidate}` };
    } catch {
      // try the next one
    }
  }
  fail("no branch `main` or `origin/main` to compare with; pass --base <git ref> (e.g. --base origin/main after `git fetch`)");
}

/** Writes spec/ (and redocly.yaml) as they were at `ref` into `dir`; returns the spec folder there. */
function checkoutSpecAt(ref, dir) {
  const root = git(["rev-parse", "--show-toplevel"]).trim();
  const specPrefix = relative(root, specDir).split("\\").join("/");
  let files;
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    files = git(["ls-tree", "-r", "--name-only", ref, "--", specPrefix, "redocly.yaml"], root).split("\n").filter(Boolean);
  } catch {
    fail(`"${ref}" is not a git ref here (a branch, tag or commit; run \`git fetch\` for a remote branch)`);
  }
  const wanted = files.filter((f) => f === "redocly.yaml" || (/\.ya?ml$/.test(f) && !/\/(dist|node_modules|test)\//.test(f)));
  if (!wanted.includes(`${specPrefix}/openapi.yaml`)) fail(`${ref} has no ${specPrefix}/openapi.yaml`);
  for (const file of wanted) {
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, execFileSync("git", ["show", `${ref}:${file}`], { cwd: root, maxBuffer: 64 * 1024 * 1024 }));
  }
  return { dir: join(dir, specPrefix), config: wanted.includes("redocly.yaml") ? join(dir, "redocly.yaml") : defaultConfig };
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: {
      base: { type: "string" },
      head: { type: "string" },
      markdown: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  fail(`${error.message}\nRun with --help for the options.`);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const base = values.base ? { ref: values.base, label: values.base } : defaultBase();
const work = mkdtempSync(join(tmpdir(), "gong-engage-spec-diff-"));
let result;
try {
  const then = checkoutSpecAt(base.ref, join(work, "base"));
  const now = values.head ? checkoutSpecAt(values.head, join(work, "head")) : { dir: specDir, config: defaultConfig };
  const [before, after] = await Promise.all([
    bundleSpec({ dir: then.dir, config: then.config, outDir: join(work, "base-bundle") }),
    bundleSpec({ dir: now.dir, config: now.config, outDir: join(work, "head-bundle") }),
  ]).catch((error) => fail(`could not bundle the spec: ${error.message}`));
  result = compareSpecs(JSON.parse(readFileSync(before.jsonPath, "utf8")), JSON.parse(readFileSync(after.jsonPath, "utf8")));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const shortRef = (() => {
  try {
    return git(["rev-parse", "--short", base.ref]).trim();
  } catch {
    return base.ref;
  }
})();
const title = `Spec changes: ${values.head ? values.head : "working tree"} against ${base.label} (${shortRef})`;
console.log(formatText(result, title));
const markdown = formatMarkdown(result, title);
if (values.markdown) writeFileSync(values.markdown, markdown);
if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);

const verdict = gate(result);
if (!verdict.ok) {
  console.error(`\nspec:diff: ${verdict.reason}.`);
  process.exit(1);
}
if (result.changes.length) console.log(`\nspec:diff: ${summaryLine(result)}: ${verdict.reason}.`);
