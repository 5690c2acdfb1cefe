import { scrub } from "../observability/secrets.ts";
import { ProviderError, type ProviderKind, providerName } from "../providers/types.ts";

/** An expected outcome meant for the person who typed the command (bad input, no permission, …). */
export class UserError extends Error {
  override readonly name = "UserError";
  readonly kind: "invalid" | "denied" | "not_found" | "conflict" | "unsupported";
  constructor(kind: UserError["kind"], message: string) {
    super(message);
    this.kind = kind;
  }
}

/** A provider failure as a sentence a person can act on, naming the account. */
export function describeProviderError(
  err: ProviderError,
  account: { label: string; kind: ProviderKind; displayName?: string | null },
): string {
  const name = providerName(account);
  const acct = `account *${account.label}*`;
  if (err.about === "baseUrl")
    return `${scrub(err.message)} (${acct}) An admin can correct the base URL with \`/hosting accounts edit ${account.label}\`.`;
  switch (err.code) {
    case "AUTH_FAILED":
      return `${name} rejected the credentials of ${acct}; an admin can update them with \`/hosting accounts edit ${account.label}\`.`;
    case "NOT_FOUND":
      return `${name} (${acct}) has no such item.`;
    case "RATE_LIMITED":
      return `${name} is rate limiting ${acct}; try again in a minute.`;
    case "INSUFFICIENT_FUNDS":
      return `${name} says the balance of ${acct} is too low. Top it up in the ${name} panel.`;
    case "VALIDATION":
      return `${name} refused the request for ${acct}: ${scrub(err.message)}`;
    case "NETWORK":
      return `${scrub(err.message)} (${acct}) Try again shortly.`;
    case "UPSTREAM":
      return `${name} had an internal error for ${acct}; try again later.`;
    case "UNEXPECTED_RESPONSE":
      return `${scrub(err.message)} (${acct})`;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

export { ProviderError };
