// Tenant credentials at rest: AES-256-GCM (node:crypto) with a key from GONG_RELAY_SECRET_KEY, the tenant's id
// as additional authenticated data (a blob copied to another tenant does not decrypt). Nothing here ever puts a
// credential or the key in a message.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { GongAuth } from "@gong-engage/client";
import type { Pool } from "pg";
import { RelayUsageError } from "./errors.js";

export const SECRET_KEY_ENV = "GONG_RELAY_SECRET_KEY";
const VERSION = 1;

/** The 32-byte key from the environment: 64 hex digits or base64 of 32 bytes. */
export function secretKeyFrom(value: string | undefined): Buffer {
  if (value === undefined || value.trim() === "") {
    throw new RelayUsageError(
      `${SECRET_KEY_ENV} is not set: tenant credentials are stored encrypted with it. Create one with \`openssl rand -base64 32\`, keep it in your secret store, and give every gong-relay process the same one.`,
    );
  }
  const text = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32 || (!/^[0-9a-f]{64}$/i.test(text) && !/^[A-Za-z0-9+/]{43}=?$/.test(text))) {
    throw new RelayUsageError(`${SECRET_KEY_ENV} must be 32 bytes, as 64 hex digits or base64 (\`openssl rand -base64 32\`).`);
  }
  return key;
}

export function encryptCredentials(key: Buffer, tenant: string, auth: GongAuth): Buffer {
  return encryptJson(key, tenant, auth);
}

export function decryptCredentials(key: Buffer, tenant: string, blob: Buffer): GongAuth {
  return decryptJson(key, tenant, blob) as GongAuth;
}

/** Any JSON value, bound to `aad` (the tenant id, or the tenant id and what the blob is). */
export function encryptJson(key: Buffer, aad: string, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function decryptJson(key: Buffer, aad: string, blob: Buffer): unknown {
  const tenant = aad.split("\u0000")[0]!;
  try {
    if (blob[0] !== VERSION) throw new Error("version");
    const decipher = createDecipheriv("aes-256-gcm", key, blob.subarray(1, 13));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(blob.subarray(13, 29));
    const text = Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString("utf8");
    return JSON.parse(text);
  } catch {
    throw new RelayUsageError(
      `the credentials of tenant ${JSON.stringify(tenant)} cannot be decrypted with this ${SECRET_KEY_ENV}: every gong-relay process needs the key they were stored with (or store them again: gong-relay tenant update ${tenant} ...)`,
    );
  }
}

/** The additional data an OAuth grant's secrets are bound to: the tenant id and what the blob is. */
export const grantAad = (tenant: string) => `${tenant}\u0000oauth-grant`;

/**
 * Refuses a key that does not decrypt what is stored (one tenant's keys, or one grant): a worker with another key
 * than the others would pause every tenant it claims, for all workers.
 */
export async function checkStoredSecrets(pool: Pool, key: Buffer): Promise<void> {
  const { rows } = await pool.query<{ tenant: string; blob: Buffer; grant: boolean }>(
    `(select id as tenant, credentials as blob, false as "grant" from gong_relay.tenant where credentials is not null limit 1)
     union all (select tenant, secrets, true from gong_relay.oauth_grant limit 1)`,
  );
  for (const { tenant, blob, grant } of rows) {
    try {
      decryptJson(key, grant ? grantAad(tenant) : tenant, blob);
    } catch {
      throw new RelayUsageError(
        `${SECRET_KEY_ENV} does not decrypt the stored credentials (tenant ${JSON.stringify(tenant)}'s ${grant ? "OAuth grant" : "keys"}): this worker has another key than the one they were stored with. Nothing was claimed and no tenant was paused; start it with the key the other gong-relay processes use.`,
      );
    }
  }
}
