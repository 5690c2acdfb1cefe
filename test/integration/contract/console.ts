import { PassThrough } from "node:stream";
import { vi } from "vitest";
import { type Hostops, startHostops } from "../../../src/app.ts";
import { CONSOLE_CHANNEL, CONSOLE_WORKSPACE, runConsole } from "../../../src/chat/console/index.ts";
import { addBoundAccount } from "../../helpers/accounts.ts";
import { testConfig } from "../../helpers/config.ts";
import { accountOf, type ChatHarness, commandText, type Seen, type Who, words } from "./harness.ts";

/** `.as` lines that make the person at the terminal one of the scenario's people. */
const AS: Record<Who, string> = { admin: ".as LOCAL", viewer: ".as VIEWER --member" };
const PROMPT = /^hosting(?: \([A-Z0-9]+\))?> /;
const CHOICE = /\[(\d+)\] (.+?)(?=\s{2,}\[\d+\]|$)/gm;

/**
 * The terminal console as a script feeds it (not a TTY): a line in, the session's transcript out.
 * Each step ends with `.whoami`, whose answer marks the end of the step's output.
 */
export function consoleHarness(): ChatHarness {
  let app: Hostops;
  const input = new PassThrough();
  const output = new PassThrough();
  let out = "";
  output.on("data", (c: Buffer) => {
    out += c.toString();
  });
  let session: Promise<number> | undefined;
  let current: Who = "admin";

  const send = (line: string) => input.write(`${line}\n`);
  const until = (pred: (since: string) => boolean, from: number) =>
    vi.waitFor(
      () => {
        if (!pred(out.slice(from))) throw new Error(`the console has not answered yet:\n${out.slice(from)}`);
      },
      { timeout: 15_000, interval: 10 },
    );
  const become = (who: Who) => {
    if (who !== current) send(AS[who]);
    current = who;
  };
  /** The output of the line `line` sent after `from`, up to the closing `.whoami`. */
  const step = async (line: string, from: number): Promise<string> => {
    send(".whoami");
    await until((s) => /> \.whoami\n[^\n]+\n/.test(s), from);
    const since = out.slice(from);
    const start = since.indexOf(`> ${line}\n`);
    const end = since.lastIndexOf("\n", since.indexOf("> .whoami\n"));
    return since.slice(start + line.length + 3, end);
  };
  const seen = (text: string): Seen => ({
    text: words([text]),
    buttons: [...text.matchAll(CHOICE)].map((m) => m[2] ?? ""),
  });
  /** The newest message posted, from its header to the next prompt or message. */
  const lastPostText = () => {
    const headers = [...out.matchAll(/^── message #\d+(?: in #\S+)? ──$/gm)];
    const last = headers.at(-1);
    if (last?.index === undefined) throw new Error("nothing was posted in the console");
    const lines = out.slice(last.index).split("\n");
    const end = lines.findIndex((l, i) => i > 0 && (PROMPT.test(l) || l.startsWith("── ")));
    return lines.slice(0, end < 0 ? undefined : end).join("\n");
  };

  return {
    platform: "console",
    async start(provider) {
      app = await startHostops({
        config: testConfig({ SLACK_BOT_TOKEN: undefined, SLACK_SIGNING_SECRET: undefined }),
        overrides: { memoryDb: true, providerRetries: 0, noTimers: true, noHttpServer: true },
      });
      await addBoundAccount(app.core, {
        platform: "console",
        workspaceId: CONSOLE_WORKSPACE,
        label: "prod",
        fake: accountOf(provider),
        channel: CONSOLE_CHANNEL,
        by: "LOCAL",
      });
      session = runConsole({
        core: app.core,
        dispatcher: app.dispatcher,
        input,
        output,
        interactive: false,
        color: false,
        status: new PassThrough(),
      });
    },
    async stop() {
      input.end();
      await session;
      await app?.stop();
    },
    async command(path, args, who) {
      const from = out.length;
      become(who);
      const line = commandText(path, args);
      send(line);
      return seen(await step(line, from));
    },
    async lastPost() {
      return seen(lastPostText());
    },
    async press(label, who) {
      const choice = [...lastPostText().matchAll(CHOICE)].find((m) => m[2] === label);
      if (!choice?.[1]) throw new Error(`no button ${label} on the last message`);
      const n = choice[1];
      const from = out.length;
      become(who);
      send(n);
      // Approving asks for an explicit yes, unless it is refused first.
      await until((s) => new RegExp(`> ${n}\\n(Approve: |⚠|→ )`).test(s), from);
      if (new RegExp(`> ${n}\\nApprove: `).test(out.slice(from))) send("yes");
      return seen(await step(n, from));
    },
    idle: () => app.core.background.idle(),
  };
}
