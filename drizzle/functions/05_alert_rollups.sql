-- Alert rollups: hourly and daily counts per monitor by severity (with triage times), category
-- and status, kept exact in the transaction that changes the alerts, so statistics read
-- monitor-hours instead of alerts (src/services/stats.ts).
--
-- Once per statement, not per alert: a statement's changes are collected (one delta per alert it
-- added, removed or moved) and applied to each table in one upsert, in key order, the tables always
-- in the same order, so two single-statement changes (triage) take shared rows in the same order.
--
-- A transaction that numbers alerts (a scan recording its results, see 03_alert_numbers.sql)
-- holds its organization's numbering lock until it ends anyway; it keeps its rollup changes,
-- compacted by key, in a transaction-local setting (`vigil.alert_rollups`) and applies them at
-- commit, in one pass in key order. Until then it holds no rollup row, so it can wait for an alert
-- an analyst is triaging without that analyst waiting for it: scans and triage cannot deadlock
-- over rollup rows. Other transactions of several statements still can (and a scan that locks
-- alerts of two monitors in turn can over alert rows); src/db/retry.ts runs them again.
--
-- A purge of expired alerts sets `vigil.keep_rollup = on`: their counts stay in history.
-- Deleting an organization takes its rollups with it (foreign key), so its alerts' deletes skip.

CREATE OR REPLACE FUNCTION vigil_alert_rollup_delta(a alerts, sign integer) RETURNS alert_rollup_delta
  LANGUAGE sql STABLE AS $$
  SELECT ROW(
    a.organization_id, a.monitor_id, date_trunc('hour', a.created_at, 'UTC'), a.severity, a.category, a.status, sign,
    CASE WHEN a.acknowledged_at IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN a.acknowledged_at IS NOT NULL THEN sign * extract(epoch FROM a.acknowledged_at - a.created_at) ELSE 0 END,
    CASE WHEN a.resolved_at IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN a.resolved_at IS NOT NULL THEN sign * extract(epoch FROM a.resolved_at - a.created_at) ELSE 0 END
  )::alert_rollup_delta
$$;

CREATE OR REPLACE FUNCTION vigil_alert_rollup_apply(p_deltas alert_rollup_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(p_deltas) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO alert_rollup_severity AS r
    (organization_id, monitor_id, hour, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
  SELECT organization_id, monitor_id, hour, severity, sum(alerts), sum(acknowledged), sum(acknowledge_seconds), sum(resolved), sum(resolve_seconds)
  FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4
  HAVING sum(alerts) <> 0 OR sum(acknowledged) <> 0 OR sum(resolved) <> 0 OR sum(acknowledge_seconds) <> 0 OR sum(resolve_seconds) <> 0
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, monitor_id, hour, severity) DO UPDATE SET
    alerts = r.alerts + excluded.alerts,
    acknowledged = r.acknowledged + excluded.acknowledged,
    acknowledge_seconds = r.acknowledge_seconds + excluded.acknowledge_seconds,
    resolved = r.resolved + excluded.resolved,
    resolve_seconds = r.resolve_seconds + excluded.resolve_seconds;
  INSERT INTO alert_rollup_daily_severity AS r
    (organization_id, monitor_id, day, severity, alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)
  SELECT organization_id, monitor_id, date_trunc('day', hour, 'UTC'), severity, sum(alerts), sum(acknowledged), sum(acknowledge_seconds), sum(resolved), sum(resolve_seconds)
  FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4
  HAVING sum(alerts) <> 0 OR sum(acknowledged) <> 0 OR sum(resolved) <> 0 OR sum(acknowledge_seconds) <> 0 OR sum(resolve_seconds) <> 0
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, monitor_id, day, severity) DO UPDATE SET
    alerts = r.alerts + excluded.alerts,
    acknowledged = r.acknowledged + excluded.acknowledged,
    acknowledge_seconds = r.acknowledge_seconds + excluded.acknowledge_seconds,
    resolved = r.resolved + excluded.resolved,
    resolve_seconds = r.resolve_seconds + excluded.resolve_seconds;
  INSERT INTO alert_rollup_category AS r (organization_id, monitor_id, hour, category, alerts)
  SELECT organization_id, monitor_id, hour, category, sum(alerts)
  FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4 HAVING sum(alerts) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, monitor_id, hour, category) DO UPDATE SET alerts = r.alerts + excluded.alerts;
  INSERT INTO alert_rollup_daily_category AS r (organization_id, monitor_id, day, category, alerts)
  SELECT organization_id, monitor_id, date_trunc('day', hour, 'UTC'), category, sum(alerts)
  FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4 HAVING sum(alerts) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, monitor_id, day, category) DO UPDATE SET alerts = r.alerts + excluded.alerts;
  INSERT INTO alert_rollup_status AS r (organization_id, monitor_id, hour, status, alerts)
  SELECT organization_id, monitor_id, hour, status, sum(alerts)
  FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4 HAVING sum(alerts) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, monitor_id, hour, status) DO UPDATE SET alerts = r.alerts + excluded.alerts;
  INSERT INTO alert_rollup_daily_status AS r (organization_id, monitor_id, day, status, alerts)
  SELECT organization_id, monitor_id, date_trunc('day', hour, 'UTC'), status, sum(alerts)
  FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4 HAVING sum(alerts) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, monitor_id, day, status) DO UPDATE SET alerts = r.alerts + excluded.alerts;
