import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { findings, monitors, scans } from '../db/schema/index.ts';
import { NotFoundError, ScanCooldownError } from './errors.ts';
import { paginate, paginateGroups, type Ordering, type Page, type PageArgs } from './pagination.ts';
import type { Viewer } from './viewer.ts';

export type ScanRow = typeof scans.$inferSelect;
export type FindingRow = typeof findings.$inferSelect;

export const SCAN_TASK = 'monitor__scan';

/** One job key per monitor: graphile-worker then never holds two waiting scans of a monitor. */
export function scanJobKey(monitorId: string): string {
  return `${SCAN_TASK}:${monitorId}`;
}

/**
 * Claims due, active monitors with FOR UPDATE SKIP LOCKED (so concurrent schedulers split the work
 * instead of doubling it), moves each one's next scan a full interval ahead plus up to 10% jitter
 * (capped at five minutes) so monitors created together drift apart, queues a scan row and its job —
 * all in one statement, hence one transaction. Returns how many monitors were claimed.
 *
 * The job is added even when a scan was already waiting (the insert then does nothing): the job key
 * keeps it to one job per monitor, and a waiting scan whose job is gone — failed for good, or taken
 * by a job that was busy resuming another scan — is picked up again instead of blocking the monitor.
 */
export async function enqueueDueMonitors(db: DbOrTx, batchSize: number, options: { onlyMonitorId?: string } = {}): Promise<number> {
  const onlyOne = options.onlyMonitorId ? sql`and id = ${options.onlyMonitorId}::uuid` : sql``;
  const rows = await db.execute<{ claimed: number }>(sql`
    with due as (
      select id from monitors
      where status = 'active' and next_scan_at <= now() ${onlyOne}
      order by next_scan_at
      limit ${batchSize}
      for update skip locked
    ), advanced as (
      update monitors m
      set next_scan_at = now()
        + make_interval(mins => m.interval_minutes)
        + make_interval(secs => random() * least(m.interval_minutes * 6, 300))
      from due where m.id = due.id
      returning m.id, m.organization_id
    ), queued as (
      insert into scans (organization_id, monitor_id, trigger)
      select organization_id, id, 'schedule' from advanced
      on conflict (organization_id, monitor_id) where status = 'queued' do nothing
      returning monitor_id
    )
    select (select count(*) from advanced)::int as claimed, (select count(*) from queued)::int as queued,
      -- One call for the batch (graphile-worker's add_job in its default 'replace' mode, in bulk):
      -- a set-based insert and one "jobs added" notification instead of one per monitor.
      case when exists (select 1 from advanced) then (select count(*) from graphile_worker.add_jobs(array(
        select row(${SCAN_TASK}, json_build_object('monitorId', id), null, null, 5, ${SCAN_TASK + ':'} || id, null, null)::graphile_worker.job_spec
        from advanced)))::int else 0 end as jobs`);
  return rows[0]?.claimed ?? 0;
}

/** Queues a scan for the monitor if it is due, as the scheduler would; true if it did. */
export async function enqueueIfDue(db: DbOrTx, monitorId: string): Promise<boolean> {
  return (await enqueueDueMonitors(db, 1, { onlyMonitorId: monitorId })) > 0;
}

export const FIRST_SCAN_TASK = 'monitor__queue_first_scan';

/**
 * Asks the scheduler, in the caller's transaction, to queue this monitor's scan now: a monitor just
 * created or resumed then shows results within seconds, not at the next minute's tick. The scan
 * itself is queued by the scheduling worker with the scheduler's rules (see enqueueIfDue), so
 * creating or resuming buys no scan the schedule would not have run. One waiting job per monitor.
 */
export async function queueFirstScan(tx: DbOrTx, monitorId: string): Promise<void> {
  await tx.execute(
    sql`select graphile_worker.add_job(${FIRST_SCAN_TASK}, json_build_object('monitorId', ${monitorId}::uuid), job_key := ${FIRST_SCAN_TASK + ':'} || ${monitorId}, max_attempts := 3)`,
  );
}

/**
 * Queues a manual scan and returns it. A scan already waiting is returned as is; its job is added
 * again only if it was lost (see `addScanJob`). Otherwise a monitor may be scanned by hand at most
 * once per cooldown.
 */
