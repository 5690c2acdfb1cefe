import { z } from "zod";
import { defineProvider } from "../_shared/entry.ts";
import { type HostkeyCredentials, HostkeyDriver } from "./driver.ts";

export const hostkeyCredentials = z.object({
  apiKey: z.string().trim().min(1, "the HOSTKEY API key is required"),
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
        "key only its server. The account PIN is not stored: the approver types it for each power or reinstall action.",
    },
  ],
  create: (ctx) => new HostkeyDriver(ctx),
});
