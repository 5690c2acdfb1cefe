import { describe, expect, it } from "vitest";
import type { AlertSettings } from "../../db/schema.ts";
import { plainText } from "../rich.ts";
import { eur, facts, invoice, service, settings } from "./__fixtures__/facts.ts";
import type { AccountFacts } from "./model.ts";
import { type Delivery, type PlanInput, planBinding, STALE_CLAIM_MS } from "./planner.ts";

/**
 * The planner as tables: facts + settings + time (+ the rows a binding already has) in, alerts
 * and what happens to each out. The zone rows put "now" on either side of midnight in
 * HOSTOPS_TZ — UTC, America/Los_Angeles (UTC-8, -7 in summer) and Pacific/Kiritimati (UTC+14) —
 * since that is where a day count, and so a key or a severity, changes.
 */

const ZONES = { utc: "UTC", la: "America/Los_Angeles", kiri: "Pacific/Kiritimati" } as const;

function plan(over: Partial<PlanInput> & { now: Date }) {
  return planBinding({
    facts: facts(),
    settings: settings(),
    snoozedUntil: null,
    deliveries: [],
    timeZone: "UTC",
    ...over,
  });
}

/** "key severity action", one per alert: what the tables compare. */
const outcome = (p: ReturnType<typeof planBinding>) =>
  p.planned.map((a) => `${a.key} ${a.severity} ${a.action}`);

/** A provider date: drivers read "YYYY-MM-DD" as UTC midnight. */
const providerDate = (iso: string) => new Date(`${iso}T00:00:00Z`);
const vps = (date: string) => facts({ services: [service({ expiresAt: providerDate(date) })] });
const at = (s: string) => new Date(s);
const dueOn = (date: string) => facts({ invoices: [invoice({ dueAt: providerDate(date) })] });
const strictNights = { quietStart: "22:00", quietEnd: "07:00", criticalOverridesQuiet: false };
/** A balance short of a renewal with autorenew on, an expired service, a cancelled one, a domain, an invoice. */
const mixed = facts({
  balance: eur("5.00"),
  services: [
    service({
      id: "1",
      label: "a",
      expiresAt: providerDate("2026-01-18"),
      renewalPrice: eur("30.00"),
      billingCycleMonths: 1,
      autorenew: true,
    }),
    service({ id: "2", label: "b", expiresAt: providerDate("2026-01-01"), status: "suspended" }),
    service({ id: "3", label: "c", expiresAt: providerDate("2026-01-12"), status: "cancelled" }),
  ],
  domains: [
    {
      id: "48",
      name: "example.com",
      expiresAt: providerDate("2026-01-24"),
      status: "active",
      autorenew: null,
      raw: {},
    },
  ],
  invoices: [invoice({ id: "9", dueAt: providerDate("2026-01-20") })],
});

