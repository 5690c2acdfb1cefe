import { z } from "zod";
import { type CredentialField, defineProvider } from "../_shared/entry.ts";
import { detectHostBillFeatures } from "./detect.ts";
import { createHostBillDriver, type HostBillCredentials } from "./driver.ts";

/** Client-area login, sent as HTTP Basic with every request (seeds/hostens-client-api.txt lines 6-27). */
const credentialsSchema: z.ZodType<HostBillCredentials> = z.object({
  username: z.string().trim().min(1, "the client-area email is required"),
  password: z.string().min(1, "the client-area password is required"),
});

const fields = (site: string): CredentialField[] => [
  {
    key: "username",
    label: "Client-area email",
    secret: false,
    hint: `The email you log in to ${site} with.`,
  },
  {
    key: "password",
    label: "Client-area password",
    secret: true,
    hint: "HostBill's API uses the full client-area login; a contact login with limited privileges narrows what the bot can do.",
  },
];

export const hostens = defineProvider<HostBillCredentials>({
  kind: "hostens",
  defaultBaseUrl: "https://billing.hostens.com/api",
  credentialsSchema,
  credentialFields: fields("billing.hostens.com"),
  create: (ctx) => createHostBillDriver("hostens", ctx, { domains: true }),
});

/** Same HostBill User API as Hostens; Time4VPS documents no domain routes (PROVIDERS.md 3.2). */
export const time4vps = defineProvider<HostBillCredentials>({
  kind: "time4vps",
  defaultBaseUrl: "https://billing.time4vps.com/api",
  credentialsSchema,
  credentialFields: fields("billing.time4vps.com"),
  create: (ctx) => createHostBillDriver("time4vps", ctx, { domains: false }),
});

/**
 * Any other host whose client area runs HostBill: the same User API, at the base URL the admin
 * gives (the client area's `/api/` root), under the name the admin gives ("Acme Hosting").
 * Whether it has the domain routes is asked of the API when the account is added.
 */
export const hostbill = defineProvider<HostBillCredentials>({
  kind: "hostbill",
  defaultBaseUrl: null,
  customName: true,
  credentialsSchema,
  credentialFields: fields("the host's client area"),
  detectFeatures: detectHostBillFeatures,
  create: (ctx) => createHostBillDriver("hostbill", ctx, { domains: ctx.features?.domains === true }),
});
