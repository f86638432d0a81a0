// Fresh identifiers for responses: a Gong-style requestId for every response, and for Gong's id of an accepted
// event (the operation's x-gong-event resultIdField) an int64 always beyond 2^53, so that a client that reads
// it as a double is caught rounding it.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** 19 lower-case base-36 characters, like Gong's "4al018gzaztcr8nbukw". */
export function newRequestId(): string {
  const bytes = randomBytes(19);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % 36];
  return id;
}

const TWO_POW_62 = 1n << 62n;

/** A random int64 in [2^62, 2^63): far beyond 2^53, with low digits that a double cannot keep. */
export function newInt64(): bigint {
  const bytes = randomBytes(8);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return TWO_POW_62 + (value % TWO_POW_62);
}
