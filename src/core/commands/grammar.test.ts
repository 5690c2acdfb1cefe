import { describe, expect, it } from "vitest";
import { invalidMessage, parseCommandText } from "../dispatch.ts";
import { UserError } from "../errors.ts";
import { plainWriter, renderText, type Text } from "../rich.ts";
import { tokenize } from "./grammar.ts";
import { commandTree } from "./index.ts";
import { closest, editDistance } from "./suggest.ts";

/** The message a text is refused with (fails the test when it parses). */
/** Text with its code spans in backticks, as these tests were written (plain words otherwise). */
function ticked(t: Text): string {
  const tick = (s: string) => `\`${s}\``;
  return renderText(t, {
    ...plainWriter,
    code: tick,
    command: (p, a) => tick(plainWriter.command(p, a)),
    option: (n, v) => tick(plainWriter.option(n, v)),
    usage: (p) => tick(plainWriter.usage(p)),
  });
}

function refusal(text: string, opts?: Parameters<typeof parseCommandText>[1]): string {
  try {
    parseCommandText(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return ticked((err as UserError).text);
  }
  throw new Error(`${text} parsed`);
}

describe("Slack text grammar", () => {
  it.each([
    ["", ["help"], {}],
    ["services", ["services"], {}],
    ["services prod", ["services"], { account: "prod" }],
    ["SERVICES Prod", ["services"], { account: "Prod" }],
    ["invoices --unpaid", ["invoices"], { unpaid: true }],
    ["invoices prod --unpaid", ["invoices"], { account: "prod", unpaid: true }],
    ["accounts", ["accounts", "list"], {}],
    ["accounts add time4vps", ["accounts", "add"], { provider: "time4vps" }],
    ["grant <@U123ABC|alice> operator", ["grant"], { user: "U123ABC", role: "operator" }],
    ["grant <@U123ABC> admin --workspace", ["grant"], { user: "U123ABC", role: "admin", workspace: true }],
    [
      'cancel 42 --immediate "no longer needed"',
      ["cancel"],
      { service: "42", immediate: true, reason: "no longer needed" },
    ],
    ["cancel 42 moving to another host", ["cancel"], { service: "42", reason: "moving to another host" }],
    [
      "domain ns example.com ns1.a.net ns2.a.net",
      ["domain", "ns"],
      { domain: "example.com", nameservers: "ns1.a.net ns2.a.net" },
    ],
    ["renew 7 --option=3", ["renew"], { service: "7", option: "3" }],
    [
      "reinstall 7 ubuntu-22.04 --account eu",
      ["reinstall"],
      { service: "7", os: "ubuntu-22.04", account: "eu" },
    ],
    ["audit 5", ["audit"], { n: 5 }],
  ])("%j parses", (text, path, args) => {
    expect(parseCommandText(text)).toEqual({ path, args });
  });

  it.each([
    ["frobnicate", /^Unknown command `frobnicate`\. `\/hosting help` lists the commands\.$/],
    ["services a b", /Too many words.*Usage: `\/hosting services/],
    ["invoices --bogus", /Unknown option `--bogus`/],
    ["audit many", /`n` must be a whole number/],
    ["renew 7 --option", /`--option` needs a value/],
  ])("%j is refused with the expected form", (text, message) => {
    expect(refusal(text)).toMatch(message);
    try {
      parseCommandText(text);
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
    }
  });

  it("tokenizes quotes, smart quotes and refuses huge input", () => {
    expect(tokenize(`a "b c" “d e” 'f'`)).toEqual(["a", "b c", "d e", "f"]);
    expect(() => tokenize("x".repeat(5000))).toThrowError(/too long/);
  });
});

describe("did you mean", () => {
  it.each([
    ["alerts cofig", "alerts config"],
    ["alerts rnu", "alerts run"],
    ["alerts of", "alerts off"],
    ["accounts lst", "accounts list"],
    ["accounts ad", "accounts add"],
    ["accounts remvoe prod", "accounts remove"],
    ["domain renw example.com", "domain renew"],
    ["domain nss example.com a.net b.net", "domain ns"],
    ["approvals shw", "approvals show"],
    ["approvals sett prod --quorum 2", "approvals set"],
    ["alerts conf", "alerts config"],
    ["servics", "services"],
    ["invoice", "invoices"],
    ["balanse", "balance"],
    ["rebot 302", "reboot"],
    ["alert config", "alerts config"],
    ["domian renew example.com", "domain renew"],
    ["pendign", "pending"],
    ["service rebot 302", "service reboot"],
    ["roles grnt <@U1> admin", "roles grant"],
    ["channel bnd prod", "channel bind"],
  ])("%j suggests `%s`", (text, command) => {
    expect(refusal(text)).toContain(`Did you mean \`${command}\`?`);
  });

  it("suggests every command of every group, and every top-level command, from a typo", () => {
    // The typo doubles the first letter of the last word: `alerts cconfig`, `sservices`.
    // Discord's grouped forms (`roles grant`, `service reboot`) are typed too.
    const names = commandTree.flatMap((c) => (c.compactPath ? [c.path, c.compactPath] : [c.path]));
    for (const path of names) {
      const last = path[path.length - 1] ?? "";
      const typo = [...path.slice(0, -1), `${last[0]}${last}`].join(" ");
      expect(refusal(typo), typo).toContain(`Did you mean \`${path.join(" ")}\`?`);
    }
  });

  it("a group alone or with a far-off word lists its subcommands", () => {
    expect(refusal("channel")).toBe(
      "`channel` needs one more word: `channel bind`, `channel unbind`, `channel bindings`.",
    );
    expect(refusal("domain")).toBe("`domain` needs one more word: `domain renew`, `domain ns`.");
    expect(refusal("accounts frobnicate")).toMatch(
      /^Unknown command `accounts frobnicate`\. `accounts` takes: `accounts add`/,
    );
  });

  it("a group's default subcommand still takes its account (and a bound label wins over a typo)", () => {
    expect(parseCommandText("alerts prod")).toEqual({ path: ["alerts", "show"], args: { account: "prod" } });
    expect(parseCommandText("approvals prod")).toEqual({
      path: ["approvals", "show"],
      args: { account: "prod" },
    });
    expect(refusal("alerts confi")).toContain("Did you mean `alerts config`?");
    expect(parseCommandText("alerts confi", { accountLabels: ["confi"] })).toEqual({
      path: ["alerts", "show"],
      args: { account: "confi" },
    });
  });

  it("suggests options too", () => {
    expect(refusal("invoices --unpiad")).toContain("Did you mean `--unpaid`?");
    expect(refusal("cancel 7 --imediate")).toContain("Did you mean `--immediate`?");
  });

  it("the edit distance counts a swap of neighbours as one edit and keeps far words apart", () => {
    expect(editDistance("cofig", "config")).toBe(1);
    expect(editDistance("pendign", "pending")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(closest("frobnicate", ["services", "balance"])).toBeUndefined();
    expect(closest("ab", ["on", "off"])).toBeUndefined();
  });
});

describe("a bound account's label where the command expects something else", () => {
  const bound = { accountLabels: ["demo-hostens", "prod"] };
  it.each([
    [
      "domain renew example-shop.com demo-hostens",
      ["domain", "renew"],
      { domain: "example-shop.com", account: "demo-hostens" },
    ],
    ["reinstall 302 demo-hostens", ["reinstall"], { service: "302", account: "demo-hostens" }],
    ["cancel 301 demo-hostens", ["cancel"], { service: "301", account: "demo-hostens" }],
    [
      "cancel 301 demo-hostens no longer needed",
      ["cancel"],
      { service: "301", account: "demo-hostens", reason: "no longer needed" },
    ],
    [
      "cancel 301 no longer needed Demo-Hostens",
      ["cancel"],
      { service: "301", account: "Demo-Hostens", reason: "no longer needed" },
    ],
    [
      "domain ns example.com prod ns1.a.net ns2.a.net",
      ["domain", "ns"],
      { domain: "example.com", account: "prod", nameservers: "ns1.a.net ns2.a.net" },
    ],
  ])("%j takes the label as the account and says so", (text, path, args) => {
    const parsed = parseCommandText(text, bound);
    expect(parsed.path).toEqual(path);
    expect(parsed.args).toEqual(args);
    expect(ticked(parsed.note ?? [])).toMatch(
      /^Taking `[\w-]+` as the account \(the same as `--account [\w-]+`\)\.$/,
    );
  });

  it.each([
    ["services prod", { account: "prod" }],
    ["service 302 prod", { id: "302", account: "prod" }],
    ["domain renew example.com 2 prod", { domain: "example.com", years: 2, account: "prod" }],
    ["reinstall 302 ubuntu-22.04 --account prod", { service: "302", os: "ubuntu-22.04", account: "prod" }],
    ["reinstall 302 ubuntu-22.04", { service: "302", os: "ubuntu-22.04" }],
  ])("%j is read as before, without a note", (text, args) => {
    const parsed = parseCommandText(text, bound);
    expect(parsed.args).toEqual(args);
    expect(parsed.note).toBeUndefined();
  });

  it("without the channel's labels, a label where a number goes suggests --account", () => {
    expect(refusal("domain renew example-shop.com demo-hostens")).toBe(
      "`years` must be a whole number, not `demo-hostens`. If `demo-hostens` is an account, name it with `--account demo-hostens`. Usage: `/hosting domain renew <domain> [<years>] [<account>]`",
    );
  });

  it("every command that takes an account accepts --account", () => {
    for (const c of commandTree.filter((x) => x.params.some((p) => p.name === "account"))) {
      const required = c.params.filter((p) => p.required && !p.flag);
      const sample: Record<string, string> = {
        service: "7",
        id: "7",
        domain: "example.com",
        nameservers: "a.net b.net",
        state: "on",
      };
      const words = required.map((p) => sample[p.name] ?? "x");
      const parsed = parseCommandText([...c.path, ...words, "--account", "prod"].join(" "));
      expect(parsed.args.account, c.path.join(" ")).toBe("prod");
    }
  });
});

describe("validation messages are sentences", () => {
  const def = (path: string) => commandTree.find((c) => c.path.join(" ") === path)!;
  const message = (path: string, args: Record<string, unknown>) => {
    const r = def(path).schema.safeParse(args);
    expect(r.success).toBe(false);
    return ticked(invalidMessage(def(path), r.error!));
  };

  it.each([
    [
      "services",
      { account: "bad!label" },
      "`account` must be an account label: 1 to 32 characters (a-z, 0-9, '.', '_' or '-') starting with a letter or digit.",
    ],
    ["service", { id: "bad id!" }, "`id` must be a service id: letters, digits, '.', '_', ':' or '-'."],
    ["service", {}, "`id` is required."],
    ["domain renew", { domain: "example.com", years: 20 }, "`years` must be between 1 and 10."],
    ["domain renew", { domain: "not a domain" }, "`domain` must be a domain name such as example.com."],
    ["audit", { n: 0 }, "`n` must be between 1 and 50."],
    ["grant", { user: "alice!", role: "admin" }, "`user` must be a user mention such as @alice."],
    ["grant", { user: "U1234", role: "boss" }, "`role` must be one of viewer, operator, admin."],
    ["approvals set", { label: "prod" }, "Give --quorum, --two-person or both."],
  ])("%s %j -> %s", (path, args, sentence) => {
    expect(message(path, args)).toBe(`${sentence} Usage: \`${usageOf(path)}\``);
  });

  const usageOf = (path: string) => {
    const m = /Usage: `([^`]*)`/.exec(refusal(`${path} ${"--bogus"}`));
    return m?.[1] ?? "";
  };
});
