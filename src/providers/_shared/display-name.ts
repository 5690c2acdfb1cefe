import { PROVIDER_NAMES, type ProviderDriver, ProviderError, type ProviderKind } from "../types.ts";

/**
 * A driver of a kind that stands for many hosts speaks of itself by the kind's generic name
 * ("HostBill (other host) rejected the credentials"). This wraps it so that every error message
 * and every action or task summary names the host the admin gave instead ("Acme Hosting
 * rejected the credentials"), and every ProviderError carries that name. The driver itself
 * stays unaware of it.
 */
export function withDisplayName(
  driver: ProviderDriver,
  kind: ProviderKind,
  displayName: string,
): ProviderDriver {
  if (!displayName || displayName === PROVIDER_NAMES[kind]) return driver;
  const { renameError, renameResult } = renamer(kind, displayName);
  return new Proxy(driver, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        let out: unknown;
        try {
          out = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw renameError(err);
        }
        if (out instanceof Promise)
          return out.then(renameResult, (err: unknown) => {
            throw renameError(err);
          });
        return out;
      };
    },
  });
}

/** Puts the display name in place of the kind's generic name, in errors and in `summary` results. */
export function renamer(kind: ProviderKind, displayName: string) {
  const generic = PROVIDER_NAMES[kind];
  const rename = (text: string) => text.split(generic).join(displayName);
  const renameError = (err: unknown): unknown => {
    if (!(err instanceof ProviderError)) return err;
    return new ProviderError(err.code, rename(err.message), {
      provider: err.provider ?? kind,
      retryable: err.retryable,
      status: err.status,
      cause: err.cause,
      about: err.about,
      notSent: err.notSent,
      pinRejected: err.pinRejected,
      displayName,
    });
  };
  const renameResult = (value: unknown): unknown => {
    if (value && typeof value === "object" && !Array.isArray(value) && "summary" in value) {
      const summary = (value as { summary: unknown }).summary;
      if (typeof summary === "string") return { ...value, summary: rename(summary) };
    }
    return value;
  };
  return { renameError, renameResult };
}
