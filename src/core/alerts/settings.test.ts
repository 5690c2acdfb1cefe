import { describe, expect, it } from "vitest";
import { DEFAULT_ALERT_SETTINGS } from "../accounts.ts";
import { parseSettingsForm } from "./settings.ts";

/** The settings form: every field parsed, each bad value refused next to its field. */

describe("settings form", () => {
  const ok = { expiry_days: "14, 7, 3, 1", min_balance: "", unpaid: "on", quiet_hours: "", critical: "on" };

  it("parses every field", () => {
    const r = parseSettingsForm(
      {
        expiry_days: "30 7,1 7",
        min_balance: "12.5 EUR",
        unpaid: "off",
        quiet_hours: "22:00-7:30",
        critical: "off",
      },
      DEFAULT_ALERT_SETTINGS,
    );
    expect(r).toEqual({
      ok: true,
      settings: {
        ...DEFAULT_ALERT_SETTINGS,
        expiryDays: [30, 7, 1],
        minBalance: "12.50",
        unpaidInvoices: false,
        quietStart: "22:00",
        quietEnd: "07:30",
        criticalOverridesQuiet: false,
      },
    });
    expect(parseSettingsForm(ok, DEFAULT_ALERT_SETTINGS)).toMatchObject({
      ok: true,
      settings: { minBalance: null, quietStart: null },
    });
  });

  it.each([
    ["expiry_days", "14, soon", /whole numbers from 0 to 365/],
    ["expiry_days", "400", /whole numbers from 0 to 365/],
    ["min_balance", "-5", /an amount such as 10 or 12.50/],
    ["min_balance", "ten", /an amount such as 10 or 12.50/],
    ["quiet_hours", "22:00", /HH:MM-HH:MM/],
    ["quiet_hours", "25:00-07:00", /HH:MM-HH:MM/],
    ["quiet_hours", "07:00-07:00", /must differ/],
    ["unpaid", "maybe", /on or off/],
    ["critical", "", /on or off/],
  ])("%s = %j is refused with a clear message", (field, value, message) => {
    const r = parseSettingsForm({ ...ok, [field]: value }, DEFAULT_ALERT_SETTINGS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors)).toEqual([field]);
      expect(r.errors[field]).toMatch(message);
    }
  });
});
