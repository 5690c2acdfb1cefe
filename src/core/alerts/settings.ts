import { z } from "zod";
import type { AlertSettings } from "../../db/schema.ts";
import { parseDecimal } from "../../providers/_shared/normalize.ts";
import type { Modal } from "../reply.ts";

/**
 * The alert settings form: five fields (Discord forms hold at most five), each validated with zod
 * and answered with a message next to the field that says what is expected.
 */

export const SETTINGS_MODAL_ID = "alerts:config";

const onOff = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => /^(on|off|yes|no|true|false)$/.test(v), `${what}: type on or off.`)
    .transform((v) => /^(on|yes|true)$/.test(v));

const expiryDays = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === "" || /^(off|none|no)$/i.test(v)) return [];
    const parts = v.split(/[\s,;]+/).filter(Boolean);
    const days: number[] = [];
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || Number(p) > 365) {
        ctx.addIssue({
          code: "custom",
          message: `Days before expiry: whole numbers from 0 to 365 separated by commas, such as 14, 7, 3, 1 ("${p.slice(0, 12)}" is not one). Type off for no expiry alerts.`,
        });
        return z.NEVER;
      }
      days.push(Number(p));
    }
    const unique = [...new Set(days)].sort((a, b) => b - a);
    if (unique.length > 8) {
      ctx.addIssue({ code: "custom", message: "Days before expiry: at most 8 values." });
      return z.NEVER;
    }
    return unique;
  });

const minBalance = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === "") return null;
    const cleaned = v.replace(/^[^\d-]+|[^\d.]+$/g, "");
    if (!/^\d{1,12}(\.\d{1,8})?$/.test(cleaned)) {
      ctx.addIssue({
        code: "custom",
        message:
          "Minimum balance: an amount such as 10 or 12.50 in the account's currency, 0 or more. Leave it empty for no balance alert.",
      });
      return z.NEVER;
    }
    return parseDecimal(cleaned);
  });

const HHMM = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const quietHours = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === "" || /^(off|none|no)$/i.test(v)) return { start: null, end: null };
    const m = /^(\S+)\s*(?:-|–|to)\s*(\S+)$/.exec(v);
    const start = m?.[1] && HHMM.exec(m[1]);
    const end = m?.[2] && HHMM.exec(m[2]);
    if (!start || !end) {
      ctx.addIssue({
        code: "custom",
        message:
          "Quiet hours: start-end as HH:MM-HH:MM in 24-hour time, such as 22:00-07:00. Leave it empty for none.",
      });
      return z.NEVER;
    }
    const fmt = (x: RegExpExecArray) => `${(x[1] ?? "").padStart(2, "0")}:${x[2]}`;
    if (fmt(start) === fmt(end)) {
      ctx.addIssue({ code: "custom", message: "Quiet hours: the start and the end must differ." });
      return z.NEVER;
    }
    return { start: fmt(start), end: fmt(end) };
  });

export const settingsForm = z.object({
  expiry_days: expiryDays,
  min_balance: minBalance,
  unpaid: onOff("Unpaid invoice alerts"),
  quiet_hours: quietHours,
  critical: onOff("Critical alerts in quiet hours"),
});

export type SettingsFormResult =
  | { ok: true; settings: AlertSettings }
  | { ok: false; errors: Record<string, string> };

/** Validates the submitted form; `current` keeps what the form does not show (enabled). */
export function parseSettingsForm(
  values: Record<string, string>,
  current: AlertSettings,
): SettingsFormResult {
  const input = {
    expiry_days: values.expiry_days ?? "",
    min_balance: values.min_balance ?? "",
    unpaid: values.unpaid ?? "",
    quiet_hours: values.quiet_hours ?? "",
    critical: values.critical ?? "",
  };
  const r = settingsForm.safeParse(input);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const issue of r.error.issues) {
      const field = String(issue.path[0] ?? "expiry_days");
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const v = r.data;
  return {
    ok: true,
    settings: {
      ...current,
      expiryDays: v.expiry_days,
      minBalance: v.min_balance,
      unpaidInvoices: v.unpaid,
      quietStart: v.quiet_hours.start,
      quietEnd: v.quiet_hours.end,
      criticalOverridesQuiet: v.critical,
    },
  };
}

const ON_OFF = [
  { value: "on", label: "on" },
  { value: "off", label: "off" },
];

/** The form, filled with the current settings. `state` carries the binding id. */
export function settingsModal(
  bindingId: string,
  accountLabel: string,
  s: AlertSettings,
  timeZone: string,
): Modal {
  return {
    id: SETTINGS_MODAL_ID,
    title: `Alerts: ${accountLabel}`.slice(0, 24),
    submitLabel: "Save",
    state: JSON.stringify({ bindingId }),
    intro: `Alerts for ${accountLabel} in this channel. Times are in ${timeZone}.`,
    fields: [
      {
        id: "expiry_days",
        label: "Days before expiry to alert (comma-separated)",
        kind: "text",
        optional: true,
        placeholder: "14, 7, 3, 1",
        initial: s.expiryDays.join(", "),
        maxLength: 60,
      },
      {
        id: "min_balance",
        label: "Minimum balance (empty: no balance alert)",
        kind: "text",
        optional: true,
        placeholder: "10.00",
        initial: s.minBalance ?? undefined,
        maxLength: 24,
      },
      {
        id: "unpaid",
        label: "Unpaid invoice alerts",
        kind: "select",
        options: ON_OFF,
        initial: s.unpaidInvoices ? "on" : "off",
      },
      {
        id: "quiet_hours",
        label: `Quiet hours, HH:MM-HH:MM (${timeZone})`,
        kind: "text",
        optional: true,
        placeholder: "22:00-07:00",
        initial: s.quietStart && s.quietEnd ? `${s.quietStart}-${s.quietEnd}` : undefined,
        maxLength: 20,
      },
      {
        id: "critical",
        label: "Critical alerts break through quiet hours",
        kind: "select",
        options: ON_OFF,
        initial: s.criticalOverridesQuiet ? "on" : "off",
      },
    ],
  };
}
