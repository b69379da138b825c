import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SourceHealthConfig } from '../config.ts';
import type { DbOrTx } from '../db/client.ts';
import type { SourceKind } from '../db/schema/enums.ts';
import { alertHistory, alerts, monitorSourceHealth } from '../db/schema/index.ts';
import { upsertAlerts, type AlertInput } from '../services/alerts.ts';
import type { MonitorRow } from '../services/monitors.ts';

/** What one source did in one scan. */
export type SourceOutcome = { source: SourceKind; isOk: true; results: number } | { source: SourceKind; isOk: false; error: string };

type SourceHealthRow = typeof monitorSourceHealth.$inferSelect;

const SOURCE_LABELS: Record<SourceKind, string> = {
  google: 'Google',
  rss: 'RSS',
  hackernews: 'Hacker News',
  certstream: 'Certificate transparency',
  demo: 'Demo',
};

/** The alert fingerprint of a source's health: one alert per monitor and source, reopened when it fails again. */
function sourceHealthFingerprint(source: SourceKind): string {
  return `source-health:${source}`;
}

const OPEN_STATUSES = ['new', 'acknowledged', 'snoozed'] as const;

/**
 * Records how each source of the monitor did in this scan, in the transaction that records the scan,
 * and keeps the monitor's `source_health` alerts in step: raised (or counted again) while a source
 * is failing or silent, resolved when it recovers. Returns the alert outcomes for the scan's counts.
 */
export async function recordSourceHealth(
  tx: DbOrTx,
  config: SourceHealthConfig,
  monitor: Pick<MonitorRow, 'id' | 'organizationId' | 'name' | 'intervalMinutes'>,
  outcomes: readonly SourceOutcome[],
): Promise<{ alertsCreated: number; alertsUpdated: number }> {
  if (outcomes.length === 0) return { alertsCreated: 0, alertsUpdated: 0 };
  // Database time, like every other timestamp of the scan; the rows are locked because two scans of
  // one monitor may run at once (a manual scan next to a scheduled one) and both count failures.
  // The clock comes with the rows; only a monitor's first scan, with no rows yet, asks for it alone.
  const epoch = sql<number>`extract(epoch from now())::float8`;
  const rows = await tx
    .select({ health: monitorSourceHealth, now: epoch })
    .from(monitorSourceHealth)
    .where(eq(monitorSourceHealth.monitorId, monitor.id))
    .for('update');
  const previous = rows.map((row) => row.health);
  const now = rows[0]?.now ?? (await tx.execute<{ now: number }>(sql`select ${epoch} as now`))[0]!.now;
  const bySource = new Map(previous.map((row) => [row.source, row]));
  const next = outcomes.map((outcome) => nextHealth(config, monitor, bySource.get(outcome.source), outcome, now));
  // Sources taken off the monitor since its last scan: their history goes, and so do their alerts.
  const removed = previous.filter((row) => !outcomes.some((o) => o.source === row.source));
  if (removed.length > 0) {
    await tx
      .delete(monitorSourceHealth)
      .where(and(eq(monitorSourceHealth.monitorId, monitor.id), inArray(monitorSourceHealth.source, removed.map((row) => row.source))));
  }

  await tx
    .insert(monitorSourceHealth)
    .values(next.map((health) => ({ ...health, organizationId: monitor.organizationId, monitorId: monitor.id, updatedAt: sql`now()` })))
    .onConflictDoUpdate({
      target: [monitorSourceHealth.monitorId, monitorSourceHealth.source],
      set: {
        consecutiveFailures: sql`excluded.consecutive_failures`,
        lastError: sql`excluded.last_error`,
        lastSuccessAt: sql`excluded.last_success_at`,
        lastResultsAt: sql`excluded.last_results_at`,
        resultScans: sql`excluded.result_scans`,
        meanResultGapSeconds: sql`excluded.mean_result_gap_seconds`,
        problem: sql`excluded.problem`,
        updatedAt: sql`now()`,
      },
    });

  // A monitor none of whose sources answered is blind, not just missing part of the picture.
  const isBlind = outcomes.every((o) => !o.isOk);
  const raised: AlertInput[] = next.flatMap((health) => {
    if (!health.problem) return [];
    const label = SOURCE_LABELS[health.source];
    const isFailing = health.problem.startsWith('failing');
    return [
      {
        organizationId: monitor.organizationId,
        monitorId: monitor.id,
        fingerprint: sourceHealthFingerprint(health.source),
        title: `${label} source ${isFailing ? 'failing' : 'silent'} for ${monitor.name}`.slice(0, 500),
        summary: `The ${label} source of “${monitor.name}” is ${health.problem}. Until it recovers, threats it would find are missed.`.slice(0, 5_000),
        url: null,
        source: health.source,
        category: 'source_health',
        severity: isFailing && isBlind ? 'high' : 'medium',
        confidence: 1,
      },
    ];
  });
  const upserted = await upsertAlerts(tx, monitor.organizationId, monitor.id, raised, { isMonitorVerified: true });

  const cleared = [
    ...next
      .filter((health) => !health.problem && bySource.get(health.source)?.problem)
      .map((health) => ({ source: health.source, note: `Cleared: the ${SOURCE_LABELS[health.source]} source recovered` })),
    ...removed
      .filter((row) => row.problem)
      .map((row) => ({ source: row.source, note: `Cleared: the ${SOURCE_LABELS[row.source]} source was removed from the monitor` })),
  ];
  if (cleared.length > 0) await resolveSourceHealthAlerts(tx, monitor, cleared);

  const alertsCreated = upserted.filter((o) => o.outcome === 'created').length;
  return { alertsCreated, alertsUpdated: upserted.length - alertsCreated };
}

