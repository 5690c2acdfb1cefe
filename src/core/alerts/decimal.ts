/**
 * Exact decimal arithmetic for alert rules (money is never a float). Amounts are decimal strings
 * ("12.50"); internally they are bigint units at a fixed scale of 6 fractional digits.
 */

const SCALE = 6;
const ONE = 10n ** BigInt(SCALE);

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** True for a plain decimal string such as "12", "12.5" or "-0.01". */
export function isDecimal(s: string): boolean {
  return DECIMAL.test(s.trim());
}

/** "12.345" -> 12345000n (scale 6); digits beyond the scale are truncated. */
export function toUnits(s: string): bigint {
  const m = DECIMAL.exec(s.trim());
  if (!m) throw new Error(`not a decimal: ${s}`);
  const [, sign, int = "0", frac = ""] = m;
  const v = BigInt(int) * ONE + BigInt(frac.slice(0, SCALE).padEnd(SCALE, "0"));
  return sign ? -v : v;
}

/** Units back to a decimal string with `dp` fractional digits, rounded half away from zero. */
export function fromUnits(u: bigint, dp = 2): string {
  const neg = u < 0n;
  let abs = neg ? -u : u;
  const drop = 10n ** BigInt(SCALE - dp);
  abs = (abs + drop / 2n) / drop;
  const digits = abs.toString().padStart(dp + 1, "0");
  const int = digits.slice(0, digits.length - dp);
  const frac = dp > 0 ? `.${digits.slice(-dp)}` : "";
  return `${neg && abs !== 0n ? "-" : ""}${int}${frac}`;
}

/** a / n for a whole divisor, in units (rounded half up). */
export function divUnits(a: bigint, n: bigint): bigint {
  if (n === 0n) throw new Error("division by zero");
  return (a * 2n + n) / (2n * n);
}
