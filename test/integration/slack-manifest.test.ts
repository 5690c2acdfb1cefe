import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import {
  appHomeOpened,
  type FakeSlack,
  type FakeWorkspace,
  signedPost,
  slashCommand,
  startFakeSlack,
} from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { parseYaml, yamlAt } from "../helpers/yaml.ts";

const manifest = parseYaml(readFileSync(new URL("../../slack/manifest.yml", import.meta.url), "utf8"));
const strings = (v: unknown) => {
  expect(Array.isArray(v) && v.every((s) => typeof s === "string")).toBe(true);
  return v as string[];
};

const WS: FakeWorkspace = {
  teamId: "TMANI1",
  teamName: "Manifest",
  botToken: "xoxb-manifest-1111",
  botUserId: "UBOTM",
  botId: "BBOTM",
  installerUserId: "UADMINM",
};

/**
 * slack/manifest.yml (read as YAML, test/helpers/yaml.ts) against a running hostops in
 * distribution mode and a fake Slack: every URL the manifest gives Slack is one hostops serves,
 * the install it leads to asks for the manifest's scopes, and the command and events it declares
 * are answered there.
 */
describe("the Slack app manifest", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let base: string;
  /** The manifest's URL, on this hostops instead of YOUR-HOST. */
  const here = (url: unknown) => {
    expect(String(url)).toMatch(/^https:\/\/YOUR-HOST\//);
    return String(url).replace("https://YOUR-HOST", base);
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(WS.installerUserId ?? "");
    app = await startHostops({
      config: testConfig({
        SLACK_BOT_TOKEN: undefined,
        SLACK_CLIENT_ID: slack.clientId,
        SLACK_CLIENT_SECRET: slack.clientSecret,
        SLACK_STATE_SECRET: "state-secret-for-manifest-tests-0123",
        SLACK_API_URL: slack.apiUrl,
      }),
      overrides: { memoryDb: true, providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true },
    });
    base = `http://127.0.0.1:${app.port}`;
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  /** "Add to Slack" from /slack/install, "Allow" at Slack, then Slack's redirect to the manifest's redirect URL. */
  async function install() {
    const page = await fetch(`${base}/slack/install`);
    const html = (await page.text()).replace(/&amp;/g, "&");
    const href = /href="(https:\/\/slack\.com\/oauth\/v2\/authorize\?[^"]+)"/.exec(html)?.[1];
    expect(href, "the install page's link to Slack").toBeDefined();
    const authorize = new URL(href ?? "");
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const [redirectUrl, ...more] = strings(yamlAt(manifest, "oauth_config", "redirect_urls"));
    expect(more).toEqual([]);
    const back = new URL(here(redirectUrl));
    back.searchParams.set("code", slack.issueCode(WS));
    back.searchParams.set("state", authorize.searchParams.get("state") ?? "");
    const res = await fetch(back, { headers: { cookie } });
    return { authorize, status: res.status, html: await res.text() };
  }

  it("the install asks Slack for the manifest's bot scopes and completes at the manifest's redirect URL", async () => {
    const { authorize, status, html } = await install();
    expect(authorize.searchParams.get("scope")?.split(",")).toEqual(
      strings(yamlAt(manifest, "oauth_config", "scopes", "bot")),
    );
    expect(status, html).toBe(200);
    expect(slack.calls.some((c) => c.method === "oauth.v2.access")).toBe(true);
  });

  it("every request URL answers Slack's URL check (the Bolt receiver is there)", async () => {
    const urls = [
      ...(yamlAt(manifest, "features", "slash_commands") as unknown[]).map((c) => yamlAt(c, "url")),
      yamlAt(manifest, "settings", "event_subscriptions", "request_url"),
      yamlAt(manifest, "settings", "interactivity", "request_url"),
    ];
    for (const url of urls) {
      const challenge = `challenge-${Math.random().toString(36).slice(2)}`;
      const res = await signedPost(here(url), JSON.stringify({ type: "url_verification", challenge }), {
        secret: SIGNING_SECRET,
        contentType: "application/json",
      });
      expect(res.status, String(url)).toBe(200);
      expect(await res.text()).toContain(challenge);
    }
  });

  it("/hosting, posted to the slash command's URL by an installed workspace, is answered", async () => {
    await install();
    const [command] = yamlAt(manifest, "features", "slash_commands") as unknown[];
    expect(yamlAt(command, "command")).toBe("/hosting");
    const responseUrl = slack.responseUrl();
    const res = await signedPost(
      here(yamlAt(command, "url")),
      slashCommand("help", {
        user: WS.installerUserId ?? "",
        channel: "CMANI",
        team: WS.teamId,
        responseUrl,
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const answer = await slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    expect(JSON.stringify(answer.body)).toContain("hostops commands");
  });

  it("the Home tab it enables is published when the event it subscribes to arrives", async () => {
    await install();
    expect(yamlAt(manifest, "features", "app_home", "home_tab_enabled")).toBe(true);
    // Uninstall and revocation are handled too (test/integration/slack-oauth.test.ts).
    expect(strings(yamlAt(manifest, "settings", "event_subscriptions", "bot_events")).sort()).toEqual([
      "app_home_opened",
      "app_uninstalled",
      "tokens_revoked",
    ]);
    const before = slack.calls.length;
    const res = await signedPost(
      here(yamlAt(manifest, "settings", "event_subscriptions", "request_url")),
      appHomeOpened({ user: WS.installerUserId ?? "", team: WS.teamId }),
      { secret: SIGNING_SECRET, contentType: "application/json" },
    );
    expect(res.status).toBe(200);
    const published = await slack.waitFor(
      (c) => c.method === "views.publish" && slack.calls.indexOf(c) >= before,
      15_000,
    );
    expect(published.auth).toBe(`Bearer ${WS.botToken}`);
  });

  it("sets what only Slack acts on: escaped mentions, interactivity, no Socket Mode", () => {
    // Slack's side of these cannot run here. Mentions must arrive as <@U123|name> (should_escape)
    // for `/hosting grant @alice operator` to name a user id; buttons need interactivity; the
    // request URLs above are unused in Socket Mode.
    const [command] = yamlAt(manifest, "features", "slash_commands") as unknown[];
    expect(yamlAt(command, "should_escape")).toBe(true);
    expect(yamlAt(manifest, "settings", "interactivity", "is_enabled")).toBe(true);
    expect(yamlAt(manifest, "settings", "socket_mode_enabled")).toBe(false);
  });
});