describe("planner: facts, settings and the time give the alerts", () => {
  interface Row {
    zone: keyof typeof ZONES;
    now: string;
    facts: AccountFacts;
    settings?: Partial<AlertSettings>;
    expected: string[];
  }
  const k = "expiry:service:302:2026-01-12";
  // biome-ignore format: a table reads best one row a line
  const table: [string, Row][] = [
    // 2026-01-11 07:30 UTC is 23:30 on the 10th in Los Angeles and 21:30 on the 11th in Kiritimati.
    ["UTC: one day left", { zone: "utc", now: "2026-01-11T07:30:00Z", facts: vps("2026-01-12"), expected: [`${k}:d1 critical post`] }],
    ["LA: still the day before, two days left", { zone: "la", now: "2026-01-11T07:30:00Z", facts: vps("2026-01-12"), expected: [`${k}:d3 warning post`] }],
    ["Kiritimati: one day left", { zone: "kiri", now: "2026-01-11T07:30:00Z", facts: vps("2026-01-12"), expected: [`${k}:d1 critical post`] }],
    // 10:30 UTC is already the 12th in Kiritimati: the day itself.
    ["Kiritimati: the day itself", { zone: "kiri", now: "2026-01-11T10:30:00Z", facts: vps("2026-01-12"), expected: [`${k}:d1 critical post`] }],
    ["Kiritimati: a day later it has expired", { zone: "kiri", now: "2026-01-12T10:30:00Z", facts: vps("2026-01-12"), expected: [`${k}:expired critical post`] }],
    ["UTC: the same instant is still the day itself", { zone: "utc", now: "2026-01-12T10:30:00Z", facts: vps("2026-01-12"), expected: [`${k}:d1 critical post`] }],
    ["LA: 23:59 on the day, not yet expired", { zone: "la", now: "2026-01-13T07:59:00Z", facts: vps("2026-01-12"), expected: [`${k}:d1 critical post`] }],
    ["LA: midnight after the day, expired", { zone: "la", now: "2026-01-13T08:00:00Z", facts: vps("2026-01-12"), expected: [`${k}:expired critical post`] }],
    // A threshold of 3: four days left is nothing, three days is the crossing; midnight in LA is 08:00 UTC.
    ["LA: 23:59, four days left, below no threshold", { zone: "la", now: "2026-01-09T07:59:00Z", facts: vps("2026-01-12"), settings: { expiryDays: [3] }, expected: [] }],
    ["LA: midnight, three days left", { zone: "la", now: "2026-01-09T08:00:00Z", facts: vps("2026-01-12"), settings: { expiryDays: [3] }, expected: [`${k}:d3 warning post`] }],
    ["UTC: 07:59 is already three days", { zone: "utc", now: "2026-01-09T07:59:00Z", facts: vps("2026-01-12"), settings: { expiryDays: [3] }, expected: [`${k}:d3 warning post`] }],
    // DST: Los Angeles springs forward on 2026-03-08; midnight of the 9th is 07:00 UTC, not 08:00.
    ["LA after the DST change: 23:59 on the 8th", { zone: "la", now: "2026-03-09T06:59:00Z", facts: vps("2026-03-10"), settings: { expiryDays: [1] }, expected: [] }],
    ["LA after the DST change: midnight of the 9th", { zone: "la", now: "2026-03-09T07:00:00Z", facts: vps("2026-03-10"), settings: { expiryDays: [1] }, expected: ["expiry:service:302:2026-03-10:d1 critical post"] }],
    // An invoice due on the 12th: unpaid in UTC, already overdue where the 13th has begun.
    ["UTC: an invoice due today is unpaid", { zone: "utc", now: "2026-01-12T10:30:00Z", facts: dueOn("2026-01-12"), expected: ["invoice:308977:unpaid info post"] }],
    ["Kiritimati: the same invoice is overdue", { zone: "kiri", now: "2026-01-12T10:30:00Z", facts: dueOn("2026-01-12"), expected: ["invoice:308977:overdue warning post"] }],
    ["invoice alerts off: nothing", { zone: "kiri", now: "2026-01-12T10:30:00Z", facts: dueOn("2026-01-12"), settings: { unpaidInvoices: false }, expected: [] }],
    // Quiet hours 22:00-07:00 in the zone (critical alerts wait too unless allowed): 07:30 UTC is 23:30 in LA.
    ["UTC: after the quiet hours, posted", { zone: "utc", now: "2026-01-11T07:30:00Z", facts: vps("2026-01-12"), settings: strictNights, expected: [`${k}:d1 critical post`] }],
    ["LA: inside the quiet hours, held", { zone: "la", now: "2026-01-11T07:30:00Z", facts: vps("2026-01-12"), settings: strictNights, expected: [`${k}:d3 warning defer`] }],
    ["LA: a critical alert breaks through when allowed", { zone: "la", now: "2026-01-12T07:30:00Z", facts: vps("2026-01-12"), settings: { ...strictNights, criticalOverridesQuiet: true }, expected: [`${k}:d1 critical post`] }],
    ["Kiritimati: 21:30, before the quiet hours", { zone: "kiri", now: "2026-01-11T07:30:00Z", facts: vps("2026-01-12"), settings: strictNights, expected: [`${k}:d1 critical post`] }],
    // Several facts at once, in digest order: critical first, then warnings by days left (then key), then information.
    ["a mixed account, in digest order", { zone: "utc", now: "2026-01-11T09:00:00Z", facts: mixed, settings: { minBalance: "10" }, expected: [
      "expiry:service:2:2026-01-01:expired critical post",
      "autorenew:service:1:2026-01-18 warning post",
      "expiry:service:1:2026-01-18:d7 warning post",
      "expiry:domain:48:2026-01-24:d14 warning post",
      "balance:low:10 warning post",
      "runway:EUR:d7 warning post",
      "invoice:9:unpaid info post",
    ] }],
  ];

  it.each(table)("%s", (_name, row) => {
    const p = plan({
      facts: row.facts,
      settings: settings(row.settings),
      now: at(row.now),
      timeZone: ZONES[row.zone],
    });
    expect(outcome(p)).toEqual(row.expected);
    expect(p.fresh).toHaveLength(row.expected.length);
  });
});

