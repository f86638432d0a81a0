// The server under test: by default the project's mock, started in-process on an ephemeral port; with
// CONTRACT_BASE_URL, any server, with credentials from GONG_ACCESS_KEY/GONG_ACCESS_KEY_SECRET or GONG_BEARER_TOKEN.
// Credentials are only ever put in the Authorization header, never printed.

export interface Target {
  baseUrl: string;
  /** Human-readable, without credentials. */
  label: string;
  authorization: string;
  /** Requests per second the suite allows itself (it stays under the target's limit). */
  ratePerSecond: number;
  /** Whether the target honours Prism's `Prefer: code=NNN` (the mock does). */
  supportsPrefer: boolean;
  close(): Promise<void>;
}

/** The mock's own limit when the suite starts it, and the pace the suite keeps against it. */
const IN_PROCESS_MOCK_RATE = 30;

export async function openTarget(env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const baseUrl = env.CONTRACT_BASE_URL?.trim();
  if (baseUrl) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new Error(`CONTRACT_BASE_URL must be an absolute URL such as http://127.0.0.1:4010, got "${baseUrl}"`);
    }
    if (url.username || url.password) {
      throw new Error("CONTRACT_BASE_URL must not carry credentials; set GONG_ACCESS_KEY/GONG_ACCESS_KEY_SECRET or GONG_BEARER_TOKEN");
    }
    return {
      baseUrl: baseUrl.replace(/\/+$/, ""),
      label: baseUrl,
      authorization: authorizationFrom(env),
      ratePerSecond: positiveNumber(env.CONTRACT_RATE_PER_SECOND, "CONTRACT_RATE_PER_SECOND") ?? 3,
      supportsPrefer: ["1", "true", "yes"].includes((env.CONTRACT_PREFER ?? "").toLowerCase()),
      close: async () => {},
    };
  }
  const { startMockServer } = await import("@gong-engage/mock-server");
  const mock = await startMockServer({ port: 0, ratePerSecond: IN_PROCESS_MOCK_RATE, dailyLimit: 0 });
  return {
    baseUrl: mock.url,
    label: `the project's mock, in-process at ${mock.url} (${IN_PROCESS_MOCK_RATE} calls/s per credential)`,
    authorization: `Basic ${Buffer.from("contract-tests:contract-tests-secret").toString("base64")}`,
    ratePerSecond: positiveNumber(env.CONTRACT_RATE_PER_SECOND, "CONTRACT_RATE_PER_SECOND") ?? IN_PROCESS_MOCK_RATE * 0.8,
    supportsPrefer: true,
    close: () => mock.close(),
  };
}

function authorizationFrom(env: NodeJS.ProcessEnv): string {
  if (env.GONG_BEARER_TOKEN) return `Bearer ${env.GONG_BEARER_TOKEN}`;
  if (env.GONG_ACCESS_KEY && env.GONG_ACCESS_KEY_SECRET) {
    return `Basic ${Buffer.from(`${env.GONG_ACCESS_KEY}:${env.GONG_ACCESS_KEY_SECRET}`).toString("base64")}`;
  }
  throw new Error(
    "CONTRACT_BASE_URL is set, so the suite needs credentials: set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN.",
  );
}

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}
