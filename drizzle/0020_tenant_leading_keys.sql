DROP INDEX "alerts_monitor_fingerprint_key";--> statement-breakpoint
DROP INDEX "findings_monitor_url_key";--> statement-breakpoint
DROP INDEX "scans_one_queued_per_monitor_key";--> statement-breakpoint
DROP INDEX "suppression_rules_monitor_pattern_key";--> statement-breakpoint
ALTER TABLE "monitor_source_health" DROP CONSTRAINT "monitor_source_health_monitor_id_source_pk";--> statement-breakpoint
ALTER TABLE "monitor_source_health" ADD CONSTRAINT "monitor_source_health_organization_id_monitor_id_source_pk" PRIMARY KEY("organization_id","monitor_id","source");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_org_monitor_fingerprint_key" ON "alerts" USING btree ("organization_id","monitor_id","fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "findings_org_monitor_url_key" ON "findings" USING btree ("organization_id","monitor_id","url_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "scans_one_queued_per_monitor_key" ON "scans" USING btree ("organization_id","monitor_id") WHERE status = 'queued';--> statement-breakpoint
CREATE UNIQUE INDEX "suppression_rules_monitor_pattern_key" ON "suppression_rules" USING btree ("organization_id","monitor_id","kind","pattern");