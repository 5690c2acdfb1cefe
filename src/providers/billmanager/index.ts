import { z } from "zod";
import { defineProvider } from "../_shared/entry.ts";
import { createTheHostDriver, type TheHostCredentials } from "./driver.ts";

/** TheHost domain reselling on ISPsystem BILLmanager (`func=` API). See readme.md. */
export const thehost = defineProvider<TheHostCredentials>({
  kind: "thehost",
  // $API_URL "my.thehost.com.ua/manager/billmgr" (seed lines 4-5), over HTTPS (line 2).
  defaultBaseUrl: "https://my.thehost.com.ua/manager/billmgr",
  credentialsSchema: z.object({
    // authinfo=LOGIN:PASSWORD: a colon in the login would move the split point.
    login: z
      .string()
      .trim()
      .min(1)
      .refine((s) => !s.includes(":"), "the login cannot contain a colon"),
    password: z.string().min(1),
  }),
  credentialFields: [
    {
      key: "login",
      label: "Reseller login",
      secret: false,
      hint: "The login of your TheHost personal account (my.thehost.com.ua) with the domain reselling program.",
    },
    {
      key: "password",
      label: "Reseller password",
      secret: true,
      hint: "The password of that account. The API has no API keys: it sends login and password with every call.",
    },
  ],
  create: (ctx) => createTheHostDriver(ctx),
});
