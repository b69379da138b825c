-- Alerts raised by scans: one alert per (monitor, fingerprint). A repeat counts an occurrence and
-- refreshes the verdict; a repeat of a resolved alert, or of a snoozed one after its snooze ended,
-- returns it to `new`, recorded in history. False positives stay closed: the analyst already said
-- it is not a threat. Each firing is checked against the silences in effect: a silenced firing
-- is stored and marked, but not announced (04_live_events.sql, 02_webhooks.sql).
--
-- Called by the statement that records a scan (08_scan_recording.sql), by source health
-- (07_source_health.sql) and by `upsertAlerts` in src/services/alerts.ts, which validates the input.

-- The first silence in effect (oldest first) whose every condition the alert meets.
CREATE OR REPLACE FUNCTION vigil_matching_silence(
  p_organization_id uuid, p_monitor_id uuid, p_category text, p_severity text, p_title text, p_summary text, p_url text
) RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT s.id FROM silences s
  WHERE s.organization_id = p_organization_id AND s.starts_at <= now() AND s.ends_at > now()
    AND (s.monitor_id IS NULL OR s.monitor_id = p_monitor_id)
    AND (s.category IS NULL OR s.category = p_category)
    AND (s.min_severity IS NULL
         OR array_position(ARRAY['low', 'medium', 'high', 'critical'], p_severity)
            >= array_position(ARRAY['low', 'medium', 'high', 'critical'], s.min_severity))
    AND (s.text IS NULL
         OR strpos(lower(p_title), lower(s.text)) > 0
         OR strpos(lower(p_summary), lower(s.text)) > 0
         OR strpos(lower(coalesce(p_url, '')), lower(s.text)) > 0)
  ORDER BY s.created_at, s.id
  LIMIT 1
$$;

-- The alerts of a `vigil_upsert_alerts` call as rows: one per fingerprint (its last verdict, at its
-- first position), with the defaults an alert takes.
CREATE OR REPLACE FUNCTION vigil_alert_inputs(p_alerts jsonb) RETURNS TABLE (
  fingerprint text, title text, summary text, url text, source text, category text, severity text,
  confidence real, rationale text, explanation jsonb, is_unverified boolean, ordinal bigint
) LANGUAGE sql IMMUTABLE AS $$
  SELECT DISTINCT ON (a.fingerprint) a.fingerprint, a.title, coalesce(a.summary, ''), a.url, a.source, a.category, a.severity,
    a.confidence, a.rationale, a.explanation, coalesce(a."isUnverified", false),
    min(e.position) OVER (PARTITION BY a.fingerprint)
  FROM jsonb_array_elements(p_alerts) WITH ORDINALITY e (value, position)
  CROSS JOIN LATERAL jsonb_to_record(e.value) AS a (
    fingerprint text, title text, summary text, url text, source text, category text, severity text,
    confidence real, rationale text, explanation jsonb, "isUnverified" boolean)
  ORDER BY a.fingerprint, e.position DESC
$$;

