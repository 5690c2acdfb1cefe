CREATE TABLE "hostops_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "confirmation_requests" ADD COLUMN "follow_owner" text;--> statement-breakpoint
ALTER TABLE "confirmation_requests" ADD COLUMN "follow_until" timestamp with time zone;