CREATE TABLE "alert_rollup_daily_category" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"category" text NOT NULL,
	"alerts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "alert_rollup_daily_category_organization_id_monitor_id_day_category_pk" PRIMARY KEY("organization_id","monitor_id","day","category")
);
--> statement-breakpoint
CREATE TABLE "alert_rollup_daily_severity" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"severity" text NOT NULL,
	"alerts" integer DEFAULT 0 NOT NULL,
	"acknowledged" integer DEFAULT 0 NOT NULL,
	"acknowledge_seconds" double precision DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"resolve_seconds" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "alert_rollup_daily_severity_organization_id_monitor_id_day_severity_pk" PRIMARY KEY("organization_id","monitor_id","day","severity")
);
--> statement-breakpoint
CREATE TABLE "alert_rollup_daily_status" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"alerts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "alert_rollup_daily_status_organization_id_monitor_id_day_status_pk" PRIMARY KEY("organization_id","monitor_id","day","status")
);
--> statement-breakpoint
ALTER TABLE "alert_rollup_daily_category" ADD CONSTRAINT "alert_rollup_daily_category_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rollup_daily_severity" ADD CONSTRAINT "alert_rollup_daily_severity_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rollup_daily_status" ADD CONSTRAINT "alert_rollup_daily_status_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_rollup_daily_category_org_day_idx" ON "alert_rollup_daily_category" USING btree ("organization_id","day");--> statement-breakpoint
CREATE INDEX "alert_rollup_daily_severity_org_day_idx" ON "alert_rollup_daily_severity" USING btree ("organization_id","day");--> statement-breakpoint
CREATE INDEX "alert_rollup_daily_status_org_day_idx" ON "alert_rollup_daily_status" USING btree ("organization_id","day");