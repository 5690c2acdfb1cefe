import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** Chat platform a row belongs to. */
export type Platform = "slack" | "discord" | "console";
export type Role = "viewer" | "operator" | "admin";
export type ConfirmationStatus =
  | "pending"
  | "approved"
  | "executing"
  | "succeeded"
  | "failed"
  | "denied"
  | "expired"
  | "unknown";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** A provider account: credentials are AES-256-GCM ciphertext, never plain text. */
export const providerAccounts = pgTable(
  "provider_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: text("platform").$type<Platform>().notNull(),
    workspaceId: text("workspace_id").notNull(),
    label: text("label").notNull(),
    kind: text("kind").notNull(),
    baseUrl: text("base_url"),
    /** The provider's name as the admin gave it, for kinds that stand for many hosts (HostBill). */
    displayName: text("display_name"),
    /** What the provider's API told when the account was added or edited (`{ domains: false }`). */
    features: jsonb("features").$type<Record<string, boolean>>(),
    credentialsEnc: text("credentials_enc").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("provider_accounts_label_uq").on(t.platform, t.workspaceId, t.label)],
);

/** Alert settings of one binding (defaults apply where null). */
export interface AlertSettings {
  enabled: boolean;
  expiryDays: number[];
  minBalance: string | null;
  unpaidInvoices: boolean;
  /** "HH:MM" in HOSTOPS_TZ; alerts found inside wait until the end. */
  quietStart: string | null;
  quietEnd: string | null;
  /** Critical alerts (expired, or expiring today/tomorrow) break through quiet hours. */
  criticalOverridesQuiet: boolean;
  /** The channel's scheduled report (`/hosting report`), kept on each of its bindings; none when absent. */
  report?: ReportSchedule | null;
}

/** When a channel's report is posted: weekly on a weekday, or monthly on a day, at HH:MM in a zone. */
export interface ReportSchedule {
  every: "weekly" | "monthly";
  /** weekly: 1 (Monday) to 7 (Sunday); monthly: 1 to 31 (the last day in shorter months). */
  day: number;
  /** "HH:MM" */
  time: string;
  timeZone: string;
  /** When it was set: periods whose time was already past then are not posted. */
  since: string;
}

/** Approval policy of one binding. */
export interface ApprovalPolicy {
  /** Actions where the requester may not approve their own request. */
  twoPersonActions: string[];
  /** Number of distinct approvers required. */
  quorum: number;
}

export const channelBindings = pgTable(
  "channel_bindings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: text("platform").$type<Platform>().notNull(),
    workspaceId: text("workspace_id").notNull(),
    channelId: text("channel_id").notNull(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => providerAccounts.id, { onDelete: "cascade" }),
    alertSettings: jsonb("alert_settings").$type<AlertSettings>().notNull(),
    approvalPolicy: jsonb("approval_policy").$type<ApprovalPolicy>().notNull(),
    snoozedUntil: timestamp("snoozed_until", { withTimezone: true }),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("channel_bindings_uq").on(t.platform, t.workspaceId, t.channelId, t.accountId),
    index("channel_bindings_channel_idx").on(t.platform, t.workspaceId, t.channelId),
  ],
);

export const roleGrants = pgTable(
  "role_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: text("platform").$type<Platform>().notNull(),
    workspaceId: text("workspace_id").notNull(),
    /** A user id. */
    subject: text("subject").notNull(),
    scope: text("scope").$type<"workspace" | "channel">().notNull(),
    /** The channel for scope "channel"; "" for scope "workspace". */
    channelId: text("channel_id").notNull().default(""),
    role: text("role").$type<Role>().notNull(),
    grantedBy: text("granted_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("role_grants_uq").on(t.platform, t.workspaceId, t.subject, t.scope, t.channelId)],
);

/** Where a posted card lives, to update it in place. */
export type MessageRef =
  | { platform: "slack"; channel: string; ts: string }
  | { platform: "discord"; channelId: string; messageId: string }
  | { platform: "console"; id: string };

export interface Approval {
  userId: string;
  at: string;
}

export const confirmationRequests = pgTable(
  "confirmation_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: text("platform").$type<Platform>().notNull(),
    workspaceId: text("workspace_id").notNull(),
    channelId: text("channel_id").notNull(),
    accountId: uuid("account_id").references(() => providerAccounts.id, { onDelete: "set null" }),
    accountLabel: text("account_label").notNull(),
    action: text("action").notNull(),
    params: jsonb("params").$type<Record<string, unknown>>().notNull(),
    /** What will happen, in plain words, as shown on the card. */
    description: text("description").notNull(),
    requesterId: text("requester_id").notNull(),
    status: text("status").$type<ConfirmationStatus>().notNull().default("pending"),
    approvals: jsonb("approvals").$type<Approval[]>().notNull().default(sql`'[]'::jsonb`),
    requiredApprovals: integer("required_approvals").notNull().default(1),
    twoPerson: boolean("two_person").notNull().default(false),
    /** Whether the approver must type a PIN (HOSTKEY). */
    needsPin: boolean("needs_pin").notNull().default(false),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    executedAt: timestamp("executed_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    resultSummary: text("result_summary"),
    taskRef: text("task_ref"),
    /** Who follows the provider task now (one poller across replicas) and until when (lease). */
    followOwner: text("follow_owner"),
    followUntil: timestamp("follow_until", { withTimezone: true }),
    messageRef: jsonb("message_ref").$type<MessageRef>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("confirmation_requests_channel_idx").on(t.platform, t.workspaceId, t.channelId, t.status),
    index("confirmation_requests_status_idx").on(t.status, t.expiresAt),
  ],
);

export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bindingId: uuid("binding_id")
      .notNull()
      .references(() => channelBindings.id, { onDelete: "cascade" }),
    alertKey: text("alert_key").notNull(),
    kind: text("kind").notNull(),
    severity: text("severity").$type<"info" | "warning" | "critical">().notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** pending = claimed, not yet posted; sent; deferred = waiting for quiet hours to end. */
    status: text("status").$type<"pending" | "sent" | "deferred">().notNull().default("pending"),
    snoozedUntil: timestamp("snoozed_until", { withTimezone: true }),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    messageRef: jsonb("message_ref").$type<MessageRef>(),
  },
  (t) => [uniqueIndex("alert_deliveries_uq").on(t.bindingId, t.alertKey)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    platform: text("platform").$type<Platform>().notNull(),
    workspaceId: text("workspace_id").notNull(),
    channelId: text("channel_id").notNull(),
    userId: text("user_id").notNull(),
    /** "services", "accounts add", "confirm approve", … */
    command: text("command").notNull(),
    args: jsonb("args").$type<Record<string, unknown>>().notNull(),
    /** ok | denied | invalid | error | requested | approved | executing | succeeded | failed | … */
    outcome: text("outcome").notNull(),
    detail: text("detail"),
    requestId: uuid("request_id"),
    taskRef: text("task_ref"),
  },
  (t) => [index("audit_log_channel_idx").on(t.platform, t.workspaceId, t.channelId, t.at)],
);

/** One row per scheduled fire claimed by a replica (node-cron run coordinator). */
export const cronRuns = pgTable("cron_runs", {
  key: text("key").primaryKey(),
  claimedBy: text("claimed_by").notNull(),
  claimedAt: timestamp("claimed_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Values stored once with the data. `credential_key_check` is a value encrypted with the
 * credential key: a start with another HOSTOPS_SECRET_KEY cannot decrypt it and refuses to run.
 */
export const hostopsMeta = pgTable("hostops_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  createdAt: createdAt(),
});

/**
 * A Slack workspace (or Enterprise Grid organization) that installed hostops through the OAuth
 * flow (distribution mode). `installKey` is "T:<team id>", or "E:<enterprise id>" for an org-wide
 * install: one row each, a re-install replaces its tokens. The Installation (bot token and any
 * user token) is AES-256-GCM ciphertext like provider credentials; null once the app was
 * uninstalled or its tokens revoked. The workspace's accounts, bindings and grants stay until an
 * admin removes them (`hostops workspace remove`).
 */
export const slackInstallations = pgTable(
  "slack_installations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    installKey: text("install_key").notNull(),
    teamId: text("team_id"),
    teamName: text("team_name"),
    enterpriseId: text("enterprise_id"),
    isEnterpriseInstall: boolean("is_enterprise_install").notNull().default(false),
    appId: text("app_id"),
    botUserId: text("bot_user_id"),
    installerUserId: text("installer_user_id"),
    scopes: text("scopes"),
    installationEnc: text("installation_enc"),
    installedAt: timestamp("installed_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("slack_installations_key_uq").on(t.installKey),
    index("slack_installations_team_idx").on(t.teamId),
  ],
);
