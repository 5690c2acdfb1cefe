import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Provider credentials at rest: AES-256-GCM, a fresh 12-byte IV per value, stored as
 * "v1.<iv>.<tag>.<ciphertext>" (base64url). The key never touches the database.
 */
export class CredentialCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("The credential key must be 32 bytes.");
    this.#key = key;
  }

  encrypt(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  }

  decrypt(stored: string): unknown {
    const [version, iv, tag, data] = stored.split(".");
    if (version !== "v1" || !iv || !tag || data === undefined)
      throw new Error("Stored credentials have an unknown format.");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      const plain = Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]);
      return JSON.parse(plain.toString("utf8"));
    } catch {
      throw new Error(
        "Stored credentials could not be decrypted: is HOSTOPS_SECRET_KEY the key they were saved with?",
      );
    }
  }
}

/**
 * The key from HOSTOPS_SECRET_KEY, or (embedded database only) one generated once into the data
 * dir with mode 0600. `generated` tells the caller to log that it did.
 */
export function loadCredentialKey(opts: { secretKey?: string; dataDir: string; allowGenerate: boolean }): {
  key: Buffer;
  generated: boolean;
  path?: string;
} {
  if (opts.secretKey) return { key: Buffer.from(opts.secretKey, "base64"), generated: false };
  if (!opts.allowGenerate) throw new Error("HOSTOPS_SECRET_KEY is required.");
  const path = join(opts.dataDir, "secret.key");
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key.`);
    return { key, generated: false, path };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, generated: true, path };
}
