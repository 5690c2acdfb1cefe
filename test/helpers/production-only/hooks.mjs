// The resolve hook that register.mjs installs (it runs on node's loader thread).
import { isBuiltin } from "node:module";

let allowed = new Set();

export function initialize(data) {
  allowed = new Set(data.dependencies);
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for relative, absolute and URL specifiers. */
function packageOf(specifier) {
  if (/^[./]|^[a-z][a-z0-9+.-]*:/i.test(specifier) || specifier.startsWith("#")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export async function resolve(specifier, context, next) {
  const fromApp = context.parentURL?.startsWith("file:") && !context.parentURL.includes("/node_modules/");
  const name = packageOf(specifier);
  if (fromApp && name && !isBuiltin(specifier) && !allowed.has(name))
    throw new Error(`${specifier} (imported from ${context.parentURL}) is not a production dependency`);
  return next(specifier, context);
}