export async function scanMonitorNow(db: Db, viewer: Viewer, monitorId: string, cooldownSeconds: number): Promise<ScanRow> {
  return db.transaction(async (tx) => {
    const [monitor] = await tx
      .select({ id: monitors.id })
      .from(monitors)
      .where(and(eq(monitors.id, monitorId), eq(monitors.organizationId, viewer.organizationId)))
      .for('update');
    if (!monitor) throw new NotFoundError('Monitor', monitorId);
    const [waiting] = await tx.select().from(scans).where(and(eq(scans.monitorId, monitorId), eq(scans.status, 'queued')));
    if (waiting) {
      await addScanJob(tx, monitorId, { isWaiting: true });
      return waiting;
    }
    const [recent] = await tx
      .select({ secondsAgo: sql<number>`extract(epoch from now() - ${scans.queuedAt})::float` })
      .from(scans)
      .where(and(eq(scans.monitorId, monitorId), eq(scans.trigger, 'manual')))
      .orderBy(desc(scans.queuedAt))
      .limit(1);
    if (recent && recent.secondsAgo < cooldownSeconds) {
      throw new ScanCooldownError(Math.ceil(cooldownSeconds - recent.secondsAgo), `This monitor was scanned by hand ${Math.floor(recent.secondsAgo)} s ago; wait ${Math.ceil(cooldownSeconds - recent.secondsAgo)} s`);
    }
    const [scan] = await tx
      .insert(scans)
      .values({ organizationId: viewer.organizationId, monitorId, trigger: 'manual' })
      .returning();
    await addScanJob(tx, monitorId);
    return scan!;
  });
}

/**
 * Queues the monitor's scan job. For a new scan, graphile-worker's `replace`: if the monitor's job
 * is already running an earlier scan, a second job takes the key and runs this one. For a scan
 * already waiting (`isWaiting`), a job that holds the key and is running (with attempts left) is the
 * one that will run it, so nothing is added — adding in `replace` mode started a second job beside
 * it, and both fetched the sources for the same scan. Any other job (none, waiting, or failed for
 * good) is replaced as usual, so a lost job is queued again.
 */
function addScanJob(tx: DbOrTx, monitorId: string, options: { isWaiting?: boolean } = {}) {
  const key = scanJobKey(monitorId);
  const mode = options.isWaiting
    ? sql`case when exists (select 1 from graphile_worker.jobs where key = ${key} and locked_at is not null and attempts < max_attempts)
        then 'unsafe_dedupe' else 'replace' end`
    : sql`'replace'`;
  return tx.execute(
    sql`select graphile_worker.add_job(${SCAN_TASK}, json_build_object('monitorId', ${monitorId}::uuid), job_key := ${key}, max_attempts := 5, job_key_mode := ${mode})`,
  );
}

const scanOrdering: Ordering = {
  name: 'scans.newest',
  direction: 'desc',
  keys: [
    { column: scans.queuedAt, type: 'timestamptz' },
    { column: scans.id, type: 'uuid' },
  ],
};

export async function listScans(db: DbOrTx, viewer: Viewer, monitorId: string, args: PageArgs): Promise<Page<ScanRow>> {
  return paginate(args, scanOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ scan: scans, cursor })
      .from(scans)
      .where(and(eq(scans.organizationId, viewer.organizationId), eq(scans.monitorId, monitorId), seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.scan, cursor: row.cursor }))),
  );
}

export function loadScans(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<ScanRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(scans)
    .where(and(eq(scans.organizationId, organizationId), inArray(scans.id, [...ids])));
}

/** "Why suppressed": the findings a scan kept but did not alert on, with their reasons. */
const suppressedOrdering: Ordering = {
  name: 'suppressedFindings.oldest',
  direction: 'asc',
  keys: [
    { column: findings.firstSeenAt, type: 'timestamptz' },
    { column: findings.id, type: 'uuid' },
  ],
};

/** The same page of the suppressed findings of each scan, oldest first, in one statement. */
export function listSuppressedFindings(db: DbOrTx, organizationId: string, scanIds: readonly string[], args: PageArgs): Promise<Map<string, Page<FindingRow>>> {
  return paginateGroups(db, args, suppressedOrdering, {
    table: findings,
    groupColumn: findings.scanId,
    groupIds: scanIds,
    where: and(eq(findings.organizationId, organizationId), eq(findings.status, 'suppressed')),
  });
}

/** Suppressed findings by id for `node(id)`, never across organizations. */
export function loadSuppressedFindings(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<FindingRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(findings)
    .where(and(eq(findings.organizationId, organizationId), inArray(findings.id, [...ids]), eq(findings.status, 'suppressed')));
}
