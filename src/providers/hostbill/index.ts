// Placeholder so the registry compiles while the driver is written; replaced by the real driver.
import { z } from "zod";
import { defineProvider } from "../_shared/entry.ts";
import { ProviderError } from "../types.ts";

const placeholder = (kind: "hostens" | "time4vps") =>
  defineProvider({
    kind,
    defaultBaseUrl: "https://example.invalid",
    credentialsSchema: z.object({}),
    credentialFields: [],
    create() {
      throw new ProviderError("VALIDATION", "driver not written yet");
    },
  });
export const hostens = placeholder("hostens");
export const time4vps = placeholder("time4vps");
