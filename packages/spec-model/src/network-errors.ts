// What a failed fetch says about itself: the error codes undici and Node put on the error, its `cause` chain
// and an AggregateError's `errors` (a host with several addresses fails once per address).

// Codes that mean the request never left for the server: nothing can have been recorded there.
const NEVER_REACHED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT", "ERR_INVALID_URL"]);

/** Every `code` (and "TimeoutError" name, as "TIMEOUT") on the error, its causes and aggregated errors. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const collect = (value: unknown, depth: number) => {
    if (!value || typeof value !== "object" || depth > 4) return;
    const { code, cause, errors, name } = value as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
    if (typeof code === "string") codes.push(code);
    if (name === "TimeoutError") codes.push("TIMEOUT");
    collect(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) collect(inner, depth + 1);
  };
  collect(error, 0);
  return codes;
}

/** True when the error proves the request never reached the server (refused, no such host, no route, ...). */
export function neverReached(error: unknown): boolean {
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((code) => NEVER_REACHED.has(code));
}
