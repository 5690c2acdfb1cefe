import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandTree, modalHandlers } from "../../src/core/commands/index.ts";
import { parseCommandText } from "../../src/core/dispatch.ts";
import { UserError } from "../../src/core/errors.ts";
import type { Outcome } from "../../src/core/reply.ts";
import { actorFor, coreWithHostens } from "./helpers.ts";

/** Strings people (and attackers) type: unicode, control characters, mentions, injections, huge. */
const nasty = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "<!channel>",
    "<@U123|root>",
    "@everyone",
    "'; drop table provider_accounts; --",
    "../../etc/passwd",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection attempt, typed literally
    "${process.exit(1)}",
    "\u0000\u0007\u001b[31m",
    "--immediate --immediate",
    '"unterminated',
    "x".repeat(3000),
    "٣٤٥",
    "🚀🔥",
    "%00%0a",
    "__proto__",
    "constructor",
  ),
);
const words = fc.array(nasty, { maxLength: 6 }).map((a) => a.join(" "));

function outcomeText(o: Outcome): string {
  if (o.kind === "reply" || o.kind === "update") return o.reply.text;
  if (o.kind === "fieldErrors") return Object.values(o.errors).join(" ");
  if (o.kind === "modal") return o.modal.title;
  return "";
}

describe("hostile input", () => {
  let env: Awaited<ReturnType<typeof coreWithHostens>>;
  beforeAll(async () => {
    env = await coreWithHostens();
  });
  afterAll(async () => {
    await env.close();
  });

  it("the text grammar either parses or says what it expected; it never throws anything else", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          words,
          fc
            .tuple(fc.constantFrom(...commandTree.map((c) => c.path.join(" "))), words)
            .map(([p, w]) => `${p} ${w}`),
        ),
        (text) => {
          try {
            parseCommandText(text);
          } catch (err) {
            expect(err).toBeInstanceOf(UserError);
            expect((err as UserError).message.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it("every command with random arguments answers clearly and nothing invalid reaches a provider", async () => {
    const callsBefore = env.fake.count();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...commandTree.filter(
            (c) => !["services", "balance", "invoices", "domains", "service"].includes(c.path[0]!),
          ),
        ),
        fc.dictionary(
          fc.constantFrom(
            "account",
            "service",
            "label",
            "user",
            "role",
            "provider",
            "os",
            "n",
            "years",
            "domain",
            "nameservers",
            "reason",
            "state",
            "option",
            "__proto__",
          ),
          fc.oneof(nasty, fc.integer(), fc.boolean(), fc.constant(null)),
          { maxKeys: 4 },
        ),
        async (def, args) => {
          const out = await env.app.dispatcher.command({
            ...actorFor("UADMIN", { userIsPlatformAdmin: true }),
            path: [...def.path],
            args,
          });
          expect(["reply", "modal", "update", "fieldErrors", "none"]).toContain(out.kind);
          expect(outcomeText(out)).not.toMatch(/Something went wrong on our side/);
        },
      ),
      { numRuns: 300 },
    );
    // Invalid arguments are refused before any provider call: the only calls are lookups that
    // valid-looking service ids or labels may trigger, never a mutating request.
    const mutating = env.fake.requests.slice(callsBefore).filter((r) => r.method !== "GET");
    expect(mutating).toEqual([]);
  }, 120_000);

  it("every form rejects hostile values with field errors or a clear message, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...modalHandlers.map((m) => m.id)),
        fc.oneof(nasty, fc.constant('{"kind":"hostens"}'), fc.constant('{"kind":"nope"}')),
        fc.dictionary(
          fc.constantFrom(
            "label",
            "cred_username",
            "cred_password",
            "base_url",
            "os",
            "pin",
            "expiry_days",
            "min_balance",
          ),
          nasty,
          { maxKeys: 5 },
        ),
        async (id, state, values) => {
          const out = await env.app.dispatcher.modal(
            actorFor("UADMIN", { userIsPlatformAdmin: true }),
            id,
            state,
            values,
          );
          expect(["reply", "fieldErrors", "modal", "update", "none"]).toContain(out.kind);
          expect(outcomeText(out)).not.toMatch(/Something went wrong on our side/);
        },
      ),
      { numRuns: 200 },
    );
    const mutating = env.fake.requests.filter((r) => r.method !== "GET");
    expect(mutating).toEqual([]);
  }, 120_000);

  it("a valid-looking but unknown account label gets a clear answer", async () => {
    const out = await env.app.dispatcher.command({
      ...actorFor("UADMIN", { userIsPlatformAdmin: true }),
      path: ["services"],
      args: { account: "nope" },
    });
    expect(outcomeText(out)).toContain("not bound to this channel");
  });
});
