CREATE TABLE "monitor_source_health" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"source" text NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_success_at" timestamp with time zone,
	"last_results_at" timestamp with time zone,
	"result_scans" integer DEFAULT 0 NOT NULL,
	"mean_result_gap_seconds" double precision,
	"problem" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitor_source_health_monitor_id_source_pk" PRIMARY KEY("monitor_id","source")
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid,
	"category" text,
	"min_severity" text,
	"text" text,
	"comment" text,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_by_user_id" uuid,
	"created_by_api_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "silences_period_check" CHECK (ends_at > starts_at),
	CONSTRAINT "silences_category_check" CHECK (category IS NULL OR category IN ('phishing', 'impersonation', 'data_leak', 'fraud', 'negative_press', 'trademark', 'other', 'source_health')),
	CONSTRAINT "silences_min_severity_check" CHECK (min_severity IS NULL OR min_severity IN ('low', 'medium', 'high', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "suppression_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"pattern" text NOT NULL,
	"source_alert_id" uuid,
	"created_by_user_id" uuid,
	"created_by_api_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suppression_rules_kind_check" CHECK (kind IN ('domain', 'url_pattern'))
);
--> statement-breakpoint
CREATE TABLE "rate_limit_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"points_used" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_history" DROP CONSTRAINT "alert_history_to_status_check";--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_category_check";--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_status_check";--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "snoozed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "silenced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "silence_id" uuid;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "suppression_rule_id" uuid;--> statement-breakpoint
ALTER TABLE "monitor_source_health" ADD CONSTRAINT "monitor_source_health_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_source_health" ADD CONSTRAINT "monitor_source_health_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silences" ADD CONSTRAINT "silences_created_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_source_alert_id_alerts_id_fk" FOREIGN KEY ("source_alert_id") REFERENCES "public"."alerts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_created_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "silences_org_ends_idx" ON "silences" USING btree ("organization_id","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "suppression_rules_monitor_pattern_key" ON "suppression_rules" USING btree ("monitor_id","kind","pattern");--> statement-breakpoint
CREATE INDEX "suppression_rules_org_created_idx" ON "suppression_rules" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "rate_limit_buckets_window_idx" ON "rate_limit_buckets" USING btree ("window_started_at");--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_silence_id_silences_id_fk" FOREIGN KEY ("silence_id") REFERENCES "public"."silences"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_suppression_rule_id_suppression_rules_id_fk" FOREIGN KEY ("suppression_rule_id") REFERENCES "public"."suppression_rules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "findings_suppression_rule_idx" ON "findings" USING btree ("suppression_rule_id") WHERE suppression_rule_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_history" ADD CONSTRAINT "alert_history_to_status_check" CHECK (to_status IN ('new', 'acknowledged', 'snoozed', 'resolved', 'false_positive'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_snoozed_check" CHECK ((status = 'snoozed') = (snoozed_until IS NOT NULL));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_category_check" CHECK (category IN ('phishing', 'impersonation', 'data_leak', 'fraud', 'negative_press', 'trademark', 'other', 'source_health'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_status_check" CHECK (status IN ('new', 'acknowledged', 'snoozed', 'resolved', 'false_positive'));--> statement-breakpoint
-- Silenced alerts keep their place in commit order (created_seq) but are not announced: live
-- subscribers, their replay and webhooks skip them. Analysts' status changes are still announced.
CREATE OR REPLACE FUNCTION vigil_alert_created() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_seq bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7215002);
  v_seq := nextval('alert_created_seq');
  UPDATE alerts SET created_seq = v_seq WHERE id = NEW.id;
  IF NEW.silenced_at IS NULL THEN
    PERFORM pg_notify('vigil_events', json_build_object(
      'type', 'alert.created', 'organizationId', NEW.organization_id, 'monitorId', NEW.monitor_id,
      'alertId', NEW.id, 'seq', v_seq)::text);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION vigil_alert_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.silenced_at IS NOT NULL AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'alert.updated', 'organizationId', NEW.organization_id, 'monitorId', NEW.monitor_id,
    'alertId', NEW.id,
    'change', CASE WHEN OLD.status IS DISTINCT FROM NEW.status THEN 'status'
                   WHEN OLD.occurrences IS DISTINCT FROM NEW.occurrences THEN 'occurrence'
                   ELSE 'details' END)::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION vigil_webhook_alert_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The cheap check first: most organizations have no webhook, and scans insert alerts in bulk.
  IF NEW.silenced_at IS NULL AND vigil_has_webhook(NEW.organization_id, 'alert.created') THEN
    PERFORM vigil_enqueue_webhook_deliveries(NEW.organization_id, 'alert.created', vigil_alert_webhook_data(NEW));
  END IF;
  RETURN NULL;
END $$;
