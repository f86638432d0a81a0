// The settings the self-checks run the suite with: resolved by the suite's own resolveConfig, as gong-contract
// does, from flags and an environment of their own (never this process's environment).
import { type Config, type Flags, resolveConfig } from "../../src/config.js";

export const SELF_CHECK_ENV = {
  GONG_ACCESS_KEY: "self-check-key",
  GONG_ACCESS_KEY_SECRET: "self-check-secret",
  CONTRACT_RUNS: "12",
  CONTRACT_PROGRESS: "0",
} as const;

/**
 * Each profile against a stand-in, and the stand-in's limit: below the suite's burst wave (10 requests at once),
 * so that one wave meets it however slowly a busy machine sends the waves, and above Gong's 3/s, so that the
 * many runs take seconds each. The suite keeps under the limit it is told. Gong's own pace (3/s) is kept by the
 * run through the CLI against the mock (cli.test.ts).
 */
export const STAND_IN_RATE = 8;
/**
 * The smoke profile's burst is one shared burst of at most 30 requests (waves of 10 and 20) that must meet a 429
 * on every operation: its stand-ins limit at 4/s, so that a wave spread over a second by a busy event loop (28
 * suite runs share this process) still goes over the limit.
 */
export const SMOKE_STAND_IN_RATE = 4;
export const PROFILES = {
  smoke: { standInRate: SMOKE_STAND_IN_RATE, flags: { profile: "smoke", ratePerSecond: "3" } },
  full: { standInRate: STAND_IN_RATE, flags: { profile: "full", ratePerSecond: "7" } },
} as const satisfies Record<string, { standInRate: number; flags: Flags }>;

export function selfCheckConfig(flags: Flags): Config {
  return resolveConfig(flags, { ...SELF_CHECK_ENV });
}
