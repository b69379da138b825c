-- Source health: how each source of a monitor has been doing, updated by every scan in the
-- transaction that records it (08_scan_recording.sql, and a failed scan's in src/scanning/run-scan.ts),
-- and the monitor's `source_health` alerts kept in step: raised (or counted again) while a source is
-- failing or silent, resolved when it recovers or is taken off the monitor.

CREATE OR REPLACE FUNCTION vigil_source_label(p_source text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_source
    WHEN 'google' THEN 'Google' WHEN 'rss' THEN 'RSS' WHEN 'hackernews' THEN 'Hacker News'
    WHEN 'certstream' THEN 'Certificate transparency' WHEN 'demo' THEN 'Demo' ELSE p_source END
$$;

-- "6 days", "1.5 hours", "45 minutes": one decimal below ten, whole numbers above.
CREATE OR REPLACE FUNCTION vigil_format_duration(p_seconds double precision) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_unit text;
  v_size double precision;
  v_value double precision;
BEGIN
  SELECT u.unit, u.size INTO v_unit, v_size
  FROM (VALUES (1, 'day', 86400::float8), (2, 'hour', 3600), (3, 'minute', 60), (4, 'second', 1)) u (rank, unit, size)
  WHERE p_seconds >= u.size OR u.rank = 4
  ORDER BY u.rank LIMIT 1;
  v_value := p_seconds / v_size;
  -- Half up, as the API's own formatting rounds (float8 prints its shortest form, as JavaScript does).
  v_value := CASE WHEN v_value < 10 THEN floor(v_value * 10 + 0.5) / 10 ELSE floor(v_value + 0.5) END;
  RETURN v_value::text || ' ' || v_unit || CASE WHEN v_value = 1 THEN '' ELSE 's' END;
END $$;

-- `p_outcomes`: what each source did in this scan, a JSON array of {source, isOk, results, error}.
-- `p_settings`: {failuresBeforeAlert, minHistory, silenceFactor} (SOURCE_HEALTH_* settings).
-- Returns how many source-health alerts it created and how many it counted again.
CREATE OR REPLACE FUNCTION vigil_record_source_health(p_organization_id uuid, p_monitor_id uuid, p_outcomes jsonb, p_settings jsonb)
  RETURNS TABLE (alerts_created integer, alerts_updated integer) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := now();
  v_epoch double precision := extract(epoch FROM now());
  v_failures_before_alert integer := (p_settings->>'failuresBeforeAlert')::integer;
  v_min_history integer := (p_settings->>'minHistory')::integer;
  v_silence_factor double precision := (p_settings->>'silenceFactor')::double precision;
  v_monitor monitors;
  v_is_blind boolean;
  v_outcome record;
  v_previous_rows monitor_source_health[];
  v_sources text[];
  v_previous monitor_source_health;
  v_previous_problem text;
  v_next monitor_source_health;
  v_gap double precision;
  v_usual_gap double precision;
  v_quiet double precision;
  v_raised jsonb := '[]';
  v_cleared jsonb := '[]';
BEGIN
  IF coalesce(jsonb_array_length(p_outcomes), 0) = 0 THEN
    RETURN QUERY SELECT 0, 0;
    RETURN;
  END IF;
  SELECT * INTO v_monitor FROM monitors WHERE id = p_monitor_id;
  -- Two scans of one monitor may run at once (a manual one next to a scheduled one) and both count
  -- failures: the rows stay locked until the transaction ends.
  v_previous_rows := ARRAY(SELECT h FROM monitor_source_health h
    WHERE h.organization_id = p_organization_id AND h.monitor_id = p_monitor_id ORDER BY h.source FOR UPDATE);
  v_sources := ARRAY(SELECT o->>'source' FROM jsonb_array_elements(p_outcomes) o);
  v_is_blind := NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p_outcomes) o WHERE (o->>'isOk')::boolean);

  -- Sources taken off the monitor since its last scan: their history goes, and so do their alerts.
  FOREACH v_previous IN ARRAY v_previous_rows LOOP
    IF v_previous.source <> ALL (v_sources) THEN
      DELETE FROM monitor_source_health h
      WHERE h.organization_id = p_organization_id AND h.monitor_id = p_monitor_id AND h.source = v_previous.source;
      IF coalesce(v_previous.problem, '') <> '' THEN
        v_cleared := v_cleared || jsonb_build_object('source', v_previous.source,
          'note', 'Cleared: the ' || vigil_source_label(v_previous.source) || ' source was removed from the monitor');
      END IF;
    END IF;
  END LOOP;

  FOR v_outcome IN
    SELECT o.source, o."isOk" AS is_ok, coalesce(o.results, 0) AS results, o.error
    FROM ROWS FROM (jsonb_to_recordset(p_outcomes) AS (source text, "isOk" boolean, results integer, error text))
      WITH ORDINALITY AS o (source, "isOk", results, error, position)
    ORDER BY o.position
  LOOP
    v_next := NULL;
    FOREACH v_previous IN ARRAY v_previous_rows LOOP
      IF v_previous.source = v_outcome.source THEN
        v_next := v_previous;
      END IF;
    END LOOP;
    v_previous_problem := v_next.problem;
    IF v_next.source IS NULL THEN
      v_next.organization_id := p_organization_id;
      v_next.monitor_id := p_monitor_id;
      v_next.source := v_outcome.source;
      v_next.consecutive_failures := 0;
      v_next.result_scans := 0;
    END IF;
    v_next.problem := NULL;
    v_next.updated_at := v_now;
    IF NOT v_outcome.is_ok THEN
      v_next.consecutive_failures := v_next.consecutive_failures + 1;
      v_next.last_error := left(v_outcome.error, 1000);
    ELSE
      v_next.consecutive_failures := 0;
      v_next.last_success_at := v_now;
      IF v_outcome.results > 0 THEN
        IF v_next.last_results_at IS NOT NULL THEN
          -- Running mean over the gaps so far: there is one gap fewer than scans with results.
          v_gap := greatest(0, v_epoch - extract(epoch FROM v_next.last_results_at));
          v_next.mean_result_gap_seconds := CASE
            WHEN v_next.result_scans - 1 > 0 AND v_next.mean_result_gap_seconds IS NOT NULL
            THEN (v_next.mean_result_gap_seconds * (v_next.result_scans - 1) + v_gap) / v_next.result_scans
            ELSE v_gap END;
        END IF;
        v_next.last_results_at := v_now;
        v_next.result_scans := v_next.result_scans + 1;
      END IF;
    END IF;

    IF v_next.consecutive_failures >= v_failures_before_alert THEN
      v_next.problem := 'failing: ' || v_next.consecutive_failures || ' scans in a row — ' || coalesce(v_next.last_error, 'unknown error');
    ELSIF v_next.result_scans >= v_min_history AND v_next.last_results_at IS NOT NULL AND v_next.mean_result_gap_seconds IS NOT NULL THEN
      -- A source cannot return results more often than it is scanned: a few "scan now" clicks in a
      -- row must not make the usual gap so short that the next ordinary quiet spell looks like silence.
      v_usual_gap := greatest(v_next.mean_result_gap_seconds, v_monitor.interval_minutes * 60);
      v_quiet := v_epoch - extract(epoch FROM v_next.last_results_at);
      IF v_quiet > v_silence_factor * v_usual_gap THEN
        v_next.problem := 'silent: no results for ' || vigil_format_duration(v_quiet) || ', usually every ' || vigil_format_duration(v_usual_gap);
      END IF;
    END IF;

    INSERT INTO monitor_source_health AS h SELECT (v_next).*
    ON CONFLICT (organization_id, monitor_id, source) DO UPDATE SET
      consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error,
      last_success_at = excluded.last_success_at, last_results_at = excluded.last_results_at,
      result_scans = excluded.result_scans, mean_result_gap_seconds = excluded.mean_result_gap_seconds,
      problem = excluded.problem, updated_at = excluded.updated_at;

    IF v_next.problem IS NOT NULL THEN
      v_raised := v_raised || jsonb_build_object(
        'fingerprint', 'source-health:' || v_next.source,
        'title', left(vigil_source_label(v_next.source) || ' source '
          || CASE WHEN starts_with(v_next.problem, 'failing') THEN 'failing' ELSE 'silent' END || ' for ' || v_monitor.name, 500),
        'summary', left('The ' || vigil_source_label(v_next.source) || ' source of “' || v_monitor.name || '” is ' || v_next.problem
          || '. Until it recovers, threats it would find are missed.', 5000),
        'url', NULL,
        'source', v_next.source,
        'category', 'source_health',
        -- A monitor none of whose sources answered is blind, not just missing part of the picture.
        'severity', CASE WHEN starts_with(v_next.problem, 'failing') AND v_is_blind THEN 'high' ELSE 'medium' END,
        'confidence', 1);
    ELSIF coalesce(v_previous_problem, '') <> '' THEN
      v_cleared := v_cleared || jsonb_build_object('source', v_next.source,
        'note', 'Cleared: the ' || vigil_source_label(v_next.source) || ' source recovered');
    END IF;
  END LOOP;

  IF jsonb_array_length(v_raised) > 0 THEN
    RETURN QUERY SELECT count(*) FILTER (WHERE u.outcome = 'created')::integer, count(*) FILTER (WHERE u.outcome <> 'created')::integer
      FROM vigil_upsert_alerts(p_organization_id, p_monitor_id, v_raised) u;
  ELSE
    RETURN QUERY SELECT 0, 0;
  END IF;

  -- The open source-health alerts of sources that recovered or went: resolved, with a history entry each.
  IF jsonb_array_length(v_cleared) > 0 THEN
    WITH cleared AS (
      SELECT 'source-health:' || c.source AS fingerprint, c.note FROM jsonb_to_recordset(v_cleared) AS c (source text, note text)
    ), open AS (
      SELECT a.id, a.status, c.note FROM alerts a JOIN cleared c ON c.fingerprint = a.fingerprint
      WHERE a.organization_id = p_organization_id AND a.monitor_id = p_monitor_id AND a.status IN ('new', 'acknowledged', 'snoozed')
      ORDER BY a.id
      FOR UPDATE OF a
    ), resolved AS (
      UPDATE alerts a SET status = 'resolved', resolved_at = now(), resolved_by_user_id = NULL, snoozed_until = NULL, updated_at = now()
      FROM open o WHERE a.id = o.id
      RETURNING a.id
    )
    INSERT INTO alert_history (organization_id, alert_id, from_status, to_status, note)
    SELECT p_organization_id, o.id, o.status, 'resolved', o.note FROM open o JOIN resolved r ON r.id = o.id;
  END IF;
END $$;
