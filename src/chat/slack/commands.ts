/**
 * Slash commands and button clicks: acknowledged at once, then handed to core's dispatcher with
 * the person as an Actor, and the outcome delivered (a click in the App Home republishes it).
 */
import type { App } from "@slack/bolt";
import { errorReply } from "../../core/reply.ts";
import { deliver, missingIds, type SlackListenerDeps, toMessage, WHO_WHERE } from "./deliver.ts";
import { publishHome } from "./home.ts";
import { actionIdOf } from "./render.ts";

export function registerCommands(app: App, deps: SlackListenerDeps): void {
  const { core, dispatcher, log, ackFirst, actors } = deps;
  // Every listener is in-flight work: a shutdown lets it finish (within the grace) before it exits.
  const inFlight = core.background;

  app.command(/^\/hosting/, async (args) => inFlight.track(() => onCommand(args)));
  async function onCommand({
    command,
    ack,
    respond,
    client,
  }: Parameters<Parameters<typeof app.command>[1]>[0]): Promise<void> {
    await ack();
    await ackFirst.wait();
    if (
      missingIds(log, "command", {
        team_id: command.team_id,
        user_id: command.user_id,
        channel_id: command.channel_id,
      })
    ) {
      await respond({ response_type: "ephemeral", ...toMessage(errorReply(WHO_WHERE)) }).catch(
        () => undefined,
      );
      return;
    }
    const actor = await actors.actorOf(
      client,
      command.team_id,
      command.channel_id,
      command.user_id,
      command.user_name,
      command.trigger_id,
    );
    const out = await dispatcher.text(actor, command.text ?? "");
    await deliver(log, out, {
      respond: (m) => respond(m),
      client,
      triggerId: command.trigger_id,
      channelId: command.channel_id,
    }).catch((err: unknown) =>
      log.error({ err, requestId: command.trigger_id }, "could not deliver the command's reply to Slack"),
    );
  }

  app.action(/.+/, async (args) => inFlight.track(() => onAction(args)));
  async function onAction({
    ack,
    body,
    action,
    respond,
    client,
  }: Parameters<Parameters<typeof app.action>[1]>[0]): Promise<void> {
    await ack();
    await ackFirst.wait();
    if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
    const channelId = body.channel?.id ?? body.container?.channel_id ?? "";
    const teamId = body.team?.id ?? body.user?.team_id ?? "";
    // A click in the App Home has no channel: the request it decides names its own.
    const home = body.view?.type === "home";
    if (
      missingIds(log, "button", {
        team_id: teamId,
        user_id: body.user?.id,
        ...(home ? {} : { channel_id: channelId }),
      })
    ) {
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        ...toMessage(errorReply(WHO_WHERE)),
      }).catch(() => undefined);
      return;
    }
    const actor = await actors.actorOf(
      client,
      teamId,
      channelId,
      body.user.id,
      body.user.name,
      body.trigger_id,
    );
    const out = await dispatcher.action(actor, actionIdOf(action.action_id), action.value ?? "");
    if (body.view?.type === "home") {
      // A click in the App Home: no response_url there; the answer goes on top of a fresh overview.
      if (out.kind === "modal")
        await deliver(log, out, { respond: async () => {}, client, triggerId: body.trigger_id, channelId });
      else
        await publishHome(
          core,
          client,
          actor,
          out.kind === "reply" || out.kind === "update" ? out.reply.text : undefined,
        ).catch((err: unknown) => log.error({ err }, "could not publish the App Home"));
      return;
    }
    await deliver(log, out, {
      respond: (m) => respond(m),
      client,
      triggerId: body.trigger_id,
      channelId,
    }).catch((err: unknown) =>
      log.error({ err, requestId: body.trigger_id }, "could not deliver the button's outcome to Slack"),
    );
  }
}
