import { scrub } from "../observability/secrets.ts";
import { ProviderError, type ProviderKind, providerName } from "../providers/types.ts";
import { command, plainText, type Rich, rich, strong, type Text, toRich } from "./rich.ts";

/**
 * An expected outcome meant for the person who typed the command (bad input, no permission, …).
 * `message` is its plain reading (logs, tests); `text` is what the person is shown.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  readonly kind: "invalid" | "denied" | "not_found" | "conflict" | "unsupported";
  readonly text: Rich;
  constructor(kind: UserError["kind"], message: Text) {
    super(plainText(message));
    this.kind = kind;
    this.text = toRich(message);
  }
}

/** A provider failure as a sentence a person can act on, naming the account. */
export function describeProviderError(
  err: ProviderError,
  account: { label: string; kind: ProviderKind; displayName?: string | null },
): Rich {
  const name = providerName(account);
  const acct = rich`account ${strong(account.label)}`;
  const edit = command(["accounts", "edit"], { label: account.label });
  if (err.about === "baseUrl")
    return rich`${scrub(err.message)} (${acct}) An admin can correct the base URL with ${edit}.`;
  switch (err.code) {
    case "AUTH_FAILED":
      return rich`${name} rejected the credentials of ${acct}; an admin can update them with ${edit}.`;
    case "NOT_FOUND":
      return rich`${name} (${acct}) has no such item.`;
    case "RATE_LIMITED":
      return rich`${name} is rate limiting ${acct}; try again in a minute.`;
    case "INSUFFICIENT_FUNDS":
      return rich`${name} says the balance of ${acct} is too low. Top it up in the ${name} panel.`;
    case "VALIDATION":
      return rich`${name} refused the request for ${acct}: ${scrub(err.message)}`;
    case "NETWORK":
      return rich`${scrub(err.message)} (${acct}) Try again shortly.`;
    case "UPSTREAM":
      return rich`${name} had an internal error for ${acct}; try again later.`;
    case "UNEXPECTED_RESPONSE":
      return rich`${scrub(err.message)} (${acct})`;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

export { ProviderError };