END $$;

-- One delta per (monitor, hour, severity, category, status): what a transaction keeps until commit.
-- (plpgsql keeps the plan for the session; a sql function would be planned at every statement.)
CREATE OR REPLACE FUNCTION vigil_alert_rollup_compact(p_deltas alert_rollup_delta[]) RETURNS alert_rollup_delta[]
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(array_agg(ROW(organization_id, monitor_id, hour, severity, category, status,
                                  alerts, acknowledged, acknowledge_seconds, resolved, resolve_seconds)::alert_rollup_delta), '{}')
    FROM (
      SELECT organization_id, monitor_id, hour, severity, category, status, sum(alerts)::int AS alerts,
             sum(acknowledged)::int AS acknowledged, sum(acknowledge_seconds) AS acknowledge_seconds,
             sum(resolved)::int AS resolved, sum(resolve_seconds) AS resolve_seconds
      FROM unnest(p_deltas) GROUP BY 1, 2, 3, 4, 5, 6
    ) compacted);
END $$;

-- Now, or at commit when this transaction numbers alerts (see the top of this file).
CREATE OR REPLACE FUNCTION vigil_alert_rollup_change(p_deltas alert_rollup_delta[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_pending text := coalesce(current_setting('vigil.alert_rollups', true), '');
BEGIN
  IF cardinality(p_deltas) = 0 THEN
    RETURN;
  END IF;
  IF coalesce(current_setting('vigil.alert_seq', true), '') = '' THEN
    PERFORM vigil_alert_rollup_apply(p_deltas);
  ELSE
    PERFORM set_config('vigil.alert_rollups',
      vigil_alert_rollup_compact(p_deltas || CASE WHEN v_pending = '' THEN '{}' ELSE v_pending::alert_rollup_delta[] END)::text, true);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION vigil_alert_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM vigil_alert_rollup_change(ARRAY(SELECT vigil_alert_rollup_delta(n, 1) FROM new_alerts n));
  ELSIF TG_OP = 'UPDATE' THEN
    -- Only alerts whose counted attributes changed: out of their old place, into their new one.
    PERFORM vigil_alert_rollup_change(ARRAY(
      SELECT d FROM old_alerts o JOIN new_alerts n ON n.id = o.id
      CROSS JOIN LATERAL (VALUES (vigil_alert_rollup_delta(o, -1)), (vigil_alert_rollup_delta(n, 1))) v (d)
      WHERE (o.organization_id, o.monitor_id, o.created_at, o.severity, o.category, o.status, o.acknowledged_at, o.resolved_at)
        IS DISTINCT FROM (n.organization_id, n.monitor_id, n.created_at, n.severity, n.category, n.status, n.acknowledged_at, n.resolved_at)));
  ELSIF coalesce(current_setting('vigil.keep_rollup', true), '') <> 'on' THEN
    PERFORM vigil_alert_rollup_change(ARRAY(
      SELECT vigil_alert_rollup_delta(o, -1) FROM old_alerts o
      WHERE EXISTS (SELECT 1 FROM organizations WHERE id = o.organization_id)));
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS alerts_rollup_insert ON alerts;
CREATE TRIGGER alerts_rollup_insert AFTER INSERT ON alerts
  REFERENCING NEW TABLE AS new_alerts
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_alert_rollup();

DROP TRIGGER IF EXISTS alerts_rollup_update ON alerts;
CREATE TRIGGER alerts_rollup_update AFTER UPDATE ON alerts
  REFERENCING OLD TABLE AS old_alerts NEW TABLE AS new_alerts
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_alert_rollup();

DROP TRIGGER IF EXISTS alerts_rollup_delete ON alerts;
CREATE TRIGGER alerts_rollup_delete AFTER DELETE ON alerts
  REFERENCING OLD TABLE AS old_alerts
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_alert_rollup();

-- At commit of a transaction that numbered alerts: its kept rollup changes, in one pass. Queued by
-- the same update of `alert_sequences` that queues the number write-back (03_alert_numbers.sql).
CREATE OR REPLACE FUNCTION vigil_alert_rollup_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_pending text := coalesce(current_setting('vigil.alert_rollups', true), '');
BEGIN
  IF v_pending <> '' THEN
    PERFORM set_config('vigil.alert_rollups', '', true);
    PERFORM vigil_alert_rollup_apply(v_pending::alert_rollup_delta[]);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS alert_sequences_rollups ON alert_sequences;
CREATE CONSTRAINT TRIGGER alert_sequences_rollups AFTER UPDATE ON alert_sequences
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.last_seq = NEW.last_seq)
  EXECUTE FUNCTION vigil_alert_rollup_flush();
