-- Live events. Every change a subscriber may see is announced with pg_notify on the channel
-- `vigil_events`, inside the transaction that makes it, so a rollback announces nothing and a
-- commit never goes unannounced. Payloads carry ids only; listeners load the rows.

CREATE SEQUENCE IF NOT EXISTS "alert_created_seq";
--> statement-breakpoint
-- Runs at commit (deferred). The advisory lock serializes commits that create alerts, so
-- created_seq order is commit order and "replay everything after seq N" can never skip an alert
-- that committed late. It is held only for the commit itself.
CREATE FUNCTION vigil_alert_created() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_seq bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7215002);
  v_seq := nextval('alert_created_seq');
  UPDATE alerts SET created_seq = v_seq WHERE id = NEW.id;
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'alert.created', 'organizationId', NEW.organization_id, 'monitorId', NEW.monitor_id,
    'alertId', NEW.id, 'seq', v_seq)::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER alerts_created_event AFTER INSERT ON alerts
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vigil_alert_created();
--> statement-breakpoint
CREATE FUNCTION vigil_alert_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'alert.updated', 'organizationId', NEW.organization_id, 'monitorId', NEW.monitor_id,
    'alertId', NEW.id,
    'change', CASE WHEN OLD.status IS DISTINCT FROM NEW.status THEN 'status'
                   WHEN OLD.occurrences IS DISTINCT FROM NEW.occurrences THEN 'occurrence'
                   ELSE 'details' END)::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Not for the created_seq assignment above, which is part of creation.
CREATE TRIGGER alerts_updated_event AFTER UPDATE ON alerts FOR EACH ROW
  WHEN (OLD.created_seq IS NOT DISTINCT FROM NEW.created_seq)
  EXECUTE FUNCTION vigil_alert_updated();
--> statement-breakpoint
CREATE FUNCTION vigil_alert_note_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'alert.updated', 'organizationId', NEW.organization_id, 'alertId', NEW.alert_id,
    'change', 'note')::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER alert_notes_added_event AFTER INSERT ON alert_notes FOR EACH ROW
  EXECUTE FUNCTION vigil_alert_note_added();
--> statement-breakpoint
CREATE FUNCTION vigil_scan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_events', json_build_object(
    'type', 'scan.progress', 'organizationId', NEW.organization_id, 'monitorId', NEW.monitor_id,
    'scanId', NEW.id, 'phase', NEW.status)::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER scans_changed_event AFTER INSERT OR UPDATE OF status ON scans FOR EACH ROW
  EXECUTE FUNCTION vigil_scan_changed();
