// The suite's settings, from CONTRACT_* and GONG_* environment variables (the gong-contract CLI turns its flags
// into these). Read and checked in one place, before anything is sent; a bad value is a ConfigError whose
// message says what is wrong and how to fix it, in one line.

export type Profile = "full" | "smoke";

export interface Config {
  /** The server under test; undefined: the project's mock, started in-process. */
  baseUrl: string | undefined;
  /** full: every check with generated inputs; smoke: every documented status with as few requests as it can. */
  profile: Profile;
  /** Never send more requests than this (preflight included). */
  maxRequests: number | undefined;
  /** Generated inputs per property, per operation (full profile). */
  runs: number;
  seed: number;
  /** The pace the suite keeps, requests per second; undefined: the target's default. */
  ratePerSecond: number | undefined;
  /** The target honours Prism's `Prefer: code=NNN`. */
  prefer: boolean;
  /** Write the Markdown report to this file. */
  report: string | undefined;
  junit: string | undefined;
  /** Print a progress line every 10 s (when the output is not a terminal, e.g. CI logs). */
  progress: boolean;
  /** Requests the CLI's preflight already sent (they count against maxRequests). */
  preflightRequests: number;
  /** Authorization header for a CONTRACT_BASE_URL target; undefined for the in-process mock. */
  authorization: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const DEFAULT_RUNS = 100;
export const DEFAULT_SEED = 20261123;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const baseUrl = readBaseUrl(env.CONTRACT_BASE_URL);
  const profile = (env.CONTRACT_PROFILE?.trim() || (baseUrl ? "smoke" : "full")) as Profile;
  if (profile !== "full" && profile !== "smoke") {
    throw new ConfigError(`CONTRACT_PROFILE (--profile) must be "full" or "smoke", got "${env.CONTRACT_PROFILE}"`);
  }
  return {
    baseUrl,
    profile,
    maxRequests: integer(env.CONTRACT_MAX_REQUESTS, "CONTRACT_MAX_REQUESTS (--max-requests)", 1),
    runs: integer(env.CONTRACT_RUNS, "CONTRACT_RUNS (--runs)", 1) ?? DEFAULT_RUNS,
    seed: integer(env.CONTRACT_SEED, "CONTRACT_SEED (--seed)", 0) ?? DEFAULT_SEED,
    ratePerSecond: positive(env.CONTRACT_RATE_PER_SECOND, "CONTRACT_RATE_PER_SECOND (--rate-per-second)"),
    prefer: truthy(env.CONTRACT_PREFER),
    report: env.CONTRACT_REPORT?.trim() || undefined,
    junit: env.CONTRACT_JUNIT?.trim() || undefined,
    progress: env.CONTRACT_PROGRESS !== undefined ? truthy(env.CONTRACT_PROGRESS) : !process.stdout.isTTY,
    preflightRequests: integer(env.CONTRACT_PREFLIGHT_REQUESTS, "CONTRACT_PREFLIGHT_REQUESTS", 0) ?? 0,
    authorization: baseUrl ? authorizationFrom(env) : undefined,
  };
}

function readBaseUrl(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`CONTRACT_BASE_URL (--base-url) must be an absolute URL such as https://api.gong.io or http://127.0.0.1:4010, got "${text}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`CONTRACT_BASE_URL (--base-url) must use http or https, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError("CONTRACT_BASE_URL (--base-url) must not carry credentials: set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN");
  }
  return text.replace(/\/+$/, "");
}

function authorizationFrom(env: NodeJS.ProcessEnv): string {
  if (env.GONG_BEARER_TOKEN?.trim()) return `Bearer ${env.GONG_BEARER_TOKEN.trim()}`;
  const key = env.GONG_ACCESS_KEY?.trim();
  const secret = env.GONG_ACCESS_KEY_SECRET?.trim();
  if (key && secret) return `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;
  if (key || secret) {
    throw new ConfigError(`credentials: ${key ? "GONG_ACCESS_KEY_SECRET" : "GONG_ACCESS_KEY"} is missing; set both GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET (or GONG_BEARER_TOKEN)`);
  }
  throw new ConfigError("credentials missing: a server under test (--base-url) needs GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN, in the environment");
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new ConfigError(`${name} must be a whole number from ${min}, got "${value}"`);
  return Number(value);
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got "${value}"`);
  return n;
}

const truthy = (value: string | undefined) => ["1", "true", "yes"].includes((value ?? "").trim().toLowerCase());
