// The one check of a base URL (the client's `baseUrl`, the suite's `--base-url`, the mock's `--upstream`).

/**
 * `url` as a base URL: absolute http(s), without credentials, query or fragment, trailing slashes trimmed.
 * Throws a TypeError that starts with `who` (e.g. "createEngagementClient: `baseUrl`", "--base-url");
 * `credentialsHint` says where credentials go instead.
 */
export function checkBaseUrl(url: string, who: string, options: { credentialsHint?: string } = {}): string {
  const text = typeof url === "string" ? url.trim() : "";
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TypeError(`${who} must be an absolute http(s) URL such as https://api.gong.io, got ${JSON.stringify(url)}.`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TypeError(`${who} must use http or https, got ${JSON.stringify(parsed.protocol)}.`);
  }
  if (parsed.username || parsed.password) {
    throw new TypeError(`${who} must not carry credentials${options.credentialsHint ? `; ${options.credentialsHint}` : ""}.`);
  }
  if (parsed.search || parsed.hash) {
    throw new TypeError(`${who} must not have a query or fragment, got ${JSON.stringify(parsed.search + parsed.hash)}.`);
  }
  return text.replace(/\/+$/, "");
}
