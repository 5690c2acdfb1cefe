/**
 * HOSTKEY values that are secrets: the root password kept as an eq/show tag (stripped from raw
 * records), and the root password a reinstall must send (generated here to HOSTKEY's rules).
 * "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */
import { randomInt } from "node:crypto";
import { stripSecrets } from "../_shared/normalize.ts";

const SECRET_TAG = /pass|secret|token|api_?key|^pin$|credential/i;

/**
 * stripSecrets plus HOSTKEY's tag lists: eq/show keeps the root password as a tag
 * (`{"tag": "password", "value": "wK5Vjwx_BC"}`, line 3566, HK-21), which key-based stripping misses.
 */
export function stripHostkeySecrets<T>(value: T): T {
  return dropSecretTags(stripSecrets(value)) as T;
}

function dropSecretTags(value: unknown): unknown {
  if (Array.isArray(value))
    return value
      .filter(
        (v) =>
          !(
            v &&
            typeof v === "object" &&
            typeof (v as { tag?: unknown }).tag === "string" &&
            SECRET_TAG.test((v as { tag: string }).tag)
          ),
      )
      .map(dropSecretTags);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = dropSecretTags(v);
    return out;
  }
  return value;
}

/** The four characters HOSTKEY accepts besides letters and digits in a root password. */
export const ROOT_PASS_SPECIALS = "%-_+";

/**
 * HOSTKEY's root password rules (the `root_pass` validator of its Terraform provider,
 * validators_root_pass.go): 8-30 characters of letters, digits and `%`, `-`, `_`, `+` only (so never
 * `@` or `#`), with an upper and a lower case letter, a digit and at least one of the four
 * specials, and not starting with a special.
 */
export function isValidRootPassword(pass: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9%_+-]{7,29}$/.test(pass) &&
    /[A-Z]/.test(pass) &&
    /[a-z]/.test(pass) &&
    /[0-9]/.test(pass) &&
    /[%_+-]/.test(pass)
  );
}

/** A crypto-random root password that meets {@link isValidRootPassword}; 24 characters by default. */
export function generateRootPassword(length = 24): string {
  if (!Number.isInteger(length) || length < 8 || length > 30)
    throw new RangeError("a HOSTKEY root password has 8 to 30 characters");
  const upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const lower = "abcdefghijkmnopqrstuvwxyz";
  const digits = "23456789";
  const alnum = upper + lower + digits;
  const all = alnum + ROOT_PASS_SPECIALS;
  const pick = (set: string) => set.charAt(randomInt(set.length));
  // The first character is never a special; the rest holds one of each class, then random fill.
  const first = pick(alnum);
  const rest = [pick(upper), pick(lower), pick(digits), pick(ROOT_PASS_SPECIALS)];
  while (rest.length < length - 1) rest.push(pick(all));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [rest[i], rest[j]] = [rest[j] as string, rest[i] as string];
  }
  return first + rest.join("");
}
