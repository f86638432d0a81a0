// The server under test: by default the project's mock, started in-process on an ephemeral port; with
// CONTRACT_BASE_URL, any server, with the credentials of the configuration (see config.ts). Credentials are
// only ever put in the Authorization header, never printed.

import type { SpecModel } from "@gong-engage/spec-model";
import type { Config } from "./config.js";

export interface Target {
  baseUrl: string;
  /** Human-readable, without credentials. */
  label: string;
  authorization: string;
  /** Requests per second the suite allows itself (it stays under the target's limit). */
  ratePerSecond: number;
  /** Requests per UTC day the suite allows itself (0: no limit). */
  perDay: number;
  /** Whether the target honours Prism's `Prefer: code=NNN` (the mock does). */
  supportsPrefer: boolean;
  /** Whether the suite started the target itself (the in-process mock). */
  inProcess: boolean;
  close(): Promise<void>;
}

/**
 * The in-process mock's limit: 40 calls/s for the full profile (hundreds of requests), Gong's own limit for the
 * smoke profile (its one burst must meet the limit within 30 requests). The suite paces at the limit itself, as
 * it does against Gong: its pacer starts a request a full second after the answer to the one `limit` requests
 * earlier, and the mock counts calls as they arrive, so no paced request can be the one over the limit.
 */
const IN_PROCESS_MOCK_FULL_RATE = 40;

/** The target of `config`; the in-process mock serves the spec the suite runs (`config.specPath`). */
export async function openTarget(config: Config, model: SpecModel): Promise<Target> {
  // Gong's documented limit: the suite's pace against any other server unless told otherwise.
  const gongRate = model.rateLimits.perSecond;
  if (!(gongRate > 0) && config.ratePerSecond === undefined) {
    throw new Error(`the spec ${config.specPath} has no x-gong-rate-limits.perSecond: set CONTRACT_RATE_PER_SECOND (--rate-per-second)`);
  }
  if (config.baseUrl) {
    return {
      baseUrl: config.baseUrl,
      label: config.baseUrl,
      authorization: config.authorization!,
      ratePerSecond: config.ratePerSecond ?? gongRate,
      perDay: model.rateLimits.perDay,
      supportsPrefer: config.prefer,
      inProcess: false,
      close: async () => {},
    };
  }
  const { startMockServer } = await import("@gong-engage/mock-server");
  const limit = config.profile === "full" ? IN_PROCESS_MOCK_FULL_RATE : gongRate;
  const mock = await startMockServer({ port: 0, ratePerSecond: limit, dailyLimit: 0, specPath: config.specPath });
  return {
    baseUrl: mock.url,
    label: `the project's mock, in-process at ${mock.url} (${limit} calls/s per credential)`,
    authorization: `Basic ${Buffer.from("contract-tests:contract-tests-secret").toString("base64")}`,
    ratePerSecond: config.ratePerSecond ?? limit,
    perDay: 0, // the mock's own daily limit is off (dailyLimit: 0)
    supportsPrefer: true,
    inProcess: true,
    close: () => mock.close(),
  };
}
