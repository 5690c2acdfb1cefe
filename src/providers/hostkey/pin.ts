/**
 * HOSTKEY account PIN: checked before it is sent, sent only with the call that needs it, never
 * stored, and scrubbed from every message while that call runs. "line N" = a line in
 * shared/seeds/hostkey-invapi.txt.
 */
import { forgetSecret, registerSecret } from "../../observability/secrets.ts";
import { type PinOption, ProviderError } from "../types.ts";

/**
 * The PIN is optional: an account can switch it off, and HOSTKEY's own clients (Terraform provider,
 * WHMCS module) never send one. When the approver typed one it is sent (never stored, line 938);
 * when not, the call goes without it and a PIN refusal comes back as `pinRejected`.
 */
export function optionalPin(opts: PinOption | undefined): string | undefined {
  const pin = opts?.pin?.trim();
  if (!pin) return undefined;
  // `pin | * | int`: a malformed PIN would still count as a failed attempt towards the lock-out.
  if (!/^\d{1,32}$/.test(pin))
    throw new ProviderError("VALIDATION", "A HOSTKEY PIN is made of digits only.", {
      provider: "hostkey",
      retryable: false,
      notSent: true,
      pinRejected: true,
    });
  return pin;
}

/**
 * Treats the PIN as a secret (scrubbed from every message) only while a call that carries it runs.
 * The secret registry counts its holders, so concurrent calls with one PIN need no count of their
 * own here: each call registers once and forgets once, and the PIN goes when the last call ends.
 */
export async function withPinSecret<T>(pin: string | undefined, run: () => Promise<T>): Promise<T> {
  if (pin === undefined) return run();
  registerSecret(pin);
  try {
    return await run();
  } finally {
    forgetSecret(pin);
  }
}
