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
 * quotes it. Undefined for anything else (a fraction, an unsafe number that may already be rounded, text, an
 * integer outside the int64 range).
 */
export function toInt64(value: unknown): bigint | undefined {
  const integer =
    typeof value === "bigint"
      ? value
      : typeof value === "number" && Number.isSafeInteger(value)
        ? BigInt(value)
        : typeof value === "string" && INTEGER.test(value)
          ? BigInt(value)
          : undefined;
  return integer !== undefined && integer >= INT64_MIN && integer <= INT64_MAX ? integer : undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
