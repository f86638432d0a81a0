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
 * many runs take seconds each. The suite keeps under the limit it is told. Gong's own pace (3/s) is kept by a
 * run through the CLI (cli.test.ts).
 */
export const STAND_IN_RATE = 8;
/**
 * The smoke profile's burst is one shared burst of at most 30 requests (waves of 10 and 20) that must meet a 429
 * on every operation: its stand-ins limit at 4/s, so that a wave spread over a second by a busy event loop (some
 * thirty suite runs share this process) still goes over the limit.
 */
export const SMOKE_STAND_IN_RATE = 4;
/**
 * Generated bodies per property in a full-profile run against a defective stand-in (CONTRACT_RUNS for the others):
 * each defect is met by a targeted test of its own (the replays, a body breaking each rule, malformed JSON, the
 * bad credentials, the burst, every answer's checks), so more generated bodies only add paced requests to a run
 * that must fail anyway. The conforming stand-ins and the mock still get CONTRACT_RUNS, so generated bodies keep
 * being checked against an implementation that shares no code with the suite.
 */
export const DEFECT_RUNS = "1";
export const PROFILES = {
  smoke: { standInRate: SMOKE_STAND_IN_RATE, flags: { profile: "smoke", ratePerSecond: "3" } },
  full: { standInRate: STAND_IN_RATE, flags: { profile: "full", ratePerSecond: "7" } },
} as const satisfies Record<string, { standInRate: number; flags: Flags }>;

/**
 * gong-contract's runs in cli.test.ts: the smoke burst's plan counts its first wave (10), so the server limits at
 * half of it (the suite keeps just under): a wave of 10 spread over more than a second by a loaded machine
 * still goes over 5/s. (At 8/s a fresh clone's CI run once met no 429 in the first wave and sent 71 of 51
 * planned.) Gong's own pace, the default, is kept by the run that gives no --rate-per-second.
 */
export const CLI_PACE = { standInRate: 5, ratePerSecond: "4" } as const;

export function selfCheckConfig(flags: Flags): Config {
  return resolveConfig(flags, { ...SELF_CHECK_ENV });
}
