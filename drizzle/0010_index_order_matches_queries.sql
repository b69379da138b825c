DROP INDEX "api_keys_org_created_idx";--> statement-breakpoint
DROP INDEX "alerts_org_created_idx";--> statement-breakpoint
DROP INDEX "alerts_org_severity_idx";--> statement-breakpoint
DROP INDEX "alerts_org_status_created_idx";--> statement-breakpoint
DROP INDEX "alerts_monitor_created_idx";--> statement-breakpoint
DROP INDEX "scans_monitor_queued_idx";--> statement-breakpoint
DROP INDEX "scans_org_queued_idx";--> statement-breakpoint
DROP INDEX "credit_ledger_org_idx";--> statement-breakpoint
DROP INDEX "webhook_deliveries_webhook_idx";--> statement-breakpoint
CREATE INDEX "api_keys_org_created_idx" ON "api_keys" USING btree ("organization_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "alerts_org_created_idx" ON "alerts" USING btree ("organization_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "alerts_org_severity_idx" ON "alerts" USING btree ("organization_id","severity_rank" DESC NULLS FIRST,"created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "alerts_org_status_created_idx" ON "alerts" USING btree ("organization_id","status","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "alerts_monitor_created_idx" ON "alerts" USING btree ("monitor_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "scans_monitor_queued_idx" ON "scans" USING btree ("monitor_id","queued_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "scans_org_queued_idx" ON "scans" USING btree ("organization_id","queued_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "credit_ledger_org_idx" ON "credit_ledger" USING btree ("organization_id","id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "webhook_deliveries_webhook_idx" ON "webhook_deliveries" USING btree ("webhook_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);