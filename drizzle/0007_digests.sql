CREATE TABLE "digests" (
	"organization_id" uuid NOT NULL,
	"day" date NOT NULL,
	"status" text DEFAULT 'sending' NOT NULL,
	"claimed_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"recipients" text[] DEFAULT '{}'::text[] NOT NULL,
	"error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "digests_organization_day_pk" PRIMARY KEY("organization_id","day"),
	CONSTRAINT "digests_status_check" CHECK (status IN ('sending', 'sent', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;