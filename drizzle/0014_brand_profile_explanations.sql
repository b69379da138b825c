CREATE TABLE "brand_profile_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"position" integer NOT NULL,
	"value" jsonb NOT NULL,
	"search_text" text NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "brand_profile_entries_kind_check" CHECK (kind IN ('name', 'domain', 'product', 'person', 'handle', 'app', 'partner', 'platform'))
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "explanation" jsonb;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "explanation" jsonb;--> statement-breakpoint
ALTER TABLE "brand_profile_entries" ADD CONSTRAINT "brand_profile_entries_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "brand_profile_entries_org_kind_idx" ON "brand_profile_entries" USING btree ("organization_id","kind","position");--> statement-breakpoint
CREATE INDEX "brand_profile_entries_search_idx" ON "brand_profile_entries" USING gin ("search");