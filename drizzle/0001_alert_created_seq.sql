ALTER TABLE "alerts" ADD COLUMN "created_seq" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_created_seq_key" ON "alerts" USING btree ("created_seq");--> statement-breakpoint
CREATE INDEX "alerts_org_created_seq_idx" ON "alerts" USING btree ("organization_id","created_seq");