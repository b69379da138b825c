-- Webhook deliveries. Every event an active webhook subscribes to becomes a webhook_deliveries row
-- and a `webhook__deliver` job, both inserted by the triggers below inside the transaction that
-- causes the event: a rollback takes them back, and nothing committed goes undelivered.
-- Payloads are captured when the event happens (later attempts send the same body) and carry
-- GraphQL global IDs and enum names, so a receiver can feed them straight back to the API.

CREATE FUNCTION vigil_global_id(typename text, id uuid) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- Same as @pothos/plugin-relay's encodeGlobalID: base64("<Typename>:<id>"), unwrapped.
  SELECT translate(encode(convert_to(typename || ':' || id::text, 'UTF8'), 'base64'), E'\n', '')
$$;
--> statement-breakpoint
CREATE FUNCTION vigil_iso_time(value timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
-- Also the entry point for events raised outside these triggers (the daily digest): one delivery
-- and one job per active webhook of the organization subscribed to the event. Returns how many.
CREATE FUNCTION vigil_enqueue_webhook_deliveries(p_organization_id uuid, p_event text, p_payload jsonb)
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
--> statement-breakpoint
CREATE FUNCTION vigil_has_webhook(p_organization_id uuid, p_event text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM webhooks w
    WHERE w.organization_id = p_organization_id AND w.is_active AND p_event = ANY (w.events))
$$;
--> statement-breakpoint
CREATE FUNCTION vigil_monitor_webhook_data(p_monitor_id uuid) RETURNS jsonb
  LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', vigil_global_id('Monitor', m.id), 'name', m.name)
  FROM monitors m WHERE m.id = p_monitor_id
$$;
--> statement-breakpoint
CREATE FUNCTION vigil_alert_webhook_data(a alerts) RETURNS jsonb
  LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'alert', jsonb_build_object(
      'id', vigil_global_id('Alert', a.id),
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
--> statement-breakpoint
CREATE FUNCTION vigil_webhook_alert_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The cheap check first: most organizations have no webhook, and scans insert alerts in bulk.
  IF vigil_has_webhook(NEW.organization_id, 'alert.created') THEN
    PERFORM vigil_enqueue_webhook_deliveries(NEW.organization_id, 'alert.created', vigil_alert_webhook_data(NEW));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER alerts_created_webhooks AFTER INSERT ON alerts FOR EACH ROW
  EXECUTE FUNCTION vigil_webhook_alert_created();
--> statement-breakpoint
CREATE FUNCTION vigil_webhook_alert_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF vigil_has_webhook(NEW.organization_id, 'alert.updated') THEN
    PERFORM vigil_enqueue_webhook_deliveries(NEW.organization_id, 'alert.updated',
      vigil_alert_webhook_data(NEW) || jsonb_build_object('previousStatus', upper(OLD.status)));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Status changes only: triage and reopening. New occurrences and notes are not webhook events.
CREATE TRIGGER alerts_status_webhooks AFTER UPDATE OF status ON alerts FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION vigil_webhook_alert_status_changed();
--> statement-breakpoint
CREATE FUNCTION vigil_webhook_scan_failed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = 'failed' THEN
    RETURN NULL;
  END IF;
  IF vigil_has_webhook(NEW.organization_id, 'scan.failed') THEN
    PERFORM vigil_enqueue_webhook_deliveries(NEW.organization_id, 'scan.failed', jsonb_build_object(
      'scan', jsonb_build_object(
        'id', vigil_global_id('Scan', NEW.id),
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
--> statement-breakpoint
CREATE TRIGGER scans_failed_webhooks AFTER INSERT OR UPDATE OF status ON scans FOR EACH ROW
  WHEN (NEW.status = 'failed')
  EXECUTE FUNCTION vigil_webhook_scan_failed();