describe("planner: the rows a binding has decide what is claimed", () => {
  const now = at("2026-01-09T12:00:00Z");
  const key = "expiry:service:302:2026-01-12:d3";
  const row = (over: Partial<Delivery>): Delivery => ({
    id: "d-1",
    key,
    status: "sent",
    snoozedUntil: null,
    createdAt: at("2026-01-09T02:00:00Z"),
    subject: "service:302",
    ...over,
  });
  const earlier = (ms: number) => new Date(now.getTime() - ms);
  const later = (ms: number) => new Date(now.getTime() + ms);
  const quiet = { quietStart: "11:00", quietEnd: "13:00", criticalOverridesQuiet: false };

  interface Row {
    deliveries: Delivery[];
    settings?: Partial<AlertSettings>;
    snoozedUntil?: Date;
    ignoreQuietHours?: boolean;
    action: "post" | "defer" | "already";
    /** fresh: a new row to claim; reclaim: an existing one; none: nothing to claim. */
    claim: "fresh" | "reclaim" | "none";
    note?: RegExp;
    counts?: { deduplicated?: number; deferred?: number };
  }
  // biome-ignore format: a table reads best one row a line
  const table: [string, Row][] = [
    ["no row: claimed as new and posted", { deliveries: [], action: "post", claim: "fresh" }],
    ["posted before: nothing to do", { deliveries: [row({})], action: "already", claim: "none", counts: { deduplicated: 1 } }],
    ["snoozed, the snooze running: held", { deliveries: [row({ snoozedUntil: later(60_000) })], action: "defer", claim: "none", counts: { deduplicated: 1 } }],
    ["snoozed, the snooze over: posted again as a reminder", { deliveries: [row({ snoozedUntil: earlier(60_000) })], action: "post", claim: "reclaim", note: /^Reminder: this was snoozed until 2026-01-09 11:59 UTC/ }],
    ["held for the quiet hours, now over: posted with a note", { deliveries: [row({ status: "deferred", held: "quiet" })], action: "post", claim: "reclaim", note: /Found at 2026-01-09 02:00 UTC, during the quiet hours/ }],
    ["held for the quiet hours, still quiet: stays held", { deliveries: [row({ status: "deferred", held: "quiet" })], settings: quiet, action: "defer", claim: "none", counts: { deferred: 1 } }],
    ["held, still quiet, but a person ran it: posted", { deliveries: [row({ status: "deferred", held: "quiet" })], settings: quiet, ignoreQuietHours: true, action: "post", claim: "reclaim" }],
    ["a failed post: retried", { deliveries: [row({ status: "deferred", held: "retry" })], action: "post", claim: "reclaim", note: /this is the retry/ }],
    ["claimed a moment ago by another scan: left to it", { deliveries: [row({ status: "pending", claimedAt: earlier(60_000).toISOString() })], action: "already", claim: "none", counts: { deduplicated: 1 } }],
    ["a claim older than 15 minutes: posted, may repeat", { deliveries: [row({ status: "pending", claimedAt: earlier(STALE_CLAIM_MS + 1).toISOString() })], action: "post", claim: "reclaim", note: /may repeat/ }],
    ["the binding snoozed: a new alert is stored held", { deliveries: [], snoozedUntil: later(60_000), action: "defer", claim: "fresh" }],
    ["new alert in the quiet hours: stored held", { deliveries: [], settings: quiet, action: "defer", claim: "fresh" }],
  ];

  it.each(table)("%s", (_name, r) => {
    const p = plan({
      facts: vps("2026-01-12"),
      settings: settings(r.settings),
      now,
      deliveries: r.deliveries,
      snoozedUntil: r.snoozedUntil ?? null,
      ignoreQuietHours: r.ignoreQuietHours,
    });
    expect(p.planned.map((a) => `${a.key} ${a.action}`)).toEqual([`${key} ${r.action}`]);
    expect(p.fresh.length ? "fresh" : p.reclaim.length ? "reclaim" : "none").toBe(r.claim);
    if (r.note) expect(p.reclaim[0]?.note).toMatch(r.note);
    expect({ deduplicated: p.deduplicated, deferred: p.deferred }).toEqual({
      deduplicated: r.counts?.deduplicated ?? 0,
      deferred: r.counts?.deferred ?? 0,
    });
  });

  it("a new crossing of a snoozed item waits for the same snooze; the old key is reset", () => {
    const until = later(3 * 86_400_000);
    const old = row({ id: "d-7", key: "expiry:service:302:2026-01-12:d7", snoozedUntil: until });
    const p = plan({ facts: vps("2026-01-12"), now, deliveries: [old] });
    expect(p.fresh).toEqual([expect.objectContaining({ hold: "snooze", snoozedUntil: until })]);
    expect(p.resets.map((d) => d.id)).toEqual(["d-7"]);
  });
});

