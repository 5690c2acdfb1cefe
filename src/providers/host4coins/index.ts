// Placeholder so the registry compiles while the driver is written; replaced by the real driver.
import { z } from "zod";
import { defineProvider } from "../_shared/entry.ts";
import { ProviderError } from "../types.ts";

export const host4coins = defineProvider({
  kind: "host4coins",
  defaultBaseUrl: "https://example.invalid",
  credentialsSchema: z.object({}),
  credentialFields: [],
  create() {
    throw new ProviderError("VALIDATION", "driver not written yet");
  },
});
