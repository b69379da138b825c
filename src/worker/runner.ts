import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Logger as WorkerLogger, parseCronItems, run, type Job, type Runner, type TaskList, type WorkerEvents, type WorkerPool } from 'graphile-worker';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Metrics } from '../http/metrics.ts';
import type { Logger } from '../lib/logger.ts';
import type { ScanDeps } from '../scanning/run-scan.ts';
import { purgeExpiredAlertsTask } from './tasks/alerts__purge_expired.ts';
import { grantMonthlyCreditsTask } from './tasks/credits__grant_monthly.ts';
import { digestSendTask, type DigestSendPayload } from './tasks/digest__send.ts';
import { enqueueDailyDigestsTask, type DigestsEnqueueDailyPayload } from './tasks/digests__enqueue_daily.ts';
import { queueFirstScanTask } from './tasks/monitor__queue_first_scan.ts';
import { monitorScanTask, type MonitorScanPayload } from './tasks/monitor__scan.ts';
import { enqueueDueTask } from './tasks/monitors__enqueue_due.ts';
import { purgeRateLimitBucketsTask } from './tasks/rate_limits__purge.ts';
import { webhookDeliverTask, type WebhookDeliverPayload } from './tasks/webhook__deliver.ts';
import { startHeartbeat, type Heartbeat } from './heartbeat.ts';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      monitor__scan: MonitorScanPayload;
      monitors__enqueue_due: Record<string, unknown>;
      monitor__queue_first_scan: MonitorScanPayload;
      alerts__purge_expired: Record<string, unknown>;
      credits__grant_monthly: Record<string, unknown>;
      webhook__deliver: WebhookDeliverPayload;
      digests__enqueue_daily: DigestsEnqueueDailyPayload;
      digest__send: DigestSendPayload;
      rate_limits__purge: Record<string, unknown>;
    }
  }
}

export interface WorkerDeps {
  databaseUrl: string;
  db: Db;
  config: Config;
  logger: Logger;
  encryptionKey: Buffer | undefined;
  /** Whether this worker schedules: the crons, and queueing the first scan of a new or resumed monitor. Tests schedule by hand; production leaves it on. */
  isCronEnabled?: boolean;
  concurrency?: number;
  pollInterval?: number;
  /** Job outcomes, scan durations and LLM usage are counted here when given. */
  metrics?: Metrics;
}

export interface WorkerHandle {
  runner: Runner;
  /** The id this process's jobs are locked with, and its heartbeat row's key. */
  workerId: string;
  /**
   * Stops taking jobs and lets running ones finish until `config.operations.shutdownJobDeadlineMs`;
   * jobs still running then are released to be retried at once by another worker. Deletes the
   * heartbeat last. Idempotent.
   */
  stop(): Promise<void>;
}

export function buildTaskList(deps: WorkerDeps): TaskList {
  const scanDeps: ScanDeps = { db: deps.db, config: deps.config.scanning, logger: deps.logger, encryptionKey: deps.encryptionKey };
  return {
    monitor__scan: monitorScanTask(scanDeps, deps.metrics),
    monitors__enqueue_due: enqueueDueTask(deps.db, deps.config.scanning.schedulerBatchSize),
    // Scheduling, like the crons: only a worker that schedules takes these (others leave them queued).
    ...((deps.isCronEnabled ?? true) ? { monitor__queue_first_scan: queueFirstScanTask(deps.db) } : {}),
    alerts__purge_expired: purgeExpiredAlertsTask(deps.db),
    credits__grant_monthly: grantMonthlyCreditsTask(deps.db),
    webhook__deliver: webhookDeliverTask({
      db: deps.db,
      config: deps.config.webhooks,
      // Receivers are held to the same address policy as sources.
      allowedPrivateRanges: deps.config.scanning.allowedPrivateRanges,
      encryptionKey: deps.encryptionKey,
      logger: deps.logger,
    }),
    digests__enqueue_daily: enqueueDailyDigestsTask(deps.db, deps.config.digest.smtpUrl !== undefined),
    digest__send: digestSendTask({ db: deps.db, config: deps.config.digest, logger: deps.logger }),
    rate_limits__purge: purgeRateLimitBucketsTask(deps.db, deps.config.rateLimit.windowSeconds),
  } as TaskList;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'info' : 'debug';
    logger[method]({ worker: scope, ...meta }, message);
  });
}

