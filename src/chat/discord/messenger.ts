import { type REST, Routes } from "discord.js";
import type { Messenger } from "../../core/context.ts";
import type { Reply } from "../../core/reply.ts";
import type { MessageRef } from "../../db/schema.ts";
import type { PayloadStore } from "./custom-id.ts";
import { type MessagePayload, renderReply } from "./render.ts";

/**
 * Posts and updates messages outside an interaction (confirmation cards, alerts, results), over
 * REST so it works for any channel the bot can see, cached or not. A Reply's `ephemeral` has no
 * meaning here: channel messages are public.
 */
export class DiscordMessenger implements Messenger {
  readonly platform = "discord" as const;

  constructor(
    private readonly rest: REST,
    private readonly store: PayloadStore,
  ) {}

  async post(_workspaceId: string, channelId: string, reply: Reply): Promise<MessageRef> {
    const msg = (await this.rest.post(Routes.channelMessages(channelId), { body: this.body(reply) })) as {
      id: string;
    };
    return { platform: "discord", channelId, messageId: msg.id };
  }

  async postPictures(_workspaceId: string, channelId: string, reply: Reply): Promise<void> {
    const p = renderReply(reply, this.store);
    await this.rest.post(Routes.channelMessages(channelId), {
      body: toRestBody(p),
      files: (p.files ?? []).map((f) => ({ name: f.name, data: f.attachment, contentType: "image/png" })),
    });
  }

  async update(_workspaceId: string, ref: MessageRef, reply: Reply): Promise<void> {
    const r = discordRef(ref);
    await this.rest.patch(Routes.channelMessage(r.channelId, r.messageId), {
      body: { ...this.body(reply), content: this.body(reply).content ?? "" },
    });
  }

  /** Discord has no thread under every message: the post is a reply to the message. */
  async postInThread(_workspaceId: string, ref: MessageRef, reply: Reply): Promise<void> {
    const r = discordRef(ref);
    await this.rest.post(Routes.channelMessages(r.channelId), {
      body: {
        ...this.body(reply),
        message_reference: { message_id: r.messageId, fail_if_not_exists: false },
      },
    });
  }

  private body(reply: Reply) {
    return toRestBody(renderReply(reply, this.store));
  }
}

export function toRestBody(p: MessagePayload) {
  return {
    ...(p.content !== undefined ? { content: p.content } : {}),
    embeds: p.embeds,
    components: p.components,
    allowed_mentions: { parse: [] as string[], replied_user: false },
  };
}

function discordRef(ref: MessageRef): { channelId: string; messageId: string } {
  if (ref.platform !== "discord") throw new Error(`not a Discord message reference (${ref.platform})`);
  return ref;
}
