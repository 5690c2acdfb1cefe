/**
 * What the Slack listeners share: their dependencies, the check that a payload says who asked
 * where, and the delivery of core's outcome (a reply through response_url, a picture uploaded
 * into the channel, a form opened with views.open).
 */
import type { webApi } from "@slack/bolt";
import type { Core } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import { errorReply, type Outcome, type Reply } from "../../core/reply.ts";
import type { Logger } from "../../observability/logger.ts";
import type { AckFirst } from "./ack-first.ts";
import type { SlackActors } from "./actors.ts";
import { splitImages, uploadImages } from "./files.ts";
import { renderModal, renderReply } from "./render.ts";

export interface SlackListenerDeps {
  core: Core;
  dispatcher: Dispatcher;
  log: Logger;
  ackFirst: AckFirst;
  actors: SlackActors;
  /** How long a form submit may take before the modal shows "checking…" and is updated later. */
  modalAckBudgetMs: number;
}

/** What a form carries in `private_metadata`. */
export interface ModalMeta {
  /** channel the form was opened from */
  c: string;
  /** core's opaque modal state */
  s: string;
  /** ids of secret fields: never pre-filled when the form is shown again */
  x: string[];
}

export const WHO_WHERE =
  "hostops could not tell which workspace, user or channel this came from, so nothing was done. Try again from a channel.";

export const toMessage = (r: Reply) => renderReply(r);

/**
 * A payload that does not say who asked where (no team, user or channel id) cannot be
 * authorized or audited: it is refused with a warning naming what is missing, no stack trace.
 */
export function missingIds(log: Logger, kind: string, ids: Record<string, unknown>): boolean {
  const missing = Object.entries(ids)
    .filter(([, v]) => typeof v !== "string" || v.trim() === "")
    .map(([k]) => k);
  if (!missing.length) return false;
  log.warn({ kind, missing }, "refused a Slack payload without the ids it needs");
  return true;
}

/** Delivers a command's or button's outcome through response_url / views.open. */
export async function deliver(
  log: Logger,
  out: Outcome,
  io: {
    respond: (m: Record<string, unknown>) => Promise<unknown>;
    client: webApi.WebClient;
    triggerId?: string;
    channelId: string;
  },
): Promise<void> {
  switch (out.kind) {
    case "reply": {
      const { images, rest } = splitImages(out.reply);
      if (images.length) {
        // A picture cannot travel through response_url: it is uploaded into the channel, with the
        // reply's text as its comment.
        try {
          await uploadImages(io.client, io.channelId, images, rest.text);
          return;
        } catch (err) {
          log.warn({ err }, "could not upload a picture to Slack");
          await io.respond({
            response_type: "ephemeral",
            replace_original: false,
            ...toMessage({
              ...rest,
              ephemeral: true,
              blocks: [
                ...rest.blocks,
                {
                  kind: "context",
                  text: "The chart could not be posted here: invite the hostops app to this channel (`/invite @hostops`) and try again.",
                },
              ],
            }),
          });
          return;
        }
      }
      await io.respond({
        response_type: out.reply.ephemeral ? "ephemeral" : "in_channel",
        replace_original: false,
        ...toMessage(out.reply),
      });
      return;
    }
    case "update":
      await io.respond({ replace_original: true, ...toMessage(out.reply) });
      return;
    case "modal": {
      if (!io.triggerId) return;
      const meta: ModalMeta = {
        c: io.channelId,
        s: out.modal.state,
        x: out.modal.fields.filter((f) => f.kind === "secret").map((f) => f.id),
      };
      await io.client.views.open({
        trigger_id: io.triggerId,
        view: renderModal(out.modal, JSON.stringify(meta)) as unknown as webApi.ViewsOpenArguments["view"],
      });
      return;
    }
    case "fieldErrors":
      await io.respond({
        response_type: "ephemeral",
        ...toMessage(errorReply(Object.values(out.errors).join(" "))),
      });
      return;
    case "none":
      return;
  }
}
