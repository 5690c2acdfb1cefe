import { z } from "zod";
import { defineProvider } from "../_shared/entry.ts";
import { type HostkeyCredentials, HostkeyDriver } from "./driver.ts";

export const hostkeyCredentials = z.object({
  apiKey: z.string().trim().min(1, "the HOSTKEY API key is required"),
  /** Not a secret: whether the account's PIN is on (see the driver readme, "PIN"). */
  pinMode: z.enum(["auto", "ask", "never"], "auto, ask or never").optional(),
}) satisfies z.ZodType<HostkeyCredentials>;

/** HOSTKEY invapi: API key -> session token; every call is a form POST to `<base>/<module>.php`. */
export const hostkey = defineProvider<HostkeyCredentials>({
  kind: "hostkey",
  defaultBaseUrl: "https://invapi.hostkey.com",
  credentialsSchema: hostkeyCredentials,
  credentialFields: [
    {
      key: "apiKey",
      label: "API key",
      secret: true,
      hint:
        "From the Invapi panel (API keys) at invapi.hostkey.com. An account key sees every server; a per-server " +
        "key only its server. The account PIN is never stored: when HOSTKEY asks for it, the approver types it.",
    },
    {
      key: "pinMode",
      label: "Account PIN",
      secret: false,
      optional: true,
      hint: "Whether HOSTKEY asks this account for its PIN on power and reinstall actions. Empty: learn it from HOSTKEY's first answer.",
      options: [
        { value: "auto", label: "Learn from HOSTKEY (default)" },
        { value: "ask", label: "PIN is on: always ask the approver" },
        { value: "never", label: "PIN is off: never ask" },
      ],
    },
  ],
  create: (ctx) => new HostkeyDriver(ctx),
});
