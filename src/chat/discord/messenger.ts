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
    /** Told when a thread cannot be created (missing permission): the post becomes a reply. */
    private readonly onThreadError?: (err: unknown) => void,
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

  /**
   * Posts in the thread started from the message (a card's outcome goes under the card, as on
   * Slack). A thread started from a message has the message's id, so the first post creates it
   * and later ones find it. Without the permission to create threads (an older invite) the post
   * becomes a reply to the message instead.
   */
  async postInThread(_workspaceId: string, ref: MessageRef, reply: Reply): Promise<void> {
    const r = discordRef(ref);
    const thread = await this.openThread(r, reply);
    if (thread) {
      await this.rest.post(Routes.channelMessages(thread), { body: this.body(reply) });
      return;
    }
    await this.rest.post(Routes.channelMessages(r.channelId), {
      body: {
        ...this.body(reply),
        message_reference: { message_id: r.messageId, fail_if_not_exists: false },
      },
    });
  }

  /** The id of the message's thread (created now if needed), or undefined when it cannot be. */
  private async openThread(
    r: { channelId: string; messageId: string },
    reply: Reply,
  ): Promise<string | undefined> {
    try {
      await this.rest.post(Routes.threads(r.channelId, r.messageId), {
        body: { name: threadName(reply), auto_archive_duration: 1440 },
      });
      return r.messageId;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // 160004: a thread has already been created for this message (an earlier outcome).
      if (code === THREAD_ALREADY_CREATED) return r.messageId;
      this.onThreadError?.(err);
      return undefined;
    }
  }

  private body(reply: Reply) {
    return toRestBody(renderReply(reply, this.store));
  }
}

const THREAD_ALREADY_CREATED = 160004;

/** A thread's name: the first line of what is posted, within Discord's 100 characters. */
function threadName(reply: Reply): string {
  const header = reply.blocks.find((b) => b.kind === "header");
  const first = (header && "text" in header ? header.text : reply.text).split("\n")[0] ?? "";
  const clean = first.replace(/[*_`~|]/g, "").trim() || "Outcome";
  return clean.length > 100 ? `${clean.slice(0, 99)}…` : clean;
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
