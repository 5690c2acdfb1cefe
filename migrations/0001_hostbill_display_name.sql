ALTER TABLE "provider_accounts" ADD COLUMN "display_name" text;--> statement-breakpoint
ALTER TABLE "provider_accounts" ADD COLUMN "features" jsonb;