-- Deleting an organization cascades to its alerts, whose delete trigger would write rollup rows
-- for the organization being deleted (a foreign-key violation). Those counts go with it.
CREATE OR REPLACE FUNCTION vigil_alert_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF coalesce(current_setting('vigil.keep_rollup', true), '') <> 'on'
       AND EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
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
