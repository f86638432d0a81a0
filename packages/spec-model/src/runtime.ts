// @gong-engage/spec-model/runtime: what a client needs at run time, with no Node APIs (it ships to browsers and
// edge runtimes): lossless int64 parsing, Retry-After, the base-URL check, duplicate keys, network-error codes,
// and Ajv errors as readable issues.

export { checkBaseUrl } from "./base-url.js";
export { duplicateKeyOf } from "./duplicate-key.js";
export { describeIssues, fieldPath, formatIssues } from "./issues.js";
export { parseLossless, toInt64 } from "./lossless-json.js";
export { errorCodes, neverReached } from "./network-errors.js";
export { parseRetryAfter } from "./retry-after.js";
export type { GongEventRule, RateLimits, ValidationIssue } from "./types.js";
