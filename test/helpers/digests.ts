import { sql } from 'drizzle-orm';
import { loadConfig, type DigestConfig } from '../../src/config.ts';
import { testLogger } from './log-capture.ts';
import { startWorker, type WorkerHandle } from '../../src/worker/runner.ts';
import { testScanningConfig } from './scanning.ts';
import { TEST_ENCRYPTION_KEY, type TestServer } from './server.ts';
import { testWebhookConfig } from './webhooks.ts';

export function testDigestConfig(overrides: Partial<DigestConfig> = {}): DigestConfig {
  return { ...loadConfig({}).digest, from: 'Vigil <digest@vigil.test>', smtpTimeoutMs: 2_000, ...overrides };
}

/** A real graphile-worker pool with the given digest settings; crons off unless asked for. */
export async function startDigestWorker(
  server: TestServer,
  digest: DigestConfig,
  options: { isCronEnabled?: boolean; concurrency?: number } = {},
): Promise<WorkerHandle> {
  const base = loadConfig({});
  return startWorker({
    databaseUrl: server.databaseUrl,
    db: server.database.db,
    config: { ...base, scanning: testScanningConfig(), webhooks: testWebhookConfig(), digest },
    logger: testLogger(),
    encryptionKey: TEST_ENCRYPTION_KEY,
    isCronEnabled: options.isCronEnabled ?? false,
    concurrency: options.concurrency ?? 4,
    pollInterval: 100,
  });
}

export type JobView = {
  task_identifier: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  key: string | null;
};

/** The jobs of one task still in the queue (waiting, running or failed for good). */
export async function jobsOf(server: TestServer, task: string): Promise<JobView[]> {
  return server.database.db.execute<JobView>(
    sql`select task_identifier, attempts, max_attempts, last_error, key from graphile_worker.jobs where task_identifier = ${task} order by id`,
  );
}
