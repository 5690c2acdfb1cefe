/** Constants and small helpers shared by the benchmarks (all loopback, all fake). */
import { form } from "../../test/fakes/slack.ts";

export const SIGNING_SECRET = "bench-signing-secret-4c1e9a";
export const BOT_TOKEN = "xoxb-bench-bot-token-5d2f";
export const SECRET_KEY = Buffer.alloc(32, 11).toString("base64");
export const TEAM = "T1";
export const EVENTS_PATH = "/slack/events";

/** A `/hosting …` slash command as Slack sends it. */
export function slashBody(text: string, o: { user: string; channel: string; responseUrl: string }): string {
  return form({
    command: "/hosting",
    text,
    team_id: TEAM,
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    channel_id: o.channel,
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    response_url: o.responseUrl,
    api_app_id: "A1",
  });
}

/** A button click (block_actions) as Slack sends it. */
export function clickBody(
  actionId: string,
  value: string,
  o: { user: string; channel: string; responseUrl: string },
): string {
  return form({
    payload: JSON.stringify({
      type: "block_actions",
      team: { id: TEAM },
      user: { id: o.user, name: o.user.toLowerCase(), team_id: TEAM },
      api_app_id: "A1",
      channel: { id: o.channel },
      container: { type: "message", channel_id: o.channel, message_ts: "1.1" },
      trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
      response_url: o.responseUrl,
      actions: [{ type: "button", action_id: actionId, block_id: "b1", value, action_ts: "1" }],
    }),
  });
}

/** Whether Postgres answers at the URL the integration tests use. */
export async function postgresAvailable(): Promise<string | undefined> {
  const { ADMIN_URL } = await import("../../test/helpers/db.ts");
  const { default: postgres } = await import("postgres");
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  try {
    const [row] = await sql`select version() as v`;
    return String(row?.v ?? "");
  } catch {
    return undefined;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
