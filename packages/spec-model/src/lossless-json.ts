// Reads JSON without losing int64 precision. `JSON.parse` turns integrationId 5517027188234206123 into
// 5517027188234206000; lossless-json hands us each number's digits, and integers become BigInt.
import { parse } from "lossless-json";

const INTEGER = /^-?\d+$/;

function parseNumber(digits: string): number | bigint {
  return INTEGER.test(digits) ? BigInt(digits) : Number(digits);
}

/**
 * Parses JSON text; every integer becomes a bigint (so an int64 is exact whatever its size), other numbers stay
 * numbers. Throws SyntaxError on text that is not JSON.
 */
export function parseLossless(text: string): unknown {
  return parse(text, null, parseNumber);
}

/**
 * An int64 read from a parsed body: a bigint, a safe integer number, or a string of digits from a server that
 * quotes it. Undefined for anything else (a fraction, an unsafe number that may already be rounded, text).
 */
export function toInt64(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && INTEGER.test(value)) return BigInt(value);
  return undefined;
}