-- `p_alerts`: a JSON array of {fingerprint, title, summary, url, source, category, severity,
-- confidence, rationale, explanation, isUnverified}. A fingerprint listed twice counts once, with
-- its last verdict. Returns one row per distinct fingerprint: 'created', 'updated' or 'reopened'.
-- New alerts are inserted in one statement, in the order given (numbered and announced by the
-- triggers of alerts); repeats, if any, are locked in id order and updated in another.
CREATE OR REPLACE FUNCTION vigil_upsert_alerts(p_organization_id uuid, p_monitor_id uuid, p_alerts jsonb)
  RETURNS TABLE (fingerprint text, alert_id uuid, outcome text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_has_silence boolean;
  v_inputs integer;
  v_created_fingerprints text[];
  v_created_ids uuid[];
BEGIN
  IF coalesce(jsonb_array_length(p_alerts), 0) = 0 THEN
    RETURN;
  END IF;
  -- Most organizations have no silence in effect: then no firing needs matching.
  v_has_silence := EXISTS (
    SELECT 1 FROM silences s WHERE s.organization_id = p_organization_id AND s.starts_at <= now() AND s.ends_at > now());
  WITH input AS (
    SELECT * FROM vigil_alert_inputs(p_alerts) i
  ), created AS (
    INSERT INTO alerts AS a (organization_id, monitor_id, fingerprint, title, summary, url, source, category, severity,
      confidence, rationale, explanation, is_unverified, silenced_at, silence_id)
    SELECT p_organization_id, p_monitor_id, i.fingerprint, i.title, i.summary, i.url, i.source, i.category, i.severity,
      i.confidence, i.rationale, i.explanation, i.is_unverified, CASE WHEN s.id IS NOT NULL THEN now() END, s.id
    FROM input i
    LEFT JOIN LATERAL (SELECT vigil_matching_silence(p_organization_id, p_monitor_id, i.category, i.severity, i.title, i.summary, i.url) AS id
                       WHERE v_has_silence) s ON true
    ORDER BY i.ordinal
    ON CONFLICT (organization_id, monitor_id, fingerprint) DO NOTHING
    RETURNING a.id, a.fingerprint
  ), history AS (
    INSERT INTO alert_history (organization_id, alert_id, from_status, to_status)
    SELECT p_organization_id, c.id, NULL, 'new' FROM created c
  )
  SELECT (SELECT count(*) FROM input), array_agg(c.fingerprint), array_agg(c.id)
  INTO v_inputs, v_created_fingerprints, v_created_ids
  FROM created c;
  RETURN QUERY SELECT f, id, 'created' FROM unnest(v_created_fingerprints, v_created_ids) AS c (f, id);
  IF v_inputs = coalesce(cardinality(v_created_fingerprints), 0) THEN
    RETURN;
  END IF;

  -- Repeats: already there, or inserted by another transaction since the statement above began.
  RETURN QUERY
  WITH input AS (
    SELECT * FROM vigil_alert_inputs(p_alerts) i WHERE i.fingerprint <> ALL (coalesce(v_created_fingerprints, '{}'))
  ), locked AS (
    SELECT a.id, a.fingerprint, a.status,
      a.status = 'resolved' OR (a.status = 'snoozed' AND coalesce(a.snoozed_until <= now(), false)) AS is_reopened
    FROM alerts a
    WHERE a.organization_id = p_organization_id AND a.monitor_id = p_monitor_id AND a.fingerprint IN (SELECT i.fingerprint FROM input i)
    ORDER BY a.id
    FOR UPDATE
  ), updated AS (
    UPDATE alerts a SET
      title = i.title, summary = i.summary, url = i.url, source = i.source, category = i.category,
      severity = i.severity, confidence = i.confidence, rationale = i.rationale, explanation = i.explanation,
      is_unverified = i.is_unverified, silenced_at = CASE WHEN s.id IS NOT NULL THEN now() END, silence_id = s.id,
      occurrences = a.occurrences + 1, last_seen_at = now(), updated_at = now(),
      status = CASE WHEN l.is_reopened THEN 'new' ELSE a.status END,
      snoozed_until = CASE WHEN l.is_reopened THEN NULL ELSE a.snoozed_until END,
      resolved_at = CASE WHEN l.is_reopened THEN NULL ELSE a.resolved_at END,
      resolved_by_user_id = CASE WHEN l.is_reopened THEN NULL ELSE a.resolved_by_user_id END,
      acknowledged_at = CASE WHEN l.is_reopened THEN NULL ELSE a.acknowledged_at END,
      acknowledged_by_user_id = CASE WHEN l.is_reopened THEN NULL ELSE a.acknowledged_by_user_id END
    FROM locked l
    JOIN input i ON i.fingerprint = l.fingerprint
    LEFT JOIN LATERAL (SELECT vigil_matching_silence(p_organization_id, p_monitor_id, i.category, i.severity, i.title, i.summary, i.url) AS id
                       WHERE v_has_silence) s ON true
    WHERE a.id = l.id
    RETURNING a.id, a.fingerprint, l.status AS from_status, l.is_reopened
  ), history AS (
    INSERT INTO alert_history (organization_id, alert_id, from_status, to_status, note)
    SELECT p_organization_id, u.id, u.from_status, 'new',
      CASE WHEN u.from_status = 'snoozed' THEN 'Snooze over: the threat was seen again' ELSE 'Reopened: the threat was seen again' END
    FROM updated u WHERE u.is_reopened
  )
  SELECT u.fingerprint, u.id, CASE WHEN u.is_reopened THEN 'reopened' ELSE 'updated' END FROM updated u;
END $$;
