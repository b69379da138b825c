import { sql } from 'drizzle-orm';
import type { SourceHealthConfig } from '../config.ts';
import type { DbOrTx } from '../db/client.ts';
import type { SourceKind } from '../db/schema/enums.ts';

/** What one source did in one scan. */
export type SourceOutcome = { source: SourceKind; isOk: true; results: number } | { source: SourceKind; isOk: false; error: string };

/**
 * Records how each source of the monitor did in this scan, in the transaction that records the
 * scan, and keeps the monitor's `source_health` alerts in step: raised (or counted again) while a
 * source is failing or silent, resolved when it recovers. The rules are the database's
 * (`vigil_record_source_health`, drizzle/functions/*source_health*), which a succeeding scan's own
 * statement calls; a failed scan calls them here. Returns the alert outcomes for the scan's counts.
 */
export async function recordSourceHealth(
  tx: DbOrTx,
  config: SourceHealthConfig,
  monitor: { id: string; organizationId: string },
  outcomes: readonly SourceOutcome[],
): Promise<{ alertsCreated: number; alertsUpdated: number }> {
  if (outcomes.length === 0) return { alertsCreated: 0, alertsUpdated: 0 };
  const [counts] = await tx.execute<{ alerts_created: number; alerts_updated: number }>(sql`
    select alerts_created, alerts_updated from vigil_record_source_health(${monitor.organizationId}, ${monitor.id},
      ${JSON.stringify(outcomes)}::jsonb, ${JSON.stringify(config)}::jsonb)`);
  return { alertsCreated: counts!.alerts_created, alertsUpdated: counts!.alerts_updated };
}
