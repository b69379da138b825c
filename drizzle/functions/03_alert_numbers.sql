-- Alert numbers (`alerts.created_seq`): each organization numbers its own alerts, in commit order,
-- so `alertCreated(after: cursor)` can replay "everything after number N" without a gap.
--
-- The first alert a transaction creates for an organization locks that organization's row in
-- `alert_sequences` until the transaction ends; later alerts of the organization in the same
-- transaction count on from a transaction-local setting ('<organization id>:<last number>'), so a
-- statement creating 20,000 alerts locks and reads the counter once. Another transaction of the
-- same organization waits at its first alert until this one commits or rolls back, and therefore
-- numbers after every alert this one committed; other organizations never wait. The number is
-- set before the row is written: the alert row is written once.
--
-- The counter itself is written back once, at commit (the deferred trigger below), and when a
-- transaction moves on to another organization. The same commit-time event applies the rollup
-- changes the transaction kept (05_alert_rollups.sql). A savepoint rolled back takes its numbers, its
-- setting and its counter change back together. (`SET CONSTRAINTS … IMMEDIATE` would run the
-- write-back too early; nothing in Vigil sets it, and a reused number would fail loudly on
-- alerts_org_created_seq_key rather than be skipped by a replay.)

CREATE OR REPLACE FUNCTION vigil_alert_number() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_state text := current_setting('vigil.alert_seq', true);
  v_organization text := NEW.organization_id::text;
  v_seq bigint;
BEGIN
  IF starts_with(v_state, v_organization || ':') THEN
    v_seq := substr(v_state, length(v_organization) + 2)::bigint + 1;
  ELSE
    IF v_state <> '' THEN
      -- Another organization's numbers, before this transaction leaves it.
      UPDATE alert_sequences SET last_seq = split_part(v_state, ':', 2)::bigint
      WHERE organization_id = split_part(v_state, ':', 1)::uuid AND last_seq <> split_part(v_state, ':', 2)::bigint;
    END IF;
    -- Locks the counter; an update with no change queues the write-back at commit.
    UPDATE alert_sequences SET last_seq = last_seq WHERE organization_id = NEW.organization_id RETURNING last_seq INTO v_seq;
    IF NOT FOUND THEN
      INSERT INTO alert_sequences (organization_id, last_seq)
      VALUES (NEW.organization_id, coalesce((SELECT max(created_seq) FROM alerts WHERE organization_id = NEW.organization_id), 0))
      ON CONFLICT (organization_id) DO NOTHING;
      UPDATE alert_sequences SET last_seq = last_seq WHERE organization_id = NEW.organization_id RETURNING last_seq INTO v_seq;
    END IF;
    v_seq := v_seq + 1;
  END IF;
  NEW.created_seq := v_seq;
  PERFORM set_config('vigil.alert_seq', v_organization || ':' || v_seq, true);
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS alerts_number ON alerts;
CREATE TRIGGER alerts_number BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION vigil_alert_number();

-- At commit: the last number this transaction gave the organization becomes the counter.
CREATE OR REPLACE FUNCTION vigil_alert_number_store() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_state text := current_setting('vigil.alert_seq', true);
  v_organization text := NEW.organization_id::text;
BEGIN
  IF starts_with(v_state, v_organization || ':') THEN
    -- Changes the value, so the trigger's WHEN does not queue this update again.
    UPDATE alert_sequences SET last_seq = substr(v_state, length(v_organization) + 2)::bigint
    WHERE organization_id = NEW.organization_id AND last_seq <> substr(v_state, length(v_organization) + 2)::bigint;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS alert_sequences_store ON alert_sequences;
CREATE CONSTRAINT TRIGGER alert_sequences_store AFTER UPDATE ON alert_sequences
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.last_seq = NEW.last_seq)
  EXECUTE FUNCTION vigil_alert_number_store();
