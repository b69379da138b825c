-- A scan's two writes, one statement each (src/scanning/run-scan.ts): claiming it (locked, charged,
-- marked running) and recording what it found. Each is one round trip and its own transaction;
-- on a busy worker the statements, not the work in them, were most of a scan's cost.

-- Takes the monitor's oldest waiting (or interrupted) scan and, when it was waiting, charges for it
-- in the same transaction that marks it running: the balance only goes down while it stays >= 0,
-- and nothing is charged for a scan that is not started (paused monitor, no credits left: skipped).
-- Returns {outcome: 'nothing-to-do' | 'skipped' | 'claimed'} and, when claimed, the scan, its
-- monitor, what the judge needs of the organization, and its brand profile entries in order.
CREATE OR REPLACE FUNCTION vigil_claim_scan(p_monitor_id uuid, p_cost integer) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_scan scans;
  v_monitor monitors;
  v_organization organizations;
  v_balance integer;
  v_reason text;
BEGIN
  SELECT * INTO v_scan FROM scans
  WHERE monitor_id = p_monitor_id AND status IN ('queued', 'running')
  ORDER BY queued_at LIMIT 1
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('outcome', 'nothing-to-do');
  END IF;
  SELECT * INTO v_monitor FROM monitors WHERE id = p_monitor_id;
  SELECT * INTO v_organization FROM organizations WHERE id = v_scan.organization_id;
  IF v_scan.status = 'queued' THEN
    IF v_monitor.status = 'paused' AND v_scan.trigger = 'schedule' THEN
      v_reason := 'The monitor is paused';
    ELSE
      UPDATE organizations SET credit_balance = credit_balance - p_cost
      WHERE id = v_scan.organization_id AND credit_balance >= p_cost
      RETURNING credit_balance INTO v_balance;
      IF NOT FOUND THEN
        v_reason := 'No scan credits left: a scan costs ' || p_cost || '; credits are granted monthly by plan';
      END IF;
    END IF;
    IF v_reason IS NOT NULL THEN
      UPDATE scans SET status = 'skipped', finished_at = now(), error = v_reason WHERE id = v_scan.id;
      UPDATE monitors SET last_error = v_reason WHERE id = p_monitor_id;
      RETURN jsonb_build_object('outcome', 'skipped');
    END IF;
    IF p_cost > 0 THEN
      INSERT INTO credit_ledger (organization_id, delta, balance_after, reason, scan_id)
      VALUES (v_scan.organization_id, -p_cost, v_balance, 'scan', v_scan.id);
    END IF;
    UPDATE scans SET status = 'running', started_at = now(), credits_charged = p_cost
    WHERE id = v_scan.id
    RETURNING * INTO v_scan;
  END IF;
  RETURN jsonb_build_object(
    'outcome', 'claimed',
    'scan', to_jsonb(v_scan),
    'monitor', to_jsonb(v_monitor),
    'organizationName', v_organization.name,
    'ownDomains', to_jsonb(v_organization.own_domains),
    'openaiKeyEncrypted', v_organization.openai_key_encrypted,
    'profile', coalesce((
      SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'value', e.value) ORDER BY e.kind, e.position)
      FROM brand_profile_entries e WHERE e.organization_id = v_scan.organization_id), '[]'));
END $$;

