// What every package's vitest config shares: the default reporter, plus reports/vitest.json (a turbo output;
// `pnpm test` totals the tests of every package from these files) and, with CI=true, JUnit XML for CI; and the
// order in which a package's test files start.
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

type Reporter = string | [string, Record<string, unknown>];

export function reporters({ junit = process.env.CI === "true" }: { junit?: boolean } = {}): Reporter[] {
  return ["default", ["json", { outputFile: "reports/vitest.json" }], ...(junit ? [["junit", { outputFile: "reports/junit.xml" }] as Reporter] : [])];
}

/**
 * A sequencer that starts the named test files first, in the order given, then the rest in vitest's own order.
 * Vitest starts the files that took longest last time first, but only when its results cache has them: in a fresh
 * clone (every CI run) it has none and starts the largest files first, so a small file that waits a minute on
 * Gong's pacing could start last and make the package's run that much longer (a fresh clone's relay tests took 83 s
 * instead of 64 s). The list is the package's long scenarios; `root` is the package, for the check that each named
 * file exists (a renamed file must not silently drop out of the list).
 */
export function longestFirst(root: string, files: readonly string[]): typeof BaseSequencer {
  for (const file of files) {
    if (!existsSync(resolve(root, file))) throw new Error(`longestFirst: ${file} is not a file in ${root}; update the package's vitest config.`);
  }
  return class LongestFirst extends BaseSequencer {
    override async sort(specs: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(specs);
      const rank = (spec: TestSpecification) => {
        const index = files.indexOf(relative(spec.project.config.root, spec.moduleId).split("\\").join("/"));
        return index === -1 ? files.length : index;
      };
      // Array.prototype.sort is stable: the files not named keep vitest's order among themselves.
      return sorted.sort((a, b) => rank(a) - rank(b));
    }
  };
}
