import type { webApi } from "@slack/bolt";
import type { Messenger } from "../../core/context.ts";
import type { Reply } from "../../core/reply.ts";
import type { MessageRef } from "../../db/schema.ts";
import { splitImages, uploadImages } from "./files.ts";
import { renderReply } from "./render.ts";

/** The Web API client that speaks for one workspace (one token, or that workspace's installation). */
export type SlackClientFor = (workspaceId: string) => Promise<webApi.WebClient>;

/**
 * Posts and updates channel messages through the Slack Web API (cards, alerts, thread notes),
 * each with the token of the workspace it posts to. `reachable` (distribution mode) says whether
 * a workspace still has hostops installed; the alert scan skips the ones that do not.
 */
export function createSlackMessenger(
  clientFor: SlackClientFor,
  reachable?: (workspaceId: string) => Promise<boolean>,
): Messenger {
  return {
    platform: "slack",
    ...(reachable ? { reachable } : {}),
    async post(workspaceId, channelId, reply: Reply): Promise<MessageRef> {
      const client = await clientFor(workspaceId);
      const r = await client.chat.postMessage({
        channel: channelId,
        ...renderReply(reply),
        unfurl_links: false,
      });
      if (!r.ts) throw new Error("Slack did not return a message timestamp");
      return { platform: "slack", channel: r.channel ?? channelId, ts: r.ts };
    },
    async update(workspaceId, ref, reply) {
      if (ref.platform !== "slack") throw new Error("not a Slack message");
      const client = await clientFor(workspaceId);
      await client.chat.update({ channel: ref.channel, ts: ref.ts, ...renderReply(reply) });
    },
    async postPictures(workspaceId, channelId, reply) {
      const client = await clientFor(workspaceId);
      const { images, rest } = splitImages(reply);
      if (images.length) await uploadImages(client, channelId, images, rest.text);
      else await client.chat.postMessage({ channel: channelId, ...renderReply(reply), unfurl_links: false });
    },
    async postInThread(workspaceId, ref, reply) {
      if (ref.platform !== "slack") throw new Error("not a Slack message");
      const client = await clientFor(workspaceId);
      await client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        ...renderReply(reply),
        unfurl_links: false,
      });
    },
  };
}
