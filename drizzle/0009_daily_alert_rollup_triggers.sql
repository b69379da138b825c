-- Daily rollups next to the hourly ones (0006): the same function now keeps both, in the same
-- transaction as the alert change.

CREATE OR REPLACE FUNCTION vigil_rollup_apply(a alerts, sign int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO alert_rollup_severity AS r
    (organization_id, monitor_id, hour, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
  VALUES (
    a.organization_id, a.monitor_id, date_trunc('hour', a.created_at, 'UTC'), a.severity, sign,
    CASE WHEN a.acknowledged_at IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN a.acknowledged_at IS NOT NULL THEN sign * extract(epoch FROM a.acknowledged_at - a.created_at) ELSE 0 END,
    CASE WHEN a.resolved_at IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN a.resolved_at IS NOT NULL THEN sign * extract(epoch FROM a.resolved_at - a.created_at) ELSE 0 END)
  ON CONFLICT (organization_id, monitor_id, hour, severity) DO UPDATE SET
    alerts = r.alerts + excluded.alerts,
    acknowledged = r.acknowledged + excluded.acknowledged,
    acknowledge_seconds = r.acknowledge_seconds + excluded.acknowledge_seconds,
    resolved = r.resolved + excluded.resolved,
    resolve_seconds = r.resolve_seconds + excluded.resolve_seconds;
  INSERT INTO alert_rollup_category AS r (organization_id, monitor_id, hour, category, alerts)
  VALUES (a.organization_id, a.monitor_id, date_trunc('hour', a.created_at, 'UTC'), a.category, sign)
  ON CONFLICT (organization_id, monitor_id, hour, category) DO UPDATE SET alerts = r.alerts + excluded.alerts;
  INSERT INTO alert_rollup_status AS r (organization_id, monitor_id, hour, status, alerts)
  VALUES (a.organization_id, a.monitor_id, date_trunc('hour', a.created_at, 'UTC'), a.status, sign)
  ON CONFLICT (organization_id, monitor_id, hour, status) DO UPDATE SET alerts = r.alerts + excluded.alerts;

  INSERT INTO alert_rollup_daily_severity AS r
    (organization_id, monitor_id, day, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
  VALUES (
    a.organization_id, a.monitor_id, date_trunc('day', a.created_at, 'UTC'), a.severity, sign,
    CASE WHEN a.acknowledged_at IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN a.acknowledged_at IS NOT NULL THEN sign * extract(epoch FROM a.acknowledged_at - a.created_at) ELSE 0 END,
    CASE WHEN a.resolved_at IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN a.resolved_at IS NOT NULL THEN sign * extract(epoch FROM a.resolved_at - a.created_at) ELSE 0 END)
  ON CONFLICT (organization_id, monitor_id, day, severity) DO UPDATE SET
    alerts = r.alerts + excluded.alerts,
    acknowledged = r.acknowledged + excluded.acknowledged,
    acknowledge_seconds = r.acknowledge_seconds + excluded.acknowledge_seconds,
    resolved = r.resolved + excluded.resolved,
    resolve_seconds = r.resolve_seconds + excluded.resolve_seconds;
  INSERT INTO alert_rollup_daily_category AS r (organization_id, monitor_id, day, category, alerts)
  VALUES (a.organization_id, a.monitor_id, date_trunc('day', a.created_at, 'UTC'), a.category, sign)
  ON CONFLICT (organization_id, monitor_id, day, category) DO UPDATE SET alerts = r.alerts + excluded.alerts;
  INSERT INTO alert_rollup_daily_status AS r (organization_id, monitor_id, day, status, alerts)
  VALUES (a.organization_id, a.monitor_id, date_trunc('day', a.created_at, 'UTC'), a.status, sign)
  ON CONFLICT (organization_id, monitor_id, day, status) DO UPDATE SET alerts = r.alerts + excluded.alerts;
$$;
--> statement-breakpoint
INSERT INTO alert_rollup_daily_severity (organization_id, monitor_id, day, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
SELECT organization_id, monitor_id, date_trunc('day', hour, 'UTC'), severity, sum(alerts), sum(acknowledged), sum(acknowledge_seconds), sum(resolved), sum(resolve_seconds)
FROM alert_rollup_severity GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO alert_rollup_daily_category (organization_id, monitor_id, day, category, alerts)
SELECT organization_id, monitor_id, date_trunc('day', hour, 'UTC'), category, sum(alerts) FROM alert_rollup_category GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO alert_rollup_daily_status (organization_id, monitor_id, day, status, alerts)
SELECT organization_id, monitor_id, date_trunc('day', hour, 'UTC'), status, sum(alerts) FROM alert_rollup_status GROUP BY 1, 2, 3, 4;
