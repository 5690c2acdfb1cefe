import { type Hostops, startHostops } from "../../../src/app.ts";
import {
  buttonClick,
  type FakeSlack,
  type SlackCall,
  signedPost,
  slashCommand,
  startFakeSlack,
} from "../../fakes/slack.ts";
import { addBoundAccount } from "../../helpers/accounts.ts";
import { SIGNING_SECRET, testConfig } from "../../helpers/config.ts";
import { accountOf, type ChatHarness, commandText, type Seen, textsOf, type Who, words } from "./harness.ts";

const CHANNEL = "C0CONTRACT";
const USERS: Record<Who, string> = { admin: "UADMIN1", viewer: "UVIEW1" };

interface SlackButton {
  action_id: string;
  value?: string;
  text?: { text?: string };
}

/** Slack in HTTP mode against the fake Web API: signed requests in, response_url and chat.* out. */
export function slackHarness(): ChatHarness {
  let slack: FakeSlack;
  let app: Hostops;
  let events = "";

  const seen = (c: SlackCall): Seen => ({
    text: words(textsOf(c.body)),
    buttons: buttonsOf(c).map((b) => b.text?.text ?? ""),
  });
  const buttonsOf = (c: SlackCall): SlackButton[] =>
    ((c.body.blocks ?? []) as { type: string; elements?: SlackButton[] }[])
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements ?? []);
  /** Posts a signed request; resolves with what came back through its response_url. */
  const answered = async (body: (responseUrl: string) => string) => {
    const responseUrl = slack.responseUrl();
    const res = await signedPost(events, body(responseUrl), { secret: SIGNING_SECRET });
    if (res.status !== 200) throw new Error(`Slack request answered ${res.status}`);
    return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
  };
  const lastCard = () => {
    const card = [...slack.calls].reverse().find((c) => c.method === "chat.postMessage" && !c.body.thread_ts);
    if (!card) throw new Error("nothing was posted in the channel");
    return card;
  };

  return {
    platform: "slack",
    async start(provider) {
      slack = await startFakeSlack();
      slack.admins.add(USERS.admin);
      app = await startHostops({
        config: testConfig({ SLACK_API_URL: slack.apiUrl }),
        // The response goes out after the listener finished: what it did is visible at once.
        overrides: { memoryDb: true, providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true },
      });
      events = `http://127.0.0.1:${app.port}/slack/events`;
      await addBoundAccount(app.core, {
        label: "prod",
        fake: accountOf(provider),
        channel: CHANNEL,
        by: USERS.admin,
      });
    },
    async stop() {
      await app?.stop();
      await slack?.close();
    },
    async command(path, args, who) {
      const text = commandText(path, args);
      return seen(
        await answered((responseUrl) =>
          slashCommand(text, { user: USERS[who], channel: CHANNEL, responseUrl }),
        ),
      );
    },
    async lastPost() {
      return seen(lastCard());
    },
    async press(label, who) {
      const button = buttonsOf(lastCard()).find((b) => b.text?.text === label);
      if (!button) throw new Error(`no button ${label} on the card`);
      return seen(
        await answered((responseUrl) =>
          buttonClick(button.action_id, button.value ?? "", {
            user: USERS[who],
            channel: CHANNEL,
            responseUrl,
          }),
        ),
      );
    },
    idle: () => app.core.background.idle(),
  };
}
