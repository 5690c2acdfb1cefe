import { z } from "zod";
import { defineProvider } from "../_shared/entry.ts";
import { Host4CoinsDriver } from "./driver.ts";

export { HOST4COINS_CAPABILITIES, host4coinsTaskRef } from "./driver.ts";

/** Host4Coins REST v1 (seeds/host4coins-api-v1.txt). Auth: headers `apipublic` + `apiprivate`. */
export const host4coins = defineProvider({
  kind: "host4coins",
  // "Endpoint: https://host4coins.net/api/v1/" (seed line 5).
  defaultBaseUrl: "https://host4coins.net/api/v1/",
  credentialsSchema: z.object({
    apiPublic: z.string().trim().min(1),
    apiPrivate: z.string().trim().min(1),
  }),
  credentialFields: [
    {
      key: "apiPublic",
      label: "API key, public part",
      secret: true,
      hint: "Host4Coins settings > API Key; sent as the apipublic header.",
    },
    {
      key: "apiPrivate",
      label: "API key, private part",
      secret: true,
      hint: "Shown only once when the key is generated; sent as the apiprivate header.",
    },
  ],
  create: (ctx) => new Host4CoinsDriver(ctx),
});
