import type { webApi } from "@slack/bolt";
import type { Messenger } from "../../core/context.ts";
import type { Reply } from "../../core/reply.ts";
import type { MessageRef } from "../../db/schema.ts";
import { splitImages, uploadImages } from "./files.ts";
import { renderReply } from "./render.ts";

/** Posts and updates channel messages through the Slack Web API (cards, alerts, thread notes). */
export function createSlackMessenger(client: webApi.WebClient): Messenger {
  return {
    platform: "slack",
    async post(_workspaceId, channelId, reply: Reply): Promise<MessageRef> {
      const r = await client.chat.postMessage({
        channel: channelId,
        ...renderReply(reply),
        unfurl_links: false,
      });
      if (!r.ts) throw new Error("Slack did not return a message timestamp");
      return { platform: "slack", channel: r.channel ?? channelId, ts: r.ts };
    },
    async update(_workspaceId, ref, reply) {
      if (ref.platform !== "slack") throw new Error("not a Slack message");
      await client.chat.update({ channel: ref.channel, ts: ref.ts, ...renderReply(reply) });
    },
    async postPictures(_workspaceId, channelId, reply) {
      const { images, rest } = splitImages(reply);
      if (images.length) await uploadImages(client, channelId, images, rest.text);
      else await client.chat.postMessage({ channel: channelId, ...renderReply(reply), unfurl_links: false });
    },
    async postInThread(_workspaceId, ref, reply) {
      if (ref.platform !== "slack") throw new Error("not a Slack message");
      await client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        ...renderReply(reply),
        unfurl_links: false,
      });
    },
  };
}
