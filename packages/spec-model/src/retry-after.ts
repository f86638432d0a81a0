// Retry-After (RFC 9110 §10.2.3): a non-negative number of seconds, which is what Gong sends, or an HTTP-date.

const SECONDS = /^\d+$/;
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT")
// and asctime ("Sun Nov  6 08:49:37 1994"). Anything else `Date.parse` would guess at ("5.5" is a date to it).
const HTTP_DATE = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * The seconds to wait that a Retry-After value asks for: its integer seconds, or the whole seconds from `nowMs`
 * to its HTTP-date (0 when that date has passed). Undefined when the value is absent or unusable (negative,
 * fractional, an unknown date form).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (SECONDS.test(text)) return Number(text);
  if (!HTTP_DATE.some((form) => form.test(text))) return undefined;
  // asctime carries no zone; HTTP dates are GMT (Date.parse would read it in the machine's own zone).
  const date = Date.parse(HTTP_DATE[2]!.test(text) ? `${text} GMT` : text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}
