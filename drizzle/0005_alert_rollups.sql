CREATE TABLE "alert_rollup_category" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"category" text NOT NULL,
	"alerts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "alert_rollup_category_organization_id_monitor_id_hour_category_pk" PRIMARY KEY("organization_id","monitor_id","hour","category")
);
--> statement-breakpoint
CREATE TABLE "alert_rollup_severity" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"severity" text NOT NULL,
	"alerts" integer DEFAULT 0 NOT NULL,
	"acknowledged" integer DEFAULT 0 NOT NULL,
	"acknowledge_seconds" double precision DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"resolve_seconds" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "alert_rollup_severity_organization_id_monitor_id_hour_severity_pk" PRIMARY KEY("organization_id","monitor_id","hour","severity")
);
--> statement-breakpoint
CREATE TABLE "alert_rollup_status" (
	"organization_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"alerts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "alert_rollup_status_organization_id_monitor_id_hour_status_pk" PRIMARY KEY("organization_id","monitor_id","hour","status")
);
--> statement-breakpoint
ALTER TABLE "alert_rollup_category" ADD CONSTRAINT "alert_rollup_category_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rollup_severity" ADD CONSTRAINT "alert_rollup_severity_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rollup_status" ADD CONSTRAINT "alert_rollup_status_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_rollup_category_org_hour_idx" ON "alert_rollup_category" USING btree ("organization_id","hour");--> statement-breakpoint
CREATE INDEX "alert_rollup_severity_org_hour_idx" ON "alert_rollup_severity" USING btree ("organization_id","hour");--> statement-breakpoint
CREATE INDEX "alert_rollup_status_org_hour_idx" ON "alert_rollup_status" USING btree ("organization_id","hour");