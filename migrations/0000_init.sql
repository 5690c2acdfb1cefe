CREATE TABLE "alert_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"binding_id" uuid NOT NULL,
	"alert_key" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"snoozed_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"message_ref" jsonb
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"user_id" text NOT NULL,
	"command" text NOT NULL,
	"args" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"detail" text,
	"request_id" uuid,
	"task_ref" text
);
--> statement-breakpoint
CREATE TABLE "channel_bindings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"account_id" uuid NOT NULL,
	"alert_settings" jsonb NOT NULL,
	"approval_policy" jsonb NOT NULL,
	"snoozed_until" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "confirmation_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"account_id" uuid,
	"account_label" text NOT NULL,
	"action" text NOT NULL,
	"params" jsonb NOT NULL,
	"description" text NOT NULL,
	"requester_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"approvals" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"required_approvals" integer DEFAULT 1 NOT NULL,
	"two_person" boolean DEFAULT false NOT NULL,
	"needs_pin" boolean DEFAULT false NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"executed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"result_summary" text,
	"task_ref" text,
	"message_ref" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cron_runs" (
	"key" text PRIMARY KEY NOT NULL,
	"claimed_by" text NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"label" text NOT NULL,
	"kind" text NOT NULL,
	"base_url" text,
	"credentials_enc" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "role_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"subject" text NOT NULL,
	"scope" text NOT NULL,
	"channel_id" text DEFAULT '' NOT NULL,
	"role" text NOT NULL,
	"granted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_binding_id_channel_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."channel_bindings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_bindings" ADD CONSTRAINT "channel_bindings_account_id_provider_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."provider_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "confirmation_requests" ADD CONSTRAINT "confirmation_requests_account_id_provider_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."provider_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_deliveries_uq" ON "alert_deliveries" USING btree ("binding_id","alert_key");--> statement-breakpoint
CREATE INDEX "audit_log_channel_idx" ON "audit_log" USING btree ("platform","workspace_id","channel_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_bindings_uq" ON "channel_bindings" USING btree ("platform","workspace_id","channel_id","account_id");--> statement-breakpoint
CREATE INDEX "channel_bindings_channel_idx" ON "channel_bindings" USING btree ("platform","workspace_id","channel_id");--> statement-breakpoint
CREATE INDEX "confirmation_requests_channel_idx" ON "confirmation_requests" USING btree ("platform","workspace_id","channel_id","status");--> statement-breakpoint
CREATE INDEX "confirmation_requests_status_idx" ON "confirmation_requests" USING btree ("status","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "provider_accounts_label_uq" ON "provider_accounts" USING btree ("platform","workspace_id","label");--> statement-breakpoint
CREATE UNIQUE INDEX "role_grants_uq" ON "role_grants" USING btree ("platform","workspace_id","subject","scope","channel_id");