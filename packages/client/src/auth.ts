// Turns the caller's credentials into the Authorization header Gong expects, checking them first. Works
// without Node's Buffer (browsers, edge runtimes): base64 via TextEncoder + btoa.

/** Basic auth with an access key pair that a technical admin creates in Gong. */
export interface AccessKeyAuth {
  accessKey: string;
  accessKeySecret: string;
}

/** A token from Gong's OAuth flow (scope `api:engagement-data:write`). */
export interface BearerAuth {
  bearerToken: string;
}

export type GongAuth = AccessKeyAuth | BearerAuth;

export function authorizationHeader(auth: GongAuth): string {
  if (!auth || typeof auth !== "object") {
    throw new TypeError("createEngagementClient: `auth` is required: { accessKey, accessKeySecret } (Basic) or { bearerToken } (OAuth).");
  }
  if ("bearerToken" in auth) {
    requireText(auth.bearerToken, "auth.bearerToken");
    if (!fitsInHeader(auth.bearerToken)) {
      throw new TypeError(
        "createEngagementClient: `auth.bearerToken` must not contain control characters or characters beyond Latin-1 (it is sent in a header).",
      );
    }
    return `Bearer ${auth.bearerToken}`;
  }
  if ("accessKey" in auth || "accessKeySecret" in auth) {
    requireText(auth.accessKey, "auth.accessKey");
    requireText(auth.accessKeySecret, "auth.accessKeySecret");
    if (auth.accessKey.includes(":")) {
      throw new TypeError("createEngagementClient: `auth.accessKey` must not contain ':' (Basic auth separates key and secret with it).");
    }
    return `Basic ${base64(`${auth.accessKey}:${auth.accessKeySecret}`)}`;
  }
  throw new TypeError("createEngagementClient: `auth` must be { accessKey, accessKeySecret } (Basic) or { bearerToken } (OAuth).");
}

function requireText(value: unknown, option: string): asserts value is string {
  // The value is never echoed: it is a credential.
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`createEngagementClient: \`${option}\` must be a non-empty string.`);
  }
  if (/[\r\n]/.test(value)) {
    throw new TypeError(`createEngagementClient: \`${option}\` must not contain line breaks.`);
  }
}

/**
 * Whether `value` can be sent as an HTTP header value as it is: no control character but tab (NUL, CR, LF, ...),
 * nothing beyond Latin-1. fetch refuses anything else with an error that quotes the value, so a token is checked
 * here first, and never quoted.
 */
export function fitsInHeader(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || code > 0xff) return false;
  }
  return true;
}

/** Base64 of the UTF-8 bytes of `text`, without Node's Buffer. */
export function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
