import os from 'node:os';
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { workerHeartbeats } from '../db/schema/index.ts';
import type { Logger } from '../lib/logger.ts';

interface HeartbeatOptions {
  /** The id graphile-worker locks jobs with: its worker pool's id (one pool per process). */
  workerId: string;
  intervalSeconds: number;
  /** Another worker silent this long is taken for dead and its jobs are unlocked. */
  deadAfterSeconds: number;
  logger: Logger;
}

export interface Heartbeat {
  /** Stops beating but keeps the row, so other workers release this one's jobs once it goes stale. */
  pause(): Promise<void>;
  /** Stops beating and deletes this worker's row: call once its jobs are finished or released. */
  stop(): Promise<void>;
}

/** Records that this worker is alive, now. */
async function recordHeartbeat(db: Db, workerId: string): Promise<void> {
  await db
    .insert(workerHeartbeats)
    .values({ workerId, hostname: os.hostname(), pid: process.pid })
    .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: sql`now()` } });
}

/**
 * Unlocks the jobs of every other worker that has been silent for `deadAfterSeconds` and forgets
 * it; returns their ids. graphile-worker alone would keep a killed worker's jobs locked for four
 * hours. Safe to run from every worker at once: the delete locks the rows, so a second worker
 * waits, then finds them gone; and the unlock is in the same transaction, so a failed unlock keeps
 * the row for the next try. A worker that was only slow (a long GC pause, a lost connection) beats
 * again and reappears; the jobs it was running may then run twice, which is why tasks are idempotent.
 */
export async function releaseDeadWorkers(db: Db, selfId: string, deadAfterSeconds: number): Promise<string[]> {
  return db.transaction(async (tx) => {
    const dead = await tx
      .delete(workerHeartbeats)
      .where(and(ne(workerHeartbeats.workerId, selfId), lt(workerHeartbeats.lastSeenAt, sql`now() - make_interval(secs => ${deadAfterSeconds})`)))
      .returning({ workerId: workerHeartbeats.workerId });
    if (dead.length === 0) return [];
    const ids = dead.map((d) => d.workerId);
    await tx.execute(sql`select graphile_worker.force_unlock_workers(array[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]::text[])`);
    return ids;
  });
}

/**
 * Beats now, then every `intervalSeconds`, releasing dead workers' jobs on each beat. Beats are
 * chained rather than on an interval so a slow database never piles them up.
 *
 * A worker judges others only once it has itself beaten steadily — every beat succeeding, none
 * late by more than an interval — for `deadAfterSeconds`. After a database outage (or a long
 * stall of this process) every worker's row is stale at once; sweeping on the first beat back
 * would take the others, still running their jobs, for dead and run those jobs twice. Waiting
 * gives every live worker time to beat first. The cost: a worker that has just started, or just
 * recovered, releases a crashed worker's jobs `deadAfterSeconds` later than it could.
 */
export async function startHeartbeat(db: Db, options: HeartbeatOptions): Promise<Heartbeat> {
  const { workerId, logger } = options;
  if (options.deadAfterSeconds < 2 * options.intervalSeconds) {
    logger.warn(options, 'WORKER_DEAD_AFTER_SECONDS is under two heartbeats: a live worker may be taken for dead');
  }
  const intervalMs = options.intervalSeconds * 1_000;
  let lastBeatAt: number | undefined;
  let steadySince: number | undefined;
  const beatSucceeded = () => {
    const now = performance.now();
    if (lastBeatAt === undefined || now - lastBeatAt > 2 * intervalMs) steadySince = now;
    lastBeatAt = now;
  };
  const beatFailed = () => {
    lastBeatAt = undefined;
    steadySince = undefined;
  };
  const isSteady = () => steadySince !== undefined && performance.now() - steadySince >= options.deadAfterSeconds * 1_000;

  const releaseDead = async () => {
    if (!isSteady()) return;
    const released = await releaseDeadWorkers(db, workerId, options.deadAfterSeconds);
    if (released.length > 0) logger.warn({ deadWorkers: released }, 'released the jobs of workers that stopped beating');
  };
  const beat = () =>
    recordHeartbeat(db, workerId)
      .then(beatSucceeded, (error: unknown) => {
        beatFailed();
        throw error;
      })
      .then(releaseDead)
      .catch((error: unknown) => logger.warn({ err: error }, 'worker heartbeat failed'));

  // The first beat fails startup loudly; later ones only log (the database may come back).
  await recordHeartbeat(db, workerId);
  beatSucceeded();
  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const scheduleNext = () => {
    if (isStopped) return;
    timer = setTimeout(() => {
      current = beat().then(scheduleNext);
    }, intervalMs);
  };
  scheduleNext();
  const pause = async () => {
    isStopped = true;
    clearTimeout(timer);
    await current;
  };
  return {
    pause,
    async stop() {
      await pause();
      await db.delete(workerHeartbeats).where(eq(workerHeartbeats.workerId, workerId));
    },
  };
}
