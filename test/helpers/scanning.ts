import { loadConfig, type Config, type OperationsConfig, type ScanningConfig } from '../../src/config.ts';
import type { Metrics } from '../../src/http/metrics.ts';
import { testLogger } from './log-capture.ts';
import { runMonitorScan, type ScanDeps } from '../../src/scanning/run-scan.ts';
import { startWorker, type WorkerHandle } from '../../src/worker/runner.ts';
import { rawId } from './fixtures.ts';
import { TEST_ENCRYPTION_KEY, type TestServer } from './server.ts';

/** Scanning settings for tests: loopback allowed (stub servers live there), short timeouts. */
export function testScanningConfig(overrides: Partial<ScanningConfig> = {}): ScanningConfig {
  const base = loadConfig({}).scanning;
  return {
    ...base,
    allowedPrivateRanges: ['127.0.0.0/8'],
    sourceTimeoutMs: 2_000,
    scanNowCooldownSeconds: 60,
    ...overrides,
    openai: { ...base.openai, apiKey: undefined, maxRetries: 2, timeoutMs: 5_000, ...overrides.openai },
    google: { ...base.google, ...overrides.google },
  };
}

export function scanDeps(server: TestServer, config: ScanningConfig = testScanningConfig()): ScanDeps {
  return { db: server.database.db, config, logger: testLogger(), encryptionKey: TEST_ENCRYPTION_KEY };
}

/** Runs the monitor's waiting scan in this process, as the worker task would. */
export function scanNow(server: TestServer, monitorGlobalId: string, config?: ScanningConfig) {
  return runMonitorScan(scanDeps(server, config), rawId(monitorGlobalId));
}

/** A real graphile-worker pool on the test database (crons off unless asked for). */
export async function startTestWorker(
  server: TestServer,
  options: { scanning?: ScanningConfig; concurrency?: number; isCronEnabled?: boolean; operations?: Partial<OperationsConfig>; metrics?: Metrics } = {},
): Promise<WorkerHandle> {
  const base = loadConfig({});
  const config: Config = { ...base, scanning: options.scanning ?? testScanningConfig(), operations: { ...base.operations, ...options.operations } };
  return startWorker({
    databaseUrl: server.databaseUrl,
    db: server.database.db,
    config,
    logger: testLogger(),
    encryptionKey: TEST_ENCRYPTION_KEY,
    isCronEnabled: options.isCronEnabled ?? false,
    concurrency: options.concurrency ?? 4,
    pollInterval: 200,
    metrics: options.metrics,
  });
}
