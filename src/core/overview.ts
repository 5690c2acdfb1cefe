import { and, eq, gt, inArray } from "drizzle-orm";
import pLimit from "p-limit";
import { confirmationRequests } from "../db/schema.ts";
import type { Account, Binding } from "./accounts.ts";
import { fetchFacts } from "./alerts/facts.ts";
import { count } from "./alerts/model.ts";
import { runwayForecast } from "./alerts/runway.ts";
import { DeliveryStore } from "./alerts/store.ts";
import { dayIn, providerDay } from "./calendar.ts";
import { COMMAND_FAN_OUT } from "./commands/shared.ts";
import { requestDescription } from "./confirmations/card.ts";
import { decisionButtons } from "./confirmations.ts";
import type { Actor, Core } from "./context.ts";
import { upcomingExpiries } from "./forecast/plan.ts";
import { plain, relativeDays } from "./format.ts";
import { atLeast, rolesIn } from "./permissions.ts";
import { type Block, blocksReply, type Reply } from "./reply.ts";
import { channel, command, join, mention, rich, type Text } from "./rich.ts";

/**
 * One person's overview across every channel of the workspace they may read: what expires next,
 * which accounts are alerting, how long each balance lasts, and the requests they may decide
 * (with the same Approve / Deny buttons as the cards, so the same checks and exactly-once apply).
 * Slack shows it in the App Home tab; Discord and the console as `/hosting overview`.
 */

const NEXT_EXPIRIES = 10;

interface Visible {
  account: Account;
  binding: Binding;
  /** The person may approve in this channel. */
  admin: boolean;
}

/** The bindings of the workspace in channels where the person is at least a viewer. */
async function visibleBindings(core: Core, actor: Actor): Promise<Visible[]> {
  const all = await core.accounts.workspaceBindings(actor.platform, actor.workspaceId);
  const channels = [...new Set(all.map((b) => b.binding.channelId))];
  const roles = await rolesIn(core.db, actor, channels, core.settings.defaultRole);
  return all.flatMap(({ account, binding }) => {
    const role = roles.get(binding.channelId) ?? "none";
    return atLeast(role, "viewer") ? [{ account, binding, admin: atLeast(role, "admin") }] : [];
  });
}

export async function buildOverview(core: Core, actor: Actor, opts: { note?: Text } = {}): Promise<Reply> {
  const now = core.clock.now();
  const tz = core.settings.timeZone;
  const visible = await visibleBindings(core, actor);
  const blocks: Block[] = [{ kind: "header", text: "hostops overview" }];
  if (opts.note) blocks.push({ kind: "context", text: opts.note });
  if (!visible.length) {
    blocks.push({
      kind: "text",
      text: rich`No account is bound to a channel you can read yet. An admin adds one with ${command(["accounts", "add"])} and binds it in a channel with ${command(["bind"], { label: "<label>" })}.`,
    });
    return blocksReply(blocks, { ephemeral: true });
  }

  // Each account once, however many channels it is bound to.
  const accounts = new Map<string, Account>();
  for (const v of visible) accounts.set(v.account.id, v.account);
  const limit = pLimit(Math.max(COMMAND_FAN_OUT, core.settings.providerConcurrency));
  const facts = await Promise.all(
    [...accounts.values()].map((a) =>
      fetchFacts(core, a, { invoices: false }, limit).then((f) => ({ a, ...f })),
    ),
  );

  const upcoming = upcomingExpiries(
    facts.map((f) => ({ account: f.a, facts: f.facts })),
    now,
    tz,
  ).slice(0, NEXT_EXPIRIES);
  blocks.push({ kind: "header", text: `Next ${NEXT_EXPIRIES} expiries` });
  blocks.push({
    kind: "table",
    columns: ["date", "when", "item", "account"],
    rows: upcoming.map((x) => [
      providerDay(x.at).toString(),
      relativeDays(x.at, now, tz),
      plain(x.name, 60),
      x.account.label,
    ]),
  });

  const alerting = await new DeliveryStore(core.db.db).alerting(visible.map((v) => v.binding.id));
  const byAccount = new Map<string, { count: number; critical: number }>();
  for (const row of alerting) {
    const v = visible.find((x) => x.binding.id === row.bindingId);
    if (!v) continue;
    const e = byAccount.get(v.account.label) ?? { count: 0, critical: 0 };
    e.count++;
    if (row.severity === "critical") e.critical++;
    byAccount.set(v.account.label, e);
  }
  blocks.push({ kind: "header", text: "Alerting" });
  blocks.push(
    byAccount.size
      ? {
          kind: "fields",
          fields: [...byAccount.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([label, e]) => [
              label,
              `${count(e.count, "alert")}${e.critical ? `, ${e.critical} critical` : ""}`,
            ]),
        }
      : { kind: "text", text: "No account is alerting." },
  );

  const today = dayIn(now, tz);
  const balances: [string, string][] = facts.flatMap(({ a, facts: f, failure }) => {
    if (!f.balance) return failure ? [[a.label, "could not be checked"] as [string, string]] : [];
    const runway = runwayForecast(f.balance, f.services ?? [], today);
    const lasts =
      runway?.daysLeft === null || runway === null
        ? ""
        : `, lasts about ${count(runway.daysLeft, "day")} (until ${runway.lastsUntil})`;
    const uncovered = runway?.uncovered.length ? `; ${runway.uncovered.length} renewal(s) not covered` : "";
    return [[a.label, `${f.balance.amount} ${f.balance.currency}${lasts}${uncovered}`]];
  });
  blocks.push({ kind: "header", text: "Balances" });
  blocks.push(
    balances.length ? { kind: "fields", fields: balances } : { kind: "text", text: "No balance to show." },
  );

  const adminChannels = [...new Set(visible.filter((v) => v.admin).map((v) => v.binding.channelId))];
  const pending = adminChannels.length
    ? await core.db.db
        .select()
        .from(confirmationRequests)
        .where(
          and(
            eq(confirmationRequests.platform, actor.platform),
            eq(confirmationRequests.workspaceId, actor.workspaceId),
            inArray(confirmationRequests.channelId, adminChannels),
            eq(confirmationRequests.status, "pending"),
            gt(confirmationRequests.expiresAt, now),
          ),
        )
        .orderBy(confirmationRequests.expiresAt)
    : [];
  blocks.push({ kind: "header", text: "Waiting for your approval" });
  if (!pending.length) blocks.push({ kind: "text", text: "Nothing is waiting for you." });
  for (const r of pending.slice(0, 10)) {
    // Drawn from the action catalog (names in strong) while the request's params still parse.
    blocks.push({
      kind: "text",
      text: requestDescription(r, r.accountId ? accounts.get(r.accountId) : undefined),
    });
    blocks.push({
      kind: "context",
      text: rich`Requested by ${mention(r.requesterId)} in ${channel(r.channelId)}; ${r.approvals.length} of ${r.requiredApprovals} approval(s).`,
    });
    if (r.twoPerson && r.requesterId === actor.userId)
      blocks.push({ kind: "context", text: "Your own request: another admin must approve it." });
    else blocks.push(decisionButtons(r));
  }
  const failures = facts.flatMap((f) => (f.failure ? [f.failure] : []));
  if (failures.length) blocks.push({ kind: "context", text: rich`Incomplete: ${join(failures, " ")}` });
  return blocksReply(blocks, { ephemeral: true });
}
