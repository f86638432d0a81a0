// Gong's authentication, as the mock checks it: `Basic base64(accessKey:accessKeySecret)` or `Bearer <token>`.
// Malformed or missing credentials are refused; optionally only configured credentials are accepted.
// Messages never repeat the credential.

export interface AcceptedCredentials {
  /** Access key pairs to accept; others get 401. Empty or absent: any well-formed pair is accepted. */
  accessKeys?: Array<{ accessKey: string; accessKeySecret: string }>;
  /** Bearer tokens to accept; others get 401. Empty or absent: any non-empty token is accepted. */
  bearerTokens?: string[];
}

export type AuthResult = { ok: true; principal: string } | { ok: false; problem: string };

export function authenticate(header: string | undefined, accepted: AcceptedCredentials = {}): AuthResult {
  if (!header || header.trim() === "") {
    return { ok: false, problem: "Authorization header is missing: send Basic base64(accessKey:accessKeySecret) or Bearer <token>" };
  }
  // The scheme is the first word; the credentials may be missing ("Bearer " with nothing after it).
  const [first = "", ...rest] = header.trim().split(/\s+/);
  const scheme = first.toLowerCase();
  const value = rest.join(" ").trim();
  if (scheme === "basic") {
    const decoded = decodeBase64(value);
    const colon = decoded?.indexOf(":") ?? -1;
    if (decoded === undefined || colon <= 0 || colon === decoded.length - 1) {
      return { ok: false, problem: "Authorization: Basic credentials must be base64(accessKey:accessKeySecret)" };
    }
    const accessKey = decoded.slice(0, colon);
    const accessKeySecret = decoded.slice(colon + 1);
    if (accepted.accessKeys?.length && !accepted.accessKeys.some((k) => k.accessKey === accessKey && k.accessKeySecret === accessKeySecret)) {
      return { ok: false, problem: "Authorization: unknown access key or wrong secret" };
    }
    return { ok: true, principal: `basic:${accessKey}` };
  }
  if (scheme === "bearer") {
    if (!value) return { ok: false, problem: "Authorization: the Bearer token is empty" };
    if (accepted.bearerTokens?.length && !accepted.bearerTokens.includes(value)) {
      return { ok: false, problem: "Authorization: the Bearer token is not valid" };
    }
    return { ok: true, principal: `bearer:${value}` };
  }
  return { ok: false, problem: `Authorization: the ${JSON.stringify(first.slice(0, 20))} scheme is not accepted; use Basic or Bearer` };
}

function decodeBase64(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, "base64").toString("utf8");
}
