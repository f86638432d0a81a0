// What every package's vitest config shares: the default reporter, plus reports/vitest.json (a turbo output;
// `pnpm test` totals the tests of every package from these files) and, with CI=true, JUnit XML for CI.
type Reporter = string | [string, Record<string, unknown>];

export function reporters({ junit = process.env.CI === "true" }: { junit?: boolean } = {}): Reporter[] {
  return ["default", ["json", { outputFile: "reports/vitest.json" }], ...(junit ? [["junit", { outputFile: "reports/junit.xml" }] as Reporter] : [])];
}
