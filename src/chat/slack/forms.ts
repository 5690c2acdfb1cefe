/**
 * Form submissions (view_submission): the answer within Slack's ack budget when core is quick
 * (field errors, the next form, a message), otherwise a "checking…" view updated when it is done.
 */
import type { App } from "@slack/bolt";
import type { Outcome } from "../../core/reply.ts";
import { type ModalMeta, missingIds, type SlackListenerDeps, toMessage, WHO_WHERE } from "./deliver.ts";
import { messageView, readViewValues, renderModal } from "./render.ts";

export function registerForms(app: App, deps: SlackListenerDeps): void {
  const { core, dispatcher, log, actors } = deps;
  const budget = deps.modalAckBudgetMs;
  app.view(/.+/, async (args) => core.background.track(() => onView(args)));
  async function onView({
    ack,
    body,
    view,
    client,
  }: Parameters<Parameters<typeof app.view>[1]>[0]): Promise<void> {
    let meta: ModalMeta;
    const teamId = body.team?.id ?? body.user?.team_id ?? "";
    try {
      meta = JSON.parse(view.private_metadata) as ModalMeta;
    } catch {
      await ack({
        response_action: "update",
        view: messageView("hostops", "This form is out of date. Run the command again.") as never,
      });
      return;
    }
    if (missingIds(log, "form", { team_id: teamId, user_id: body.user?.id, channel_id: meta?.c })) {
      await ack({ response_action: "update", view: messageView("hostops", WHO_WHERE) as never });
      return;
    }
    const values = readViewValues(view.state);
    const triggerId = "trigger_id" in body ? String(body.trigger_id) : undefined;
    const actor = await actors.actorOf(client, teamId, meta.c, body.user.id, body.user.name, triggerId);
    const pending = dispatcher.modal(actor, view.callback_id, meta.s, values);
    const quick = budget > 0 ? await Promise.race([pending, delay(budget)]) : undefined;
    if (quick) {
      await answerView(quick, { ack: (r) => (ack as (r?: unknown) => Promise<void>)(r), immediate: true });
      return;
    }
    // Slow (the provider is checking credentials): acknowledge with a progress view, update it later.
    await ack({
      response_action: "update",
      view: messageView(view.title.text, "Checking with the provider…") as never,
    });
    const out = await pending;
    await answerView(out, { ack: undefined, immediate: false }).catch((err: unknown) =>
      log.error({ err }, "could not update the Slack form"),
    );

    async function answerView(
      out: Outcome,
      how: { ack: ((r?: Record<string, unknown>) => Promise<void>) | undefined; immediate: boolean },
    ): Promise<void> {
      const update = async (v: Record<string, unknown>) => {
        if (how.immediate && how.ack) await how.ack({ response_action: "update", view: v });
        else await client.views.update({ view_id: body.view.id, view: v as never });
      };
      switch (out.kind) {
        case "fieldErrors": {
          if (how.immediate && how.ack) {
            await how.ack({ response_action: "errors", errors: out.errors });
            return;
          }
          // After the ack, field errors can only be shown by re-rendering the form with the message on top.
          const blocks = (view.blocks as unknown as Record<string, unknown>[])
            .filter((b) => b.type === "input")
            .map((b) => refill(b, values, meta.x));
          await update({
            type: "modal",
            callback_id: view.callback_id,
            private_metadata: view.private_metadata,
            title: view.title,
            submit: view.submit ?? undefined,
            close: view.close ?? undefined,
            blocks: [
              {
                type: "section",
                text: { type: "mrkdwn", text: `:warning: ${Object.values(out.errors).join(" ")}` },
              },
              ...blocks,
            ],
          });
          return;
        }
        case "reply":
        case "update":
          if (out.reply.ephemeral) await update(messageView(view.title.text, out.reply.text));
          else {
            if (how.immediate && how.ack) await how.ack();
            await client.chat.postMessage({ channel: meta.c, ...toMessage(out.reply) });
          }
          return;
        case "modal":
          await update(
            renderModal(
              out.modal,
              JSON.stringify({
                c: meta.c,
                s: out.modal.state,
                x: out.modal.fields.filter((f) => f.kind === "secret").map((f) => f.id),
              } satisfies ModalMeta),
            ),
          );
          return;
        case "none":
          if (how.immediate && how.ack) await how.ack();
          return;
      }
    }
  }
}

/** An input block with the value the person typed put back (never a secret). */
function refill(
  block: Record<string, unknown>,
  values: Record<string, string>,
  secretIds: string[],
): Record<string, unknown> {
  const id = String(block.block_id);
  const v = values[id];
  const element = { ...(block.element as Record<string, unknown>) };
  if (v && !secretIds.includes(id) && element.type === "plain_text_input") element.initial_value = v;
  return { ...block, element };
}

function delay(ms: number): Promise<undefined> {
  return new Promise((r) => setTimeout(() => r(undefined), ms).unref());
}
