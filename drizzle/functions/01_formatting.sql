-- Formatting for the webhook payloads built here: the API's own representations, in SQL.
-- Global IDs are not made here: payloads carry row ids, and src/lib/global-id.ts, the one encoder,
-- turns them into global IDs when the body is sent (src/services/webhook-delivery.ts).
DROP FUNCTION IF EXISTS vigil_global_id(text, uuid);

CREATE OR REPLACE FUNCTION vigil_iso_time(value timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
