import { describe, expect, it } from "vitest";
import { parseCommandText } from "../dispatch.ts";
import { UserError } from "../errors.ts";
import { tokenize } from "./grammar.ts";

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
    ["frobnicate", /Unknown command `frobnicate`/],
    ["services a b", /Too many words.*Usage: `\/hosting services/],
    ["invoices --bogus", /Unknown option `--bogus`/],
    ["audit many", /`n` must be a whole number/],
    ["renew 7 --option", /`--option` needs a value/],
  ])("%j is refused with the expected form", (text, message) => {
    expect(() => parseCommandText(text)).toThrowError(message);
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
