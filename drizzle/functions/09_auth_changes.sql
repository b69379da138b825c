-- Authentication changes. Each API process keeps successful authentication results in memory
-- (src/services/auth-cache.ts) and drops an organization's entries when it hears the organization
-- on `vigil_auth_changes` (AUTH_CHANGES_CHANNEL there). Announced here, in the transaction that
-- makes the change, so no code path can forget it: a key created, changed, revoked or deleted; a
-- membership added, changed or removed (also by deleting its user or organization: the foreign
-- keys cascade, and cascaded deletes fire these triggers too); a session revoked (logOut, or the
-- reuse of a refresh token). Identical notifications in one transaction are delivered once.
CREATE OR REPLACE FUNCTION vigil_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('vigil_auth_changes', OLD.organization_id::text);
  ELSE
    PERFORM pg_notify('vigil_auth_changes', NEW.organization_id::text);
    IF TG_OP = 'UPDATE' AND OLD.organization_id IS DISTINCT FROM NEW.organization_id THEN
      PERFORM pg_notify('vigil_auth_changes', OLD.organization_id::text);
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- last_used_at is bookkeeping written by authentication itself: changing it alone changes no result.
DROP TRIGGER IF EXISTS api_keys_auth_changed ON api_keys;
CREATE TRIGGER api_keys_auth_changed AFTER INSERT OR DELETE ON api_keys FOR EACH ROW
  EXECUTE FUNCTION vigil_auth_changed();
DROP TRIGGER IF EXISTS api_keys_auth_updated ON api_keys;
CREATE TRIGGER api_keys_auth_updated AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN (to_jsonb(OLD) - 'last_used_at' IS DISTINCT FROM to_jsonb(NEW) - 'last_used_at')
  EXECUTE FUNCTION vigil_auth_changed();

DROP TRIGGER IF EXISTS memberships_auth_changed ON memberships;
CREATE TRIGGER memberships_auth_changed AFTER INSERT OR DELETE ON memberships FOR EACH ROW
  EXECUTE FUNCTION vigil_auth_changed();
DROP TRIGGER IF EXISTS memberships_auth_updated ON memberships;
CREATE TRIGGER memberships_auth_updated AFTER UPDATE ON memberships FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
  EXECUTE FUNCTION vigil_auth_changed();

-- Rotating a refresh token (used_at) or issuing one ends no session; revoking it does, and
-- deleting a revoked one could end a revocation.
DROP TRIGGER IF EXISTS refresh_tokens_auth_updated ON refresh_tokens;
CREATE TRIGGER refresh_tokens_auth_updated AFTER UPDATE ON refresh_tokens FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.family_id IS DISTINCT FROM NEW.family_id)
  EXECUTE FUNCTION vigil_auth_changed();
DROP TRIGGER IF EXISTS refresh_tokens_auth_deleted ON refresh_tokens;
CREATE TRIGGER refresh_tokens_auth_deleted AFTER DELETE ON refresh_tokens FOR EACH ROW
  WHEN (OLD.revoked_at IS NOT NULL)
  EXECUTE FUNCTION vigil_auth_changed();
