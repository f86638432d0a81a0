// The suite's settings, from the gong-contract CLI's flags and the CONTRACT_* / GONG_* environment variables (a
// flag wins over its variable). Resolved and checked once, in the process that starts the suite, before anything
// is sent, and handed to the test worker as a value (vitest's provide/inject), never written back to
// process.env. A bad value is a ConfigError whose message says what is wrong and how to fix it, in one line.
import { resolve } from "node:path";
import { bundledSpecPath, checkBaseUrl } from "@gong-engage/spec-model";

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
  /** The bundled OpenAPI JSON file the suite plans, preflights and runs (absolute path). */
  specPath: string;
  /** Authorization header for a CONTRACT_BASE_URL target; undefined for the in-process mock. */
  authorization: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const DEFAULT_RUNS = 100;
export const DEFAULT_SEED = 20261123;

/** The settings a flag can give (each has an environment variable; see cli.ts). */
export interface Flags {
  baseUrl?: string | undefined;
  profile?: string | undefined;
  maxRequests?: string | undefined;
  ratePerSecond?: string | undefined;
  runs?: string | undefined;
  seed?: string | undefined;
  spec?: string | undefined;
  report?: string | undefined;
  junit?: string | undefined;
  prefer?: boolean | undefined;
}

/** The flag, else its environment variable: one environment for the rest of resolveConfig. */
function merged(flags: Flags, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const pick = (flag: string | undefined, variable: string) => (flag !== undefined ? flag : env[variable]);
  return {
    ...env,
    CONTRACT_BASE_URL: pick(flags.baseUrl, "CONTRACT_BASE_URL"),
    CONTRACT_PROFILE: pick(flags.profile, "CONTRACT_PROFILE"),
    CONTRACT_MAX_REQUESTS: pick(flags.maxRequests, "CONTRACT_MAX_REQUESTS"),
    CONTRACT_RATE_PER_SECOND: pick(flags.ratePerSecond, "CONTRACT_RATE_PER_SECOND"),
    CONTRACT_RUNS: pick(flags.runs, "CONTRACT_RUNS"),
    CONTRACT_SEED: pick(flags.seed, "CONTRACT_SEED"),
    CONTRACT_SPEC: pick(flags.spec, "CONTRACT_SPEC"),
    CONTRACT_REPORT: pick(flags.report, "CONTRACT_REPORT"),
    CONTRACT_JUNIT: pick(flags.junit, "CONTRACT_JUNIT"),
    CONTRACT_PREFER: flags.prefer ? "true" : env.CONTRACT_PREFER,
  };
}

/** Flags over environment variables, checked; `preflightRequests` is set later by whoever runs the preflight. */
export function resolveConfig(flags: Flags = {}, environment: NodeJS.ProcessEnv = process.env): Config {
  const env = merged(flags, environment);
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
    ratePerSecond: integer(env.CONTRACT_RATE_PER_SECOND, "CONTRACT_RATE_PER_SECOND (--rate-per-second)", 1),
    prefer: truthy(env.CONTRACT_PREFER),
    report: env.CONTRACT_REPORT?.trim() || undefined,
    junit: env.CONTRACT_JUNIT?.trim() || undefined,
    progress: env.CONTRACT_PROGRESS !== undefined ? truthy(env.CONTRACT_PROGRESS) : !process.stdout.isTTY,
    preflightRequests: 0,
    specPath: env.CONTRACT_SPEC?.trim() ? resolve(env.CONTRACT_SPEC.trim()) : bundledSpecPath(),
    authorization: baseUrl ? authorizationFrom(env) : undefined,
  };
}

function readBaseUrl(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    return checkBaseUrl(value, "CONTRACT_BASE_URL (--base-url)", {
      credentialsHint: "set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN",
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function authorizationFrom(env: NodeJS.ProcessEnv): string {
  if (env.GONG_BEARER_TOKEN?.trim()) return `Bearer ${env.GONG_BEARER_TOKEN.trim()}`;
  const key = env.GONG_ACCESS_KEY?.trim();
  const secret = env.GONG_ACCESS_KEY_SECRET?.trim();
  if (key && secret) return `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;
  if (key || secret) {
    throw new ConfigError(
      `credentials: ${key ? "GONG_ACCESS_KEY_SECRET" : "GONG_ACCESS_KEY"} is missing; set both GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET (or GONG_BEARER_TOKEN)`,
    );
  }
  throw new ConfigError(
    "credentials missing: a server under test (--base-url) needs GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_BEARER_TOKEN, in the environment",
  );
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new ConfigError(`${name} must be a whole number from ${min}, got "${value}"`);
  return Number(value);
}

const truthy = (value: string | undefined) => ["1", "true", "yes"].includes((value ?? "").trim().toLowerCase());
