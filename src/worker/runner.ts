import { Logger as WorkerLogger, parseCronItems, run, type Runner, type TaskList } from 'graphile-worker';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../lib/logger.ts';
import type { ScanDeps } from '../scanning/run-scan.ts';
import { purgeExpiredAlertsTask } from './tasks/alerts__purge_expired.ts';
import { grantMonthlyCreditsTask } from './tasks/credits__grant_monthly.ts';
import { digestSendTask, type DigestSendPayload } from './tasks/digest__send.ts';
import { enqueueDailyDigestsTask, type DigestsEnqueueDailyPayload } from './tasks/digests__enqueue_daily.ts';
import { monitorScanTask, type MonitorScanPayload } from './tasks/monitor__scan.ts';
import { enqueueDueTask } from './tasks/monitors__enqueue_due.ts';
import { webhookDeliverTask, type WebhookDeliverPayload } from './tasks/webhook__deliver.ts';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      monitor__scan: MonitorScanPayload;
      monitors__enqueue_due: Record<string, unknown>;
      alerts__purge_expired: Record<string, unknown>;
      credits__grant_monthly: Record<string, unknown>;
      webhook__deliver: WebhookDeliverPayload;
      digests__enqueue_daily: DigestsEnqueueDailyPayload;
      digest__send: DigestSendPayload;
    }
  }
}

export interface WorkerDeps {
  databaseUrl: string;
  db: Db;
  config: Config;
  logger: Logger;
  encryptionKey: Buffer | undefined;
  /** Tests run crons by hand; production leaves them on. */
  isCronEnabled?: boolean;
  concurrency?: number;
  pollInterval?: number;
}

export interface WorkerHandle {
  runner: Runner;
  /** Graceful: stops taking jobs and lets running ones finish. */
  stop(): Promise<void>;
}

export function buildTaskList(deps: WorkerDeps): TaskList {
  const scanDeps: ScanDeps = { db: deps.db, config: deps.config.scanning, logger: deps.logger, encryptionKey: deps.encryptionKey };
  return {
    monitor__scan: monitorScanTask(scanDeps),
    monitors__enqueue_due: enqueueDueTask(deps.db, deps.config.scanning.schedulerBatchSize),
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
  } as TaskList;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'info' : 'debug';
    logger[method]({ worker: scope, ...meta }, message);
  });
}

export async function startWorker(deps: WorkerDeps): Promise<WorkerHandle> {
  const isCronEnabled = deps.isCronEnabled ?? true;
  const runner = await run({
    connectionString: deps.databaseUrl,
    concurrency: deps.concurrency ?? deps.config.workerConcurrency,
    noHandleSignals: true,
    pollInterval: deps.pollInterval ?? 2_000,
    logger: workerLogger(deps.logger),
    taskList: buildTaskList(deps),
    parsedCronItems: isCronEnabled
      ? parseCronItems([
          // Every minute; on restart, catch up on at most the last two missed ticks.
          { task: 'monitors__enqueue_due', match: '* * * * *', options: { backfillPeriod: 120_000, maxAttempts: 1 } },
          { task: 'alerts__purge_expired', match: '17 3 * * *', options: { backfillPeriod: 86_400_000 } },
          { task: 'credits__grant_monthly', match: '5 0 1 * *', options: { backfillPeriod: 7 * 86_400_000 } },
          // A worker that was down at the hour sends the day's digests when it comes back, that same day.
          { task: 'digests__enqueue_daily', match: `0 ${deps.config.digest.hourUtc} * * *`, options: { backfillPeriod: 86_400_000 - 60_000 } },
        ])
      : [],
  });
  return {
    runner,
    stop: () => runner.stop(),
  };
}
