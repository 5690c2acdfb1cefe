import { z } from "zod";
import type { ReportSchedule } from "../../db/schema.ts";
import { type CommandContext, defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { formatDateTime } from "../format.ts";
import { reply, textReply } from "../reply.ts";
import { reportPeriod, WEEKDAYS } from "../reports.ts";
import { command, rich } from "../rich.ts";

/** `/hosting report …`: the channel's scheduled report (forecast chart, renewals, unpaid invoices). */

const timeSchema = z
  .string()
  .trim()
  .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, "Give the time as HH:MM, for example 09:00.")
  .transform((t) => t.padStart(5, "0"));

const zoneSchema = z
  .string()
  .trim()
  .refine((z) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: z });
      return true;
    } catch {
      return false;
    }
  }, "Give a time zone such as Europe/Vilnius or UTC.");

const zoneParam = {
  name: "tz",
  description: "time zone (default: HOSTOPS_TZ)",
  type: "string",
  flag: true,
} as const;

async function setSchedule(ctx: CommandContext, schedule: ReportSchedule | null): Promise<number> {
  const { core, actor } = ctx;
  const bound = await core.accounts.resolve(actor.platform, actor.workspaceId, actor.channelId);
  for (const { binding } of bound)
    await core.accounts.updateBinding(binding.id, {
      alertSettings: { ...binding.alertSettings, report: schedule },
    });
  return bound.length;
}

function describe(s: ReportSchedule): string {
  const when =
    s.every === "weekly"
      ? `every ${WEEKDAYS[s.day - 1]?.toUpperCase()} at ${s.time}`
      : `on day ${s.day} of every month (the last day in shorter months) at ${s.time}`;
  return `${when} (${s.timeZone})`;
}

function confirmation(ctx: CommandContext, s: ReportSchedule): string {
  const now = ctx.core.clock.now();
  const p = reportPeriod(s, now);
  const next = p.due || p.at.getTime() <= now.getTime() ? nextAfter(s, p.at) : p.at;
  return `This channel gets its report ${describe(s)}: the forecast chart, the renewals of the next 30 days and the unpaid invoices. Next: ${formatDateTime(next, s.timeZone)}.`;
}

/** The first report time after `at` (the next week or month). */
function nextAfter(s: ReportSchedule, at: Date): Date {
  const later = new Date(at.getTime() + (s.every === "weekly" ? 7 : 32) * 86_400_000);
  return reportPeriod(s, later).at;
}

export const reportShow = defineCommand({
  path: ["report", "show"],
  summary: "Show when this channel gets its scheduled report",
  params: [],
  schema: z.object({}),
  role: "viewer",
  // A channel's settings are shown to the one who asks, like `alerts` and `approvals` (README).
  ephemeral: true,
  async run(ctx) {
    const { core, actor } = ctx;
    const bound = await core.accounts.resolve(actor.platform, actor.workspaceId, actor.channelId);
    const s = bound.find((b) => b.binding.alertSettings.report)?.binding.alertSettings.report;
    return reply(
      textReply(
        s
          ? confirmation(ctx, s)
          : rich`No scheduled report here. Admins set one with ${command(["report", "weekly"], { day: "<day>", time: "<HH:MM>" })} or ${command(["report", "monthly"], { day: "<day>", time: "<HH:MM>" })}.`,
      ),
    );
  },
});

export const reportWeekly = defineCommand({
  path: ["report", "weekly"],
  summary: "Post the forecast, renewals and unpaid invoices here every week (admins)",
  examples: ["/hosting report weekly mon 09:00", "/hosting report weekly fri 16:30 --tz Europe/Vilnius"],
  params: [
    { name: "day", description: "day of the week", type: "choice", choices: WEEKDAYS, required: true },
    { name: "time", description: "HH:MM", type: "string", required: true },
    zoneParam,
  ],
  schema: z.object({
    day: z.enum(WEEKDAYS, "Give a day of the week: mon, tue, wed, thu, fri, sat or sun."),
    time: timeSchema,
    tz: zoneSchema.optional(),
  }),
  role: "admin",
  async run(ctx, args) {
    const s: ReportSchedule = {
      every: "weekly",
      day: WEEKDAYS.indexOf(args.day) + 1,
      time: args.time,
      timeZone: args.tz ?? ctx.core.settings.timeZone,
      since: ctx.core.clock.now().toISOString(),
    };
    await setSchedule(ctx, s);
    return reply(textReply(confirmation(ctx, s)));
  },
});

export const reportMonthly = defineCommand({
  path: ["report", "monthly"],
  summary: "Post the forecast, renewals and unpaid invoices here every month (admins)",
  examples: ["/hosting report monthly 1 09:00"],
  params: [
    { name: "day", description: "day of the month (1-31)", type: "integer", required: true, min: 1, max: 31 },
    { name: "time", description: "HH:MM", type: "string", required: true },
    zoneParam,
  ],
  schema: z.object({
    day: z.coerce
      .number()
      .int()
      .min(1, "Give a day of the month from 1 to 31.")
      .max(31, "Give a day of the month from 1 to 31."),
    time: timeSchema,
    tz: zoneSchema.optional(),
  }),
  role: "admin",
  async run(ctx, args) {
    const s: ReportSchedule = {
      every: "monthly",
      day: args.day,
      time: args.time,
      timeZone: args.tz ?? ctx.core.settings.timeZone,
      since: ctx.core.clock.now().toISOString(),
    };
    await setSchedule(ctx, s);
    return reply(textReply(confirmation(ctx, s)));
  },
});

export const reportOff = defineCommand({
  path: ["report", "off"],
  summary: "Stop this channel's scheduled report (admins)",
  params: [],
  schema: z.object({}),
  role: "admin",
  async run(ctx) {
    const n = await setSchedule(ctx, null);
    if (!n) throw new UserError("not_found", "No account is bound here.");
    return reply(textReply("This channel gets no scheduled report any more."));
  },
});

export const reportCommands = [reportShow, reportWeekly, reportMonthly, reportOff];
