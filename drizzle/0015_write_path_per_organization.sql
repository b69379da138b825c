-- A write path without a lock shared by every organization (issue 15). Functions and triggers are
-- no longer defined here but in drizzle/functions/*.sql, applied after the migrations in the same
-- transaction; this migration creates what they need and retires what they no longer use.

CREATE TABLE "alert_sequences" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_monitor_id_monitors_id_fk";
--> statement-breakpoint
ALTER TABLE "findings" DROP CONSTRAINT "findings_monitor_id_monitors_id_fk";
--> statement-breakpoint
ALTER TABLE "monitor_source_health" DROP CONSTRAINT "monitor_source_health_monitor_id_monitors_id_fk";
--> statement-breakpoint
ALTER TABLE "scans" DROP CONSTRAINT "scans_monitor_id_monitors_id_fk";
--> statement-breakpoint
ALTER TABLE "silences" DROP CONSTRAINT "silences_monitor_id_monitors_id_fk";
--> statement-breakpoint
ALTER TABLE "suppression_rules" DROP CONSTRAINT "suppression_rules_monitor_id_monitors_id_fk";
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_webhook_id_webhooks_id_fk";
--> statement-breakpoint
DROP INDEX "alerts_created_seq_key";--> statement-breakpoint
DROP INDEX "alerts_org_created_seq_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "monitors_org_id_key" ON "monitors" USING btree ("organization_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhooks_org_id_key" ON "webhooks" USING btree ("organization_id","id");--> statement-breakpoint
ALTER TABLE "alert_sequences" ADD CONSTRAINT "alert_sequences_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_monitor_fk" FOREIGN KEY ("organization_id","monitor_id") REFERENCES "public"."monitors"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_monitor_fk" FOREIGN KEY ("organization_id","monitor_id") REFERENCES "public"."monitors"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_source_health" ADD CONSTRAINT "monitor_source_health_monitor_fk" FOREIGN KEY ("organization_id","monitor_id") REFERENCES "public"."monitors"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_monitor_fk" FOREIGN KEY ("organization_id","monitor_id") REFERENCES "public"."monitors"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_monitor_fk" FOREIGN KEY ("organization_id","monitor_id") REFERENCES "public"."monitors"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_monitor_fk" FOREIGN KEY ("organization_id","monitor_id") REFERENCES "public"."monitors"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_fk" FOREIGN KEY ("organization_id","webhook_id") REFERENCES "public"."webhooks"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_org_created_seq_key" ON "alerts" USING btree ("organization_id","created_seq");--> statement-breakpoint
CREATE INDEX "alerts_org_last_seen_idx" ON "alerts" USING btree ("organization_id","last_seen_at");--> statement-breakpoint
-- Every organization continues numbering above the last number the shared sequence gave anyone,
-- so a cursor handed out before this migration still lies below every alert created after it
-- (even when the organization's own alerts have since been purged).
INSERT INTO "alert_sequences" ("organization_id", "last_seq")
SELECT o.id, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "alert_created_seq") FROM "organizations" o;
--> statement-breakpoint
DROP SEQUENCE "alert_created_seq";
--> statement-breakpoint
-- Rollup changes of one statement, by alert creation hour, handed from the statement-level
-- trigger to the function that applies them to the hourly and daily tables in key order.
CREATE TYPE "alert_rollup_delta" AS (
	"organization_id" uuid,
	"monitor_id" uuid,
	"hour" timestamp with time zone,
	"severity" text,
	"category" text,
	"status" text,
	"alerts" integer,
	"acknowledged" integer,
	"acknowledge_seconds" double precision,
	"resolved" integer,
	"resolve_seconds" double precision
);
--> statement-breakpoint
-- Replaced by vigil_alert_rollup_apply(alert_rollup_delta[]) (drizzle/functions).
DROP FUNCTION "vigil_rollup_apply"(alerts, integer);
