import type { Messenger } from "../../core/context.ts";
import type { Reply } from "../../core/reply.ts";
import type { MessageRef } from "../../db/schema.ts";

/** A message core posted, updated or answered in a thread, for the console session to show. */
export interface ConsoleMessage {
  kind: "post" | "update" | "thread";
  /** The message number ("#3"), stable across updates. */
  id: string;
  channelId: string;
  reply: Reply;
}

/**
 * The terminal's Messenger: confirmation cards, their updates, task outcomes and alerts are
 * "posted" by handing them to the session, which prints them (and numbers their buttons).
 */
export class ConsoleMessenger implements Messenger {
  readonly platform = "console" as const;
  #next = 1;

  constructor(private readonly show: (m: ConsoleMessage) => void) {}

  async post(_workspaceId: string, channelId: string, reply: Reply): Promise<MessageRef> {
    const id = String(this.#next++);
    this.show({ kind: "post", id, channelId, reply });
    return { platform: "console", id };
  }

  async update(_workspaceId: string, ref: MessageRef, reply: Reply): Promise<void> {
    this.show({ kind: "update", id: consoleId(ref), channelId: "", reply });
  }

  async postPictures(workspaceId: string, channelId: string, reply: Reply): Promise<void> {
    await this.post(workspaceId, channelId, reply);
  }

  async postInThread(_workspaceId: string, ref: MessageRef, reply: Reply): Promise<void> {
    this.show({ kind: "thread", id: consoleId(ref), channelId: "", reply });
  }
}

function consoleId(ref: MessageRef): string {
  if (ref.platform !== "console") throw new Error(`not a console message reference (${ref.platform})`);
  return ref.id;
}