describe("planner: resets and outages", () => {
  const now = at("2026-01-09T12:00:00Z");
  const row = (key: string, over: Partial<Delivery> = {}): Delivery => ({
    id: key,
    key,
    status: "sent",
    snoozedUntil: null,
    createdAt: at("2026-01-08T09:15:00Z"),
    ...over,
  });
  const resets = (over: Partial<PlanInput>) => plan({ now, ...over }).resets.map((d) => d.key);

  const soon = new Date(now.getTime() + 60_000);
  // biome-ignore format: a table reads best one row a line
  const table: [string, Partial<PlanInput>, string[]][] = [
    ["a renewed item's old key (its family was fetched)", { deliveries: [row("expiry:service:302:2026-01-12:d3")] }, ["expiry:service:302:2026-01-12:d3"]],
    ["a paid invoice's key", { deliveries: [row("invoice:9:unpaid")] }, ["invoice:9:unpaid"]],
    ["not when invoices were not fetched", { facts: facts({ invoices: undefined }), deliveries: [row("invoice:9:unpaid")] }, []],
    ["invoice keys when invoice alerts are off, fetched or not", { facts: facts({ invoices: undefined }), settings: settings({ unpaidInvoices: false }), deliveries: [row("invoice:9:unpaid")] }, ["invoice:9:unpaid"]],
    ["not a balance key without a balance", { deliveries: [row("balance:low:10")] }, []],
    ["not a claim being posted right now", { deliveries: [row("invoice:9:unpaid", { status: "pending", claimedAt: now.toISOString() })] }, []],
    ["a stale claim", { deliveries: [row("invoice:9:unpaid", { status: "pending", claimedAt: "2026-01-09T11:00:00.000Z" })] }, ["invoice:9:unpaid"]],
    ["never a report claim", { deliveries: [row("report:weekly:2026-W02")] }, []],
    ["the outage notice once the account answers", { deliveries: [row("outage:acc-1")] }, ["outage:acc-1"]],
    ["but not in the quiet hours ('answers again' waits with it)", { deliveries: [row("outage:acc-1")], settings: settings({ quietStart: "11:00", quietEnd: "13:00" }) }, []],
    ["nor while the binding is snoozed", { deliveries: [row("outage:acc-1")], snoozedUntil: soon }, []],
    ["nor while the notice itself is snoozed", { deliveries: [row("outage:acc-1", { subject: "outage", snoozedUntil: soon })] }, []],
  ];
  it.each(table)("resets %s", (_name, over, expected) => {
    expect(resets(over)).toEqual(expected);
  });

  it("an account that cannot be checked: one notice, since the first failure, kept while it lasts", () => {
    const first = plan({
      now,
      facts: facts({ services: undefined }),
      failure: "Hostens had an internal error.",
    });
    expect(outcome(first)).toEqual(["outage:acc-1 warning post"]);
    expect(first.alerts[0]?.title).toBe("Could not check account prod since 2026-01-09 12:00 UTC");
    expect(plainText(first.alerts[0]?.advice ?? "")).toContain("/hosting accounts edit prod");

    const again = plan({
      now,
      facts: facts({ services: undefined }),
      failure: "timeout",
      deliveries: [row("outage:acc-1"), row("expiry:service:302:2026-01-12:d3")],
    });
    expect(outcome(again)).toEqual(["outage:acc-1 warning already"]);
    expect(again.alerts[0]?.title).toContain("since 2026-01-08 09:15 UTC");
    // Services were not fetched: their keys are not reset, and the outage row holds.
    expect(again.resets).toEqual([]);
  });
});