-- Records a running scan's results, all or nothing: findings (new ones with their decision and
-- explanation, seen ones touched), alerts (vigil_upsert_alerts, 06), source health and its alerts
-- (vigil_record_source_health, 07), new LLM verdicts for the cache, the scan's figures and the
-- monitor's last scan. Credits were debited when the scan was claimed; webhooks, live events and
-- rollups follow from the triggers on the rows written here.
--
-- The scan row is locked first: of two attempts at one scan, the second waits here and then finds
-- the scan no longer running, and records nothing (returns NULL). Otherwise returns
-- {durationSeconds, alertsCreated, alertsUpdated, isMoreWaiting}, the last saying whether another
-- scan of the monitor waits (queued while this one ran).
--
-- `p_record`: {seen: [url hash], findings: [{source, url, urlHash, contentHash, title, snippet,
-- status, suppressedReason, explanation, suppressionRuleId}], threats: [as vigil_upsert_alerts],
-- sources: [as vigil_record_source_health], sourceHealth: {settings}, analyzer,
-- cacheEntries: [{contentHash, verdict}], findingsSeen, findingsSuppressed, promptTokens,
-- completionTokens, costUsd, warning}.
CREATE OR REPLACE FUNCTION vigil_record_scan(p_scan_id uuid, p_record jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_scan scans;
  v_live_rules uuid[];
  v_threats_created integer;
  v_threats integer;
  v_health record;
  v_findings_new integer := coalesce(jsonb_array_length(p_record->'findings'), 0);
  v_warning text := p_record->>'warning';
  v_duration double precision;
BEGIN
  SELECT * INTO v_scan FROM scans WHERE id = p_scan_id FOR UPDATE;
  IF NOT FOUND OR v_scan.status <> 'running' THEN
    RETURN NULL;
  END IF;

  IF coalesce(jsonb_array_length(p_record->'seen'), 0) > 0 THEN
    UPDATE findings SET last_seen_at = now()
    WHERE organization_id = v_scan.organization_id AND monitor_id = v_scan.monitor_id
      AND url_hash IN (SELECT jsonb_array_elements_text(p_record->'seen'));
  END IF;

  IF v_findings_new > 0 THEN
    -- A rule may be deleted while the scan judged the rest: its findings keep the reason, without
    -- the link. The rules still there are locked against deletion until the findings naming them are in.
    v_live_rules := ARRAY(
      SELECT r.id FROM suppression_rules r
      WHERE r.id IN (SELECT (f->>'suppressionRuleId')::uuid FROM jsonb_array_elements(p_record->'findings') f)
      ORDER BY r.id FOR KEY SHARE);
    INSERT INTO findings (organization_id, monitor_id, scan_id, source, url, url_hash, content_hash, title, snippet,
      status, suppressed_reason, explanation, suppression_rule_id)
    SELECT v_scan.organization_id, v_scan.monitor_id, v_scan.id, f.source, f.url, f."urlHash", f."contentHash", f.title,
      f.snippet, f.status, f."suppressedReason", f.explanation,
      CASE WHEN f."suppressionRuleId" = ANY (v_live_rules) THEN f."suppressionRuleId" END
    FROM ROWS FROM (jsonb_to_recordset(p_record->'findings') AS (source text, url text, "urlHash" text, "contentHash" text,
      title text, snippet text, status text, "suppressedReason" text, explanation jsonb, "suppressionRuleId" uuid))
      WITH ORDINALITY AS f (source, url, "urlHash", "contentHash", title, snippet, status, "suppressedReason", explanation,
        "suppressionRuleId", position)
    ORDER BY f.position
    ON CONFLICT (organization_id, monitor_id, url_hash) DO UPDATE SET last_seen_at = now();
  END IF;

  SELECT count(*) FILTER (WHERE u.outcome = 'created'), count(*) INTO v_threats_created, v_threats
  FROM vigil_upsert_alerts(v_scan.organization_id, v_scan.monitor_id, coalesce(p_record->'threats', '[]')) u;
  SELECT * INTO v_health
  FROM vigil_record_source_health(v_scan.organization_id, v_scan.monitor_id, p_record->'sources', p_record->'sourceHealth');

  IF coalesce(jsonb_array_length(p_record->'cacheEntries'), 0) > 0 THEN
    INSERT INTO analysis_cache (content_hash, analyzer, verdict)
    SELECT c."contentHash", p_record->>'analyzer', c.verdict
    FROM jsonb_to_recordset(p_record->'cacheEntries') AS c ("contentHash" text, verdict jsonb)
    ON CONFLICT DO NOTHING;
  END IF;

  UPDATE scans SET status = 'succeeded', finished_at = now(),
    findings_seen = (p_record->>'findingsSeen')::integer, findings_new = v_findings_new,
    findings_suppressed = (p_record->>'findingsSuppressed')::integer,
    alerts_created = v_threats_created + v_health.alerts_created,
    alerts_updated = v_threats - v_threats_created + v_health.alerts_updated,
    prompt_tokens = (p_record->>'promptTokens')::integer, completion_tokens = (p_record->>'completionTokens')::integer,
    cost_usd = (p_record->>'costUsd')::numeric, error = v_warning
  WHERE id = p_scan_id
  RETURNING extract(epoch FROM finished_at - started_at)::float8 INTO v_duration;
  UPDATE monitors SET last_scan_at = now(), last_error = v_warning WHERE id = v_scan.monitor_id;

  RETURN jsonb_build_object(
    'durationSeconds', v_duration,
    'alertsCreated', v_threats_created + v_health.alerts_created,
    'alertsUpdated', v_threats - v_threats_created + v_health.alerts_updated,
    'isMoreWaiting', EXISTS (
      SELECT 1 FROM scans WHERE monitor_id = v_scan.monitor_id AND status IN ('queued', 'running') AND id <> p_scan_id));
END $$;
