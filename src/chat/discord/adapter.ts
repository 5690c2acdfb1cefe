import type { AdapterDeps, ChatAdapter } from "../adapter.ts";
import { type DiscordHandle, startDiscord } from "./index.ts";

/** Discord behind the adapter contract (src/chat/adapter.ts): the gateway, no server of its own. */
export function createDiscordAdapter(deps: AdapterDeps): ChatAdapter {
  let handle: DiscordHandle | undefined;
  return {
    platform: "discord",
    servesHttp: false,
    get messenger() {
      if (!handle) throw new Error("Discord is not started");
      return handle.messenger;
    },
    isReady: () => handle?.connected() ?? false,
    async start() {
      handle = await startDiscord({
        core: deps.core,
        dispatcher: deps.dispatcher,
        config: deps.config,
        log: deps.log,
        signal: deps.signal,
        retry: deps.retry,
      });
    },
    stopIntake: () => handle?.stopIntake(),
    stop: async () => handle?.stop(),
  };
}
