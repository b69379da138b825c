import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import type { SourceKind } from '../db/schema/enums.ts';
import { monitorSourceHealth, monitors } from '../db/schema/index.ts';

/** How one source of a monitor is doing, as the API shows it. */
export interface SourceHealthView {
  monitorId: string;
  source: SourceKind;
  problem: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  lastSuccessAt: Date | null;
  lastResultsAt: Date | null;
  meanResultGapSeconds: number | null;
}

/**
 * One entry per current source of each monitor, in the monitor's order; a source not scanned yet is
 * healthy with no history. Sources removed from a monitor are left out. One statement for any
 * number of monitors, scoped to the organization.
 */
export async function loadSourceHealth(db: DbOrTx, organizationId: string, monitorIds: readonly string[]): Promise<SourceHealthView[]> {
  if (monitorIds.length === 0) return [];
  const rows = await db
    .select({ monitorId: monitors.id, sources: monitors.sources, health: monitorSourceHealth })
    .from(monitors)
    .leftJoin(
      monitorSourceHealth,
      and(eq(monitorSourceHealth.organizationId, monitors.organizationId), eq(monitorSourceHealth.monitorId, monitors.id), sql`${monitorSourceHealth.source} = any(${monitors.sources})`),
    )
    .where(and(eq(monitors.organizationId, organizationId), inArray(monitors.id, [...monitorIds])));
  const byMonitor = new Map<string, { sources: SourceKind[]; health: Map<SourceKind, typeof monitorSourceHealth.$inferSelect> }>();
  for (const row of rows) {
    const entry = byMonitor.get(row.monitorId) ?? { sources: row.sources, health: new Map() };
    if (row.health) entry.health.set(row.health.source, row.health);
    byMonitor.set(row.monitorId, entry);
  }
  return [...byMonitor].flatMap(([monitorId, { sources, health }]) =>
    sources.map((source) => {
      const row = health.get(source);
      return {
        monitorId,
        source,
        problem: row?.problem ?? null,
        consecutiveFailures: row?.consecutiveFailures ?? 0,
        lastError: row?.lastError ?? null,
        lastSuccessAt: row?.lastSuccessAt ?? null,
        lastResultsAt: row?.lastResultsAt ?? null,
        meanResultGapSeconds: row?.meanResultGapSeconds ?? null,
      };
    }),
  );
}
