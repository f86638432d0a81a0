// The OAuth flags of gong-mock (cli.ts wires them): `--oauth-client <id>:<secret>` (repeatable) or
// GONG_MOCK_OAUTH_CLIENTS, and `--token-ttl <seconds>`. Secrets are never printed: the banner names client ids.
import { type MockOAuthClient, type MockOAuthOptions, parseOAuthClient } from "./oauth-server.js";

export const OAUTH_HELP = `  --oauth-client <id>:<secret>  be Gong's OAuth server for this app too (repeat for more apps); off without it
                           [GONG_MOCK_OAUTH_CLIENTS, "id:secret" separated by ";" (keeps the secret out of ps)]
  --token-ttl <seconds>    OAuth access-token lifetime (expires_in)  [GONG_MOCK_TOKEN_TTL]     default 86400`;

export function readOAuthOptions(
  flags: string[] | undefined,
  ttlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  usageError: (message: string) => Error,
): { oauth?: MockOAuthOptions } {
  const texts = flags ?? (env.GONG_MOCK_OAUTH_CLIENTS ?? "").split(";").filter((text) => text.trim());
  const ttlText = ttlFlag ?? env.GONG_MOCK_TOKEN_TTL;
  let clients: MockOAuthClient[];
  try {
    clients = texts.map((text) => parseOAuthClient(text.trim()));
  } catch (error) {
    throw usageError(`--oauth-client: ${(error as Error).message}`);
  }
  if (ttlText !== undefined && ttlText !== "" && !/^[1-9]\d*$/.test(ttlText))
    throw usageError(`--token-ttl must be a whole number of seconds from 1, got "${ttlText}"`);
  if (!clients.length) {
    if (ttlText) throw usageError("--token-ttl needs --oauth-client <id>:<secret> (OAuth is off without a client)");
    return {};
  }
  return { oauth: { clients, ...(ttlText ? { tokenTtlSeconds: Number(ttlText) } : {}) } };
}

export function oauthBanner(url: string, oauth: MockOAuthOptions | undefined, state: Record<string, unknown> | undefined): string[] {
  if (!oauth) return [];
  const clientId = oauth.clients[0]!.clientId;
  const scope = encodeURIComponent(((state?.scopes as string[] | undefined) ?? []).join(" "));
  return [
    `OAuth server for ${oauth.clients.map((c) => c.clientId).join(", ")}; access tokens live ${oauth.tokenTtlSeconds ?? 86_400}s; each authorization is a customer company`,
    `  authorize: ${url}/oauth2/authorize?client_id=${encodeURIComponent(clientId)}&response_type=code&scope=${scope}&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcallback&state=xyz`,
    `  token:     POST ${url}/oauth2/generate-customer-token (Basic client_id:client_secret)   state: curl ${url}/__mock/oauth`,
  ];
}