export async function startWorker(deps: WorkerDeps): Promise<WorkerHandle> {
  const { logger } = deps;
  const { operations } = deps.config;
  const isCronEnabled = deps.isCronEnabled ?? true;
  const events = new EventEmitter() as WorkerEvents;
  let pool: WorkerPool | undefined;
  events.once('pool:create', ({ workerPool }) => (pool = workerPool));
  if (deps.metrics) countJobs(events, deps.metrics);
  const concurrency = deps.concurrency ?? deps.config.workerConcurrency;
  const localQueueSize = deps.config.workerLocalQueueSize ?? concurrency + 1;
  const runner = await run({
    connectionString: deps.databaseUrl,
    concurrency,
    noHandleSignals: true,
    pollInterval: deps.pollInterval ?? 2_000,
    // Tasks that watch `helpers.abortSignal` are told to stop when the shutdown deadline passes.
    gracefulShutdownAbortTimeout: operations.shutdownJobDeadlineMs,
    // Unbatched, graphile-worker does not await a job's completion: a job finishing just as the
    // worker shuts down could stay locked after its pool closed. Batches are flushed before it closes.
    preset: {
      worker: {
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
        // One statement fetches (and locks) the next jobs of every slot instead of one per job: with
        // short jobs such as scans, fetching was a tenth of the database's work per job. A worker
        // that dies with jobs in its queue has them released by the heartbeat like its running ones;
        // a graceful stop returns them.
        localQueue: localQueueSize > 1 ? { size: localQueueSize } : undefined,
      },
    },
    events,
    logger: workerLogger(logger),
    taskList: buildTaskList(deps),
    parsedCronItems: isCronEnabled
      ? parseCronItems([
          // Every minute; on restart, catch up on at most the last two missed ticks.
          { task: 'monitors__enqueue_due', match: '* * * * *', options: { backfillPeriod: 120_000, maxAttempts: 1 } },
          { task: 'alerts__purge_expired', match: '17 3 * * *', options: { backfillPeriod: 86_400_000 } },
          { task: 'credits__grant_monthly', match: '5 0 1 * *', options: { backfillPeriod: 7 * 86_400_000 } },
          // A worker that was down at the hour sends the day's digests when it comes back, that same day.
          { task: 'digests__enqueue_daily', match: `0 ${deps.config.digest.hourUtc} * * *`, options: { backfillPeriod: 86_400_000 - 60_000 } },
          { task: 'rate_limits__purge', match: '41 * * * *', options: { backfillPeriod: 3_600_000 } },
        ])
      : [],
  });
  if (!pool) throw new Error('graphile-worker started without announcing its worker pool');
  const workerPool = pool;
  let isStopping = false;
  // The runner ends early only on a fatal error; without this handler its rejection would crash the process.
  runner.promise.catch((error: unknown) => {
    if (!isStopping) logger.error({ err: error }, 'the job runner stopped unexpectedly');
  });

  // graphile-worker locks jobs with the pool's id, so that is what a dead worker's heartbeat must name.
  let heartbeat: Heartbeat;
  try {
    heartbeat = await startHeartbeat(deps.db, {
      workerId: workerPool.id,
      intervalSeconds: operations.workerHeartbeatSeconds,
      deadAfterSeconds: operations.workerDeadAfterSeconds,
      logger: logger.child({ workerId: workerPool.id }),
    });
  } catch (error) {
    // A worker nobody can see must not hold jobs.
    isStopping = true;
    await runner.stop();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    isStopping = true;
    const drained = Promise.resolve(workerPool.gracefulShutdown('Worker shutting down')).then(
      () => true,
      () => true,
    );
    const deadline = sleep(operations.shutdownJobDeadlineMs, false, { ref: false });
    if (!(await Promise.race([drained, deadline]))) {
      try {
        await releaseRunningJobs(deps, workerPool);
      } catch (error) {
        // The heartbeat row stays: once it is stale, another worker releases these jobs instead.
        await heartbeat.pause();
        throw error;
      }
    }
    // Once the pool has ended the runner ends its cron and closes its connections by itself.
    await runner.promise.catch(() => {});
    await heartbeat.stop();
  };
  return {
    runner,
    workerId: workerPool.id,
    stop: () => (stopping ??= stop()),
  };
}

/**
 * Past the deadline: graphile-worker's forceful shutdown fails the running jobs and unlocks them,
 * which would delay their retry by its backoff (e^attempts seconds) and count the interrupted
 * attempt — a job on its last attempt would be failed for good, though the shutdown was not its
 * fault. They are rescheduled for now with that attempt given back, so a worker that is still up
 * takes them on its next poll. (A dead worker's jobs keep graphile-worker's count: a job that
 * kills its worker must not be retried forever.)
 */
async function releaseRunningJobs(deps: WorkerDeps, workerPool: WorkerPool): Promise<void> {
  const message = `Worker shut down before the job finished (${deps.config.operations.shutdownJobDeadlineMs} ms deadline); released for retry`;
  const { forceFailedJobs } = await workerPool.forcefulShutdown(message);
  if (forceFailedJobs.length === 0) return;
  const ids = forceFailedJobs.map((job: Job) => job.id);
  await deps.db.execute(sql`
    select graphile_worker.reschedule_jobs(array[job.id], run_at := now(), attempts := greatest(job.attempts - 1, 0))
    from graphile_worker.jobs job
    where job.id = any(array[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]::bigint[])`);
  for (const job of forceFailedJobs) deps.metrics?.jobs.inc({ task: job.task_identifier, outcome: 'released' });
  deps.logger.warn({ jobs: forceFailedJobs.map((job: Job) => ({ id: job.id, task: job.task_identifier })) }, 'released running jobs at the shutdown deadline');
}

/** One count per attempt: `success`, `retry` (it failed and will run again) or `failed` (no attempts left). */
function countJobs(events: WorkerEvents, metrics: Metrics): void {
  events.on('job:success', ({ job }) => metrics.jobs.inc({ task: job.task_identifier, outcome: 'success' }));
  events.on('job:error', ({ job }) => metrics.jobs.inc({ task: job.task_identifier, outcome: job.attempts >= job.max_attempts ? 'failed' : 'retry' }));
}
