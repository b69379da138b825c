-- Webhook deliveries. Every event an active webhook subscribes to becomes a webhook_deliveries row
-- and a `webhook__deliver` job, both inserted by the triggers below inside the transaction that
-- causes the event: a rollback takes them back, and nothing committed goes undelivered.
-- Payloads are captured when the event happens (later attempts send the same body) and carry
-- enum names as the API spells them, and the row ids of their alert, monitor or scan, which the
-- body gives as GraphQL global IDs (webhookBody in src/services/webhook-delivery.ts), so a receiver
-- can feed them straight back to the API.

-- plpgsql, not sql: called once per alert-writing statement, it keeps its plan for the session
-- instead of being planned again at every call.
CREATE OR REPLACE FUNCTION vigil_has_webhook(p_organization_id uuid, p_event text) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (
    SELECT 1 FROM webhooks w
    WHERE w.organization_id = p_organization_id AND w.is_active AND p_event = ANY (w.events));
END $$;

-- Also the entry point for events raised outside these triggers (the daily digest): one delivery
-- and one job per active webhook of the organization subscribed to the event. Returns how many.
CREATE OR REPLACE FUNCTION vigil_enqueue_webhook_deliveries(p_organization_id uuid, p_event text, p_payload jsonb)
  RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_delivery_id uuid;
  v_count integer := 0;
BEGIN
  FOR v_delivery_id IN
    INSERT INTO webhook_deliveries (organization_id, webhook_id, event, payload)
    SELECT p_organization_id, w.id, p_event, p_payload
    FROM webhooks w
    WHERE w.organization_id = p_organization_id AND w.is_active AND p_event = ANY (w.events)
    RETURNING id
  LOOP
    -- Failed HTTP attempts are retried by the task itself (it re-adds this job with a later
    -- run_at); graphile's own attempts only cover a worker that crashed or lost its database.
    PERFORM graphile_worker.add_job('webhook__deliver', json_build_object('deliveryId', v_delivery_id),
      job_key := 'webhook__deliver:' || v_delivery_id, max_attempts := 3);
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END $$;

CREATE OR REPLACE FUNCTION vigil_monitor_webhook_data(p_monitor_id uuid) RETURNS jsonb
  LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', m.id, 'name', m.name)
  FROM monitors m WHERE m.id = p_monitor_id
$$;

CREATE OR REPLACE FUNCTION vigil_alert_webhook_data(a alerts) RETURNS jsonb
  LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'alert', jsonb_build_object(
      'id', a.id,
      'title', a.title,
      'url', a.url,
      'category', upper(a.category),
      'severity', upper(a.severity),
      'status', upper(a.status),
      'confidence', round(a.confidence::numeric, 2),
      'occurrences', a.occurrences,
      'firstSeenAt', vigil_iso_time(a.first_seen_at),
      'lastSeenAt', vigil_iso_time(a.last_seen_at),
      'createdAt', vigil_iso_time(a.created_at),
      'updatedAt', vigil_iso_time(a.updated_at)),
    'monitor', vigil_monitor_webhook_data(a.monitor_id))
$$;

-- Once per statement: scans and imports insert alerts in bulk, and most organizations have no
-- webhook, so the check costs one look-up per organization of the statement, not one per alert.
-- Silenced alerts are stored but not announced.
CREATE OR REPLACE FUNCTION vigil_webhook_alert_created() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_organization_id uuid;
BEGIN
  FOR v_organization_id IN SELECT DISTINCT organization_id FROM new_alerts WHERE silenced_at IS NULL LOOP
    IF vigil_has_webhook(v_organization_id, 'alert.created') THEN
      PERFORM vigil_enqueue_webhook_deliveries(v_organization_id, 'alert.created', vigil_alert_webhook_data(a))
      FROM (SELECT * FROM new_alerts WHERE organization_id = v_organization_id AND silenced_at IS NULL ORDER BY created_seq) a;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS alerts_created_webhooks ON alerts;
CREATE TRIGGER alerts_created_webhooks AFTER INSERT ON alerts
  REFERENCING NEW TABLE AS new_alerts
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_webhook_alert_created();

CREATE OR REPLACE FUNCTION vigil_webhook_alert_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF vigil_has_webhook(NEW.organization_id, 'alert.updated') THEN
    PERFORM vigil_enqueue_webhook_deliveries(NEW.organization_id, 'alert.updated',
      vigil_alert_webhook_data(NEW) || jsonb_build_object('previousStatus', upper(OLD.status)));
  END IF;
  RETURN NULL;
END $$;

-- Status changes only: triage and reopening. New occurrences and notes are not webhook events.
DROP TRIGGER IF EXISTS alerts_status_webhooks ON alerts;
CREATE TRIGGER alerts_status_webhooks AFTER UPDATE OF status ON alerts FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION vigil_webhook_alert_status_changed();

CREATE OR REPLACE FUNCTION vigil_webhook_scan_failed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = 'failed' THEN
    RETURN NULL;
  END IF;
  IF vigil_has_webhook(NEW.organization_id, 'scan.failed') THEN
    PERFORM vigil_enqueue_webhook_deliveries(NEW.organization_id, 'scan.failed', jsonb_build_object(
      'scan', jsonb_build_object(
        'id', NEW.id,
        'trigger', upper(NEW.trigger),
        'status', upper(NEW.status),
        'error', NEW.error,
        'queuedAt', vigil_iso_time(NEW.queued_at),
        'startedAt', vigil_iso_time(NEW.started_at),
        'finishedAt', vigil_iso_time(NEW.finished_at)),
      'monitor', vigil_monitor_webhook_data(NEW.monitor_id)));
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS scans_failed_webhooks ON scans;
CREATE TRIGGER scans_failed_webhooks AFTER INSERT OR UPDATE OF status ON scans FOR EACH ROW
  WHEN (NEW.status = 'failed')
  EXECUTE FUNCTION vigil_webhook_scan_failed();
