import { randomBytes } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CredentialCipher, loadCredentialKey } from "./crypto.ts";

describe("credential cipher", () => {
  it("round-trips, uses a fresh IV each time and hides the plaintext", () => {
    const c = new CredentialCipher(randomBytes(32));
    const creds = { username: "ops@example.com", password: "s3cret-Pa55" };
    const a = c.encrypt(creds);
    const b = c.encrypt(creds);
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(c.decrypt(a)).toEqual(creds);
  });

  it("refuses tampered ciphertext and a wrong key", () => {
    const c = new CredentialCipher(randomBytes(32));
    const enc = c.encrypt({ k: "v" });
    const parts = enc.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => c.decrypt(parts.join("."))).toThrowError(/could not be decrypted/);
    expect(() => new CredentialCipher(randomBytes(32)).decrypt(enc)).toThrowError(/HOSTOPS_SECRET_KEY/);
  });

  it("generates a key once into the data dir with mode 0600", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostops-key-"));
    const first = loadCredentialKey({ dataDir: dir, allowGenerate: true });
    expect(first.generated).toBe(true);
    expect(statSync(first.path!).mode & 0o777).toBe(0o600);
    const again = loadCredentialKey({ dataDir: dir, allowGenerate: true });
    expect(again.generated).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
    expect(() => loadCredentialKey({ dataDir: dir, allowGenerate: false })).toThrowError(
      /HOSTOPS_SECRET_KEY/,
    );
  });
});
