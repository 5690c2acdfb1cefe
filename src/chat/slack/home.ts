/**
 * The App Home tab: the person's overview (views.publish) when the tab opens, and again with a
 * note on top after a click in it.
 */
import type { App, webApi } from "@slack/bolt";
import type { Actor, Core } from "../../core/context.ts";
import { buildOverview } from "../../core/overview.ts";
import { missingIds, type SlackListenerDeps } from "./deliver.ts";
import { renderBlocks } from "./render.ts";

/** The person's overview in the App Home tab (views.publish), with an optional note on top. */
export async function publishHome(
  core: Core,
  client: webApi.WebClient,
  actor: Actor,
  note?: string,
): Promise<void> {
  const overview = await buildOverview(core, actor, { note });
  await client.views.publish({
    user_id: actor.userId,
    view: { type: "home", blocks: renderBlocks(overview.blocks) as never },
  });
}

export function registerHome(app: App, deps: SlackListenerDeps): void {
  const { core, log, actors } = deps;
  app.event("app_home_opened", async ({ event, body, client }) =>
    core.background.track(async () => {
      if (event.tab !== "home") return;
      const teamId = body.team_id ?? "";
      if (missingIds(log, "home", { team_id: teamId, user_id: event.user })) return;
      const actor = await actors.actorOf(client, teamId, "", event.user);
      await publishHome(core, client, actor).catch((err: unknown) =>
        log.error({ err }, "could not publish the App Home"),
      );
    }),
  );
}
