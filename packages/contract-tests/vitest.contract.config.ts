// `pnpm contract`: the contract suite alone, against the mock or CONTRACT_BASE_URL.
import { defineConfig } from "vitest/config";

const ci = process.env.CI === "true";

export default defineConfig({
  test: {
    include: ["test/contract/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ci ? ["default", ["junit", { outputFile: "reports/contract-junit.xml" }]] : ["default"],
  },
});