type HealthState = Pick<
  SourceHealthRow,
  'source' | 'consecutiveFailures' | 'lastError' | 'lastSuccessAt' | 'lastResultsAt' | 'resultScans' | 'meanResultGapSeconds' | 'problem'
>;

/** The source's health after this scan; `now` is database time in epoch seconds. */
function nextHealth(
  config: SourceHealthConfig,
  monitor: Pick<MonitorRow, 'intervalMinutes'>,
  previous: HealthState | undefined,
  outcome: SourceOutcome,
  now: number,
): HealthState {
  const at = new Date(now * 1_000);
  const state: HealthState = {
    source: outcome.source,
    consecutiveFailures: previous?.consecutiveFailures ?? 0,
    lastError: previous?.lastError ?? null,
    lastSuccessAt: previous?.lastSuccessAt ?? null,
    lastResultsAt: previous?.lastResultsAt ?? null,
    resultScans: previous?.resultScans ?? 0,
    meanResultGapSeconds: previous?.meanResultGapSeconds ?? null,
    problem: null,
  };
  if (!outcome.isOk) {
    state.consecutiveFailures += 1;
    state.lastError = outcome.error.slice(0, 1_000);
  } else {
    state.consecutiveFailures = 0;
    state.lastSuccessAt = at;
    if (outcome.results > 0) {
      if (state.lastResultsAt) {
        // Running mean over the gaps so far: there is one gap fewer than scans with results.
        const gap = Math.max(0, now - state.lastResultsAt.getTime() / 1_000);
        const gaps = state.resultScans - 1;
        state.meanResultGapSeconds = gaps > 0 && state.meanResultGapSeconds !== null ? (state.meanResultGapSeconds * gaps + gap) / (gaps + 1) : gap;
      }
      state.lastResultsAt = at;
      state.resultScans += 1;
    }
  }
  state.problem = problemOf(config, monitor, state, now);
  return state;
}

function problemOf(config: SourceHealthConfig, monitor: Pick<MonitorRow, 'intervalMinutes'>, state: HealthState, now: number): string | null {
  if (state.consecutiveFailures >= config.failuresBeforeAlert) {
    return `failing: ${state.consecutiveFailures} scans in a row — ${state.lastError ?? 'unknown error'}`;
  }
  if (state.resultScans >= config.minHistory && state.lastResultsAt && state.meanResultGapSeconds !== null) {
    // A source cannot return results more often than it is scanned: a few "scan now" clicks in a row
    // must not make the usual gap so short that the next ordinary quiet spell looks like silence.
    const usualGap = Math.max(state.meanResultGapSeconds, monitor.intervalMinutes * 60);
    const quiet = now - state.lastResultsAt.getTime() / 1_000;
    if (quiet > config.silenceFactor * usualGap) return `silent: no results for ${formatDuration(quiet)}, usually every ${formatDuration(usualGap)}`;
  }
  return null;
}

const UNITS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const;

/** "6 days", "1.5 hours", "45 minutes". */
function formatDuration(seconds: number): string {
  const [unit, size] = UNITS.find(([, size]) => seconds >= size) ?? UNITS[UNITS.length - 1]!;
  const value = seconds / size;
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
}

/** Resolves the open `source_health` alerts of sources that recovered (or went), with a history entry each. */
async function resolveSourceHealthAlerts(
  tx: DbOrTx,
  monitor: Pick<MonitorRow, 'id' | 'organizationId'>,
  cleared: readonly { source: SourceKind; note: string }[],
): Promise<void> {
  const open = await tx
    .select({ id: alerts.id, status: alerts.status, fingerprint: alerts.fingerprint })
    .from(alerts)
    .where(
      and(
        eq(alerts.monitorId, monitor.id),
        inArray(alerts.fingerprint, cleared.map((c) => sourceHealthFingerprint(c.source))),
        inArray(alerts.status, [...OPEN_STATUSES]),
      ),
    )
    .orderBy(asc(alerts.id))
    .for('update');
  if (open.length === 0) return;
  await tx
    .update(alerts)
    .set({ status: 'resolved', resolvedAt: sql`now()`, resolvedByUserId: null, snoozedUntil: null, updatedAt: sql`now()` })
    .where(inArray(alerts.id, open.map((a) => a.id)));
  await tx.insert(alertHistory).values(
    open.map((alert) => ({
      organizationId: monitor.organizationId,
      alertId: alert.id,
      fromStatus: alert.status,
      toStatus: 'resolved' as const,
      note: cleared.find((c) => sourceHealthFingerprint(c.source) === alert.fingerprint)!.note,
    })),
  );
}
