-- Live events. Every change a subscriber may see is announced with pg_notify on the channel
-- `vigil_events`, inside the transaction that makes it: notifications are delivered at commit,
-- in commit order, so a rollback announces nothing and a commit never goes unannounced. Payloads
-- carry ids only; listeners load the rows. The channel name is EVENTS_CHANNEL in src/live/events.ts.

-- Once per statement, in number order: subscribers of an organization receive its alerts in
-- commit order (see 03_alert_numbers.sql). Silenced alerts keep their number but are not announced.
CREATE OR REPLACE FUNCTION vigil_alert_created() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a record;
BEGIN
  FOR a IN
    SELECT organization_id, monitor_id, id, created_seq FROM new_alerts
    WHERE silenced_at IS NULL ORDER BY organization_id, created_seq
  LOOP
    PERFORM pg_notify('vigil_events', json_build_object(
      'type', 'alert.created', 'organizationId', a.organization_id, 'monitorId', a.monitor_id,
      'alertId', a.id, 'seq', a.created_seq)::text);
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS alerts_created_event ON alerts;
CREATE TRIGGER alerts_created_event AFTER INSERT ON alerts
  REFERENCING NEW TABLE AS new_alerts
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_alert_created();

-- Status changes, new occurrences and edits. A repeat of a silenced alert is not announced;
-- analysts' status changes always are.
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

DROP TRIGGER IF EXISTS alerts_updated_event ON alerts;
CREATE TRIGGER alerts_updated_event AFTER UPDATE ON alerts FOR EACH ROW
  EXECUTE FUNCTION vigil_alert_updated();

CREATE OR REPLACE FUNCTION vigil_alert_note_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'alert.updated', 'organizationId', NEW.organization_id, 'alertId', NEW.alert_id,
    'change', 'note')::text);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS alert_notes_added_event ON alert_notes;
CREATE TRIGGER alert_notes_added_event AFTER INSERT ON alert_notes FOR EACH ROW
  EXECUTE FUNCTION vigil_alert_note_added();

CREATE OR REPLACE FUNCTION vigil_scan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'scan.progress', 'organizationId', NEW.organization_id, 'monitorId', NEW.monitor_id,
    'scanId', NEW.id, 'phase', NEW.status)::text);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS scans_changed_event ON scans;
CREATE TRIGGER scans_changed_event AFTER INSERT OR UPDATE OF status ON scans FOR EACH ROW
  EXECUTE FUNCTION vigil_scan_changed();
