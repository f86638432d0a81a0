// The settings the self-checks run the suite with: resolved by the suite's own resolveConfig, as gong-contract
// does, from flags and an environment of their own (never this process's environment).
import { resolveConfig, type Config, type Flags } from "../../src/config.js";

export const SELF_CHECK_ENV = {
  GONG_ACCESS_KEY: "self-check-key",
  GONG_ACCESS_KEY_SECRET: "self-check-secret",
  CONTRACT_RUNS: "12",
  CONTRACT_PROGRESS: "0",
} as const;

/**
 * Each profile against a stand-in, and the stand-in's limit. The suite keeps under the limit it is told (90%),
 * and the limit is low enough that the smoke profile's one burst (at most 30 requests) meets it. Gong's own pace
 * (3/s) is kept by the runs through the CLI (cli.test.ts).
 */
export const PROFILES = {
  smoke: { standInRate: 10, flags: { profile: "smoke", ratePerSecond: "9" } },
  full: { standInRate: 40, flags: { profile: "full", ratePerSecond: "30" } },
} as const satisfies Record<string, { standInRate: number; flags: Flags }>;

export function selfCheckConfig(flags: Flags): Config {
  return resolveConfig(flags, { ...SELF_CHECK_ENV });
}
