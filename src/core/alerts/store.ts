import { and, desc, eq, inArray, notLike, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { alertDeliveries, type MessageRef } from "../../db/schema.ts";
import { plainText } from "../rich.ts";
import type { AccountRef, AlertSeverity } from "./model.ts";
import type { Delivery, FreshAlert } from "./planner.ts";

/**
 * The delivery store: every statement on alert_deliveries, and nothing that decides. The table is
 * unique on (binding_id, alert_key), and that is what makes a delivery happen at most once across
 * replicas: a row is claimed with a statement that only one caller can win — INSERT … ON CONFLICT
 * DO NOTHING RETURNING for a new key, a conditional UPDATE … RETURNING for a held, snoozed or
 * stale one — and only the caller it returned the row to posts it. The planner (planner.ts) says
 * what to claim; the alert commands, the overview and the scheduled reports (whose once-per-period
 * claims share the table, under {@link REPORT_KEY_PREFIX}) read and write through here too.
 */

/** Scheduled reports keep their once-per-period claims in alert_deliveries under this prefix; they are not alerts. */
export const REPORT_KEY_PREFIX = "report:";

/** An open alert as `/hosting alerts` lists it. */
export interface OpenAlert {
  bindingId: string;
  key: string;
  /** The alert's title when it was found (the key if the row has none). */
  title: string;
  status: Delivery["status"];
  snoozedUntil: Date | null;
  createdAt: Date;
}

/** What a button on a posted alert points at. */
export interface PostedAlert {
  id: string;
  bindingId: string;
  title: string | undefined;
  /** The Renew button's confirmation request, when the alert offered one. */
  renew:
    | { action: "renew" | "domain-renew"; params: Record<string, string | number>; cost?: string }
    | undefined;
}

// The payload's fields, as written by claimNew; read back only through these.
const payloadFields = z.object({
  subject: z.string().optional().catch(undefined),
  claimedAt: z.string().optional().catch(undefined),
  held: z.string().optional().catch(undefined),
  title: z.string().optional().catch(undefined),
  renew: z
    .object({
      action: z.enum(["renew", "domain-renew"]),
      params: z.record(z.string(), z.union([z.string(), z.number()])),
      cost: z.string().optional(),
    })
    .optional()
    .catch(undefined),
});

const notReport = notLike(alertDeliveries.alertKey, `${REPORT_KEY_PREFIX}%`);

function payloadOf(row: { payload: unknown }) {
  return payloadFields.parse(typeof row.payload === "object" && row.payload !== null ? row.payload : {});
}

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  // --- The scan -------------------------------------------------------------------------------

  /** Every row of a binding (alerts and report claims alike: report keys are in no alert family). */
  async ofBinding(bindingId: string): Promise<Delivery[]> {
    const rows = await this.db.select().from(alertDeliveries).where(eq(alertDeliveries.bindingId, bindingId));
    return rows.map((r) => {
      const p = payloadOf(r);
      return {
        id: r.id,
        key: r.alertKey,
        status: r.status,
        snoozedUntil: r.snoozedUntil,
        createdAt: r.createdAt,
        ...(p.subject !== undefined ? { subject: p.subject } : {}),
        ...(p.claimedAt !== undefined ? { claimedAt: p.claimedAt } : {}),
        ...(p.held !== undefined ? { held: p.held } : {}),
      };
    });
  }

  /**
   * Deletes rows whose key no longer holds; a pending row only when its claim is stale (a scan
   * may be posting it right now). Returns what this call deleted.
   */
  async reset(
    ids: readonly string[],
    staleBefore: string,
  ): Promise<{ key: string; status: Delivery["status"]; createdAt: Date }[]> {
    if (!ids.length) return [];
    return this.db
      .delete(alertDeliveries)
      .where(
        and(
          inArray(alertDeliveries.id, [...ids]),
          or(
            sql`${alertDeliveries.status} <> 'pending'`,
            sql`${alertDeliveries.payload}->>'claimedAt' < ${staleBefore}`,
          ),
        ),
      )
      .returning({
        key: alertDeliveries.alertKey,
        status: alertDeliveries.status,
        createdAt: alertDeliveries.createdAt,
      });
  }

  /**
   * Claims new alerts: pending when they go now, deferred when held. Returns, by key, the rows
   * this call inserted; a key missing from the answer was claimed by another scan.
   */
  async claimNew(
    bindingId: string,
    account: AccountRef,
    fresh: readonly FreshAlert[],
    now: Date,
  ): Promise<Map<string, { id: string; status: Delivery["status"] }>> {
    if (!fresh.length) return new Map();
    const claimedAt = now.toISOString();
    const inserted = await this.db
      .insert(alertDeliveries)
      .values(
        fresh.map(({ alert, hold, snoozedUntil }) => ({
          bindingId,
          alertKey: alert.key,
          kind: alert.kind,
          severity: alert.severity,
          payload: {
            subject: alert.subject,
            title: alert.title,
            detail: plainText(alert.detail),
            advice: plainText(alert.advice),
            ...(alert.renew ? { renew: alert.renew } : {}),
            accountId: account.id,
            accountLabel: account.label,
            ...(hold ? { held: hold } : { claimedAt }),
          },
          status: hold ? ("deferred" as const) : ("pending" as const),
          snoozedUntil,
          createdAt: now,
        })),
      )
      .onConflictDoNothing({ target: [alertDeliveries.bindingId, alertDeliveries.alertKey] })
      .returning({ id: alertDeliveries.id, key: alertDeliveries.alertKey, status: alertDeliveries.status });
    return new Map(inserted.map((r) => [r.key, { id: r.id, status: r.status }]));
  }

  /**
   * Claims rows again: a held row whose hold ended, a sent row whose snooze ended (the reminder),
   * a pending row whose claim is stale. The conditions are checked again in the statement, so of
   * two scans only one gets each row. Returns the ids this call claimed.
   */
  async reclaim(ids: readonly string[], now: Date, staleBefore: string): Promise<Set<string>> {
    if (!ids.length) return new Set();
    // A Date is not a parameter both drivers serialize inside raw sql: pass ISO text.
    const nowIso = now.toISOString();
    const claimed = await this.db
      .update(alertDeliveries)
      .set({
        status: "pending",
        snoozedUntil: null,
        payload: sql`${alertDeliveries.payload} || ${JSON.stringify({ claimedAt: nowIso })}::jsonb`,
      })
      .where(
        and(
          inArray(alertDeliveries.id, [...ids]),
          or(
            sql`${alertDeliveries.status} = 'deferred' and (${alertDeliveries.snoozedUntil} is null or ${alertDeliveries.snoozedUntil} <= ${nowIso}::timestamptz)`,
            sql`${alertDeliveries.status} = 'sent' and ${alertDeliveries.snoozedUntil} <= ${nowIso}::timestamptz`,
            sql`${alertDeliveries.status} = 'pending' and ${alertDeliveries.payload}->>'claimedAt' < ${staleBefore}`,
          ),
        ),
      )
      .returning({ id: alertDeliveries.id });
    return new Set(claimed.map((c) => c.id));
  }

  /** The claimed rows were posted in `ref`. */
  async markSent(ids: readonly string[], now: Date, ref: MessageRef): Promise<void> {
    if (!ids.length) return;
    await this.db
      .update(alertDeliveries)
      .set({ status: "sent", sentAt: now, messageRef: ref, snoozedUntil: null })
      .where(and(inArray(alertDeliveries.id, [...ids]), eq(alertDeliveries.status, "pending")));
  }

  /** Posting failed and nothing reached the channel: back to deferred, so the next scan posts them. */
  async release(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.db
      .update(alertDeliveries)
      .set({
        status: "deferred",
        payload: sql`${alertDeliveries.payload} || ${JSON.stringify({ held: "retry" })}::jsonb`,
      })
      .where(and(inArray(alertDeliveries.id, [...ids]), eq(alertDeliveries.status, "pending")));
  }

  // --- Commands, buttons, the overview ----------------------------------------------------------

  /** The open alerts of these bindings, newest first (report claims left out). */
  async open(bindingIds: readonly string[]): Promise<OpenAlert[]> {
    if (!bindingIds.length) return [];
    const rows = await this.db
      .select()
      .from(alertDeliveries)
      .where(and(inArray(alertDeliveries.bindingId, [...bindingIds]), notReport))
      .orderBy(desc(alertDeliveries.createdAt));
    return rows.map((r) => ({
      bindingId: r.bindingId,
      key: r.alertKey,
      title: payloadOf(r).title ?? r.alertKey,
      status: r.status,
      snoozedUntil: r.snoozedUntil,
      createdAt: r.createdAt,
    }));
  }

  /** The severity of every alert posted or held in these bindings (what the overview counts). */
  async alerting(bindingIds: readonly string[]): Promise<{ bindingId: string; severity: AlertSeverity }[]> {
    if (!bindingIds.length) return [];
    return this.db
      .select({ bindingId: alertDeliveries.bindingId, severity: alertDeliveries.severity })
      .from(alertDeliveries)
      .where(
        and(
          inArray(alertDeliveries.bindingId, [...bindingIds]),
          inArray(alertDeliveries.status, ["sent", "deferred"]),
          notReport,
        ),
      );
  }

  /** The row a button carries the id of; undefined once it was reset (renewed, paid, unbound). */
  async find(id: string): Promise<PostedAlert | undefined> {
    const [row] = await this.db.select().from(alertDeliveries).where(eq(alertDeliveries.id, id));
    if (!row) return undefined;
    const p = payloadOf(row);
    return { id: row.id, bindingId: row.bindingId, title: p.title, renew: p.renew };
  }

  /** Holds the alert's subject until `until` (the scan reads snoozes from the rows). */
  async snooze(id: string, until: Date): Promise<void> {
    await this.db.update(alertDeliveries).set({ snoozedUntil: until }).where(eq(alertDeliveries.id, id));
  }

  // --- Scheduled reports: one claim per channel and period ---------------------------------------

  async hasClaim(bindingId: string, key: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: alertDeliveries.id })
      .from(alertDeliveries)
      .where(and(eq(alertDeliveries.bindingId, bindingId), eq(alertDeliveries.alertKey, key)));
    return rows.length > 0;
  }

  /** Claims `key` for the binding; true for exactly one caller across replicas. */
  async claimOnce(bindingId: string, key: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .insert(alertDeliveries)
      .values({
        bindingId,
        alertKey: key,
        kind: "report",
        severity: "info",
        payload: {},
        status: "pending",
        createdAt: now,
      })
      .onConflictDoNothing({ target: [alertDeliveries.bindingId, alertDeliveries.alertKey] })
      .returning({ id: alertDeliveries.id });
    return rows.length > 0;
  }

  async markClaimSent(bindingId: string, key: string, now: Date): Promise<void> {
    await this.db
      .update(alertDeliveries)
      .set({ status: "sent", sentAt: now })
      .where(and(eq(alertDeliveries.bindingId, bindingId), eq(alertDeliveries.alertKey, key)));
  }

  /** Frees a claim whose post failed, so that the next run tries again. */
  async dropClaim(bindingId: string, key: string): Promise<void> {
    await this.db
      .delete(alertDeliveries)
      .where(and(eq(alertDeliveries.bindingId, bindingId), eq(alertDeliveries.alertKey, key)));
  }
}
