-- Formatting shared by the webhook payloads and the digest: the API's own representations, in SQL.

CREATE OR REPLACE FUNCTION vigil_global_id(typename text, id uuid) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- Same as @pothos/plugin-relay's encodeGlobalID: base64("<Typename>:<id>"), unwrapped.
  SELECT translate(encode(convert_to(typename || ':' || id::text, 'UTF8'), 'base64'), E'\n', '')
$$;

CREATE OR REPLACE FUNCTION vigil_iso_time(value timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
