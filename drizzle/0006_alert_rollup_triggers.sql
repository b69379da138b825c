-- Keeps the hourly alert rollups exact: every insert, relevant update and delete of an alert
-- moves its counts, in the same transaction. Statistics then read monitor-hours, not alerts.
-- A purge of expired alerts sets `vigil.keep_rollup = on` so their counts stay in history.

CREATE FUNCTION vigil_rollup_apply(a alerts, sign int) RETURNS void LANGUAGE sql AS $$
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
$$;
--> statement-breakpoint
CREATE FUNCTION vigil_alert_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF coalesce(current_setting('vigil.keep_rollup', true), '') <> 'on' THEN
      PERFORM vigil_rollup_apply(OLD, -1);
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM vigil_rollup_apply(OLD, -1);
    PERFORM vigil_rollup_apply(NEW, 1);
  ELSE
    PERFORM vigil_rollup_apply(NEW, 1);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER alerts_rollup_insert AFTER INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION vigil_alert_rollup();
--> statement-breakpoint
CREATE TRIGGER alerts_rollup_delete AFTER DELETE ON alerts FOR EACH ROW EXECUTE FUNCTION vigil_alert_rollup();
--> statement-breakpoint
CREATE TRIGGER alerts_rollup_update AFTER UPDATE ON alerts FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.severity IS DISTINCT FROM NEW.severity
     OR OLD.category IS DISTINCT FROM NEW.category OR OLD.acknowledged_at IS DISTINCT FROM NEW.acknowledged_at
     OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION vigil_alert_rollup();
--> statement-breakpoint
-- Alerts that existed before the rollups.
INSERT INTO alert_rollup_severity (organization_id, monitor_id, hour, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
SELECT organization_id, monitor_id, date_trunc('hour', created_at, 'UTC'), severity, count(*),
       count(acknowledged_at), coalesce(sum(extract(epoch FROM acknowledged_at - created_at)), 0),
       count(resolved_at), coalesce(sum(extract(epoch FROM resolved_at - created_at)), 0)
FROM alerts GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO alert_rollup_category (organization_id, monitor_id, hour, category, alerts)
SELECT organization_id, monitor_id, date_trunc('hour', created_at, 'UTC'), category, count(*) FROM alerts GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO alert_rollup_status (organization_id, monitor_id, hour, status, alerts)
SELECT organization_id, monitor_id, date_trunc('hour', created_at, 'UTC'), status, count(*) FROM alerts GROUP BY 1, 2, 3, 4;
