import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { connectDatabase } from './db/client.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { runMigrations } from './db/migrate.ts';
import { createTokenSigner } from './auth/tokens.ts';
import { buildApp } from './http/app.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { loadPersistedOperations } from './http/persisted-operations.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { loadOrCreateSecrets } from './runtime/secrets.ts';
import { seedDemoWorkspace } from './services/demo.ts';
import { formatBanner } from './runtime/banner.ts';
import { demoCredentialFiles, readDemoCredentials, saveDemoCredentials, type DemoCredentials } from './runtime/demo-credentials.ts';
import { parseEncryptionKey } from './lib/crypto.ts';
import { startOpsServer } from './worker/ops-server.ts';
import { startWorker } from './worker/runner.ts';

type Role = 'all' | 'api' | 'worker';

function parseRole(argv: string[]): Role {
  const flag = argv.find((arg) => arg.startsWith('--role='));
  const role = flag?.slice('--role='.length) ?? 'all';
  if (role !== 'all' && role !== 'api' && role !== 'worker') throw new ConfigError([`--role: must be all, api or worker (got ${role})`]);
  return role;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const role = parseRole(process.argv.slice(2));
  const logger = createLogger(config.logLevel, { role }, undefined, { isPretty: config.env === 'development' });
  const running: Running = { stops: [] };
  let isStopping = false;
  let startup: Promise<void> = Promise.resolve();
  /**
   * Stops what has started, in order: jobs, then the API (which ends the pool), then the embedded
   * PostgreSQL, last. A signal during startup waits for the step under way, so nothing is left
   * running half-built.
   */
  const shutdown = async (reason: string, exitCode = 0) => {
    if (isStopping) return;
    isStopping = true;
    logger[exitCode === 0 ? 'info' : 'fatal']({ reason }, 'shutting down');
    await startup.catch(() => {});
    for (const stop of [...running.stops, ...(running.databaseServer ? [running.databaseServer.stop] : [])]) {
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
    if (exitCode === 0) logger.info('Vigil stopped');
    logger.flush();
    process.exit(exitCode);
  };
  // Before anything starts: a Ctrl+C during startup stops cleanly too, rather than killing Node
  // with the database half-started.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // The terminal closed: the embedded PostgreSQL, in its own group, would not hear of it.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  startup = start(config, role, logger, running, shutdown);
  try {
    await startup;
  } catch (error) {
    // The embedded PostgreSQL runs in its own process group: it would outlive us unless stopped.
    if (running.databaseServer) await running.databaseServer.stop().catch(() => {});
    throw error;
  }
}

/** Development with a person at a terminal: show them the banner. */
function isTerminalSession(config: Config): boolean {
  return config.env === 'development' && process.stdout.isTTY === true;
}

interface Running {
  /** Run in order on shutdown. */
  stops: (() => Promise<void>)[];
  /** Stopped after every stop above, once nothing uses it any more. */
  databaseServer?: EmbeddedServer;
}

async function start(
  config: Config,
  role: Role,
  logger: Logger,
  running: Running,
  shutdown: (reason: string, exitCode?: number) => Promise<void>,
): Promise<void> {
  // Read and checked before anything starts, so a bad manifest stops startup with the entry at fault.
  const { mode: persistedMode, file: persistedFile } = config.graphql.persistedOperations;
  const persistedOperations = role !== 'worker' && persistedMode !== 'off' ? loadPersistedOperations(persistedFile!, persistedMode) : undefined;

  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    if (role !== 'all') throw new ConfigError(['DATABASE_URL: required to run the api or worker alone']);
    const dataDir = path.resolve(config.dataDir, 'pgdata');
    logger.info({ dataDir, port: config.embeddedPgPort }, 'no DATABASE_URL: starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, onLog: (m) => logger.debug({ pg: m }) });
    running.databaseServer = embedded;
    await ensureDatabase(embedded.url('postgres'), 'vigil');
    databaseUrl = embedded.url('vigil');
  }

  const secrets = config.jwtSecret && config.encryptionKey ? { jwtSecret: config.jwtSecret, encryptionKey: config.encryptionKey } : loadOrCreateSecrets(config.dataDir);
  await runMigrations(databaseUrl);
  const database = connectDatabase(databaseUrl, { max: config.dbPoolMax, applicationName: `vigil-${role}` });

  let demo: DemoCredentials | undefined;
  if (config.seedDemo ?? embedded !== undefined) {
    const seeded = await seedDemoWorkspace(database.db);
    if (seeded.isNew && seeded.apiKey && seeded.password) {
      saveDemoCredentials(config.dataDir, { apiKey: seeded.apiKey, password: seeded.password });
      logger.info('seeded the demo workspace');
    }
    demo = readDemoCredentials(config.dataDir);
    // The log says where the credentials are, never what they are.
    const files = demoCredentialFiles(config.dataDir);
    logger.info({ email: demo.email, apiKeyFile: files.apiKey, passwordFile: files.password }, 'demo workspace: its API key and password are in the data folder');
  }

  const signer = createTokenSigner(secrets.jwtSecret, config.accessTokenTtlSeconds);
  const readiness = { workerMaxAgeSeconds: config.operations.readyWorkerMaxAgeSeconds };
  const { stops } = running;
  // With --role=all the API's registry also carries the worker's metrics: one /metrics per process.
  let metrics: Metrics | undefined;
  if (role === 'all' || role === 'api') {
    const app = buildApp({
      database,
      signer,
      auth: { signer, refreshTokenTtlDays: config.refreshTokenTtlDays },
      logger,
      port: config.port,
      host: config.host,
      settings: { scanNowCooldownSeconds: config.scanning.scanNowCooldownSeconds, encryptionKey: parseEncryptionKey(secrets.encryptionKey) },
      isGraphiqlEnabled: config.graphql.isGraphiqlEnabled,
      protections: config.graphql,
      maxRequestBytes: config.graphql.maxRequestBytes,
      corsOrigins: config.graphql.corsOrigins,
      readiness,
      rateLimit: config.rateLimit,
      persistedOperations,
    });
    metrics = app.metrics;
    const url = await app.start();
    logger.info(config.graphql.isGraphiqlEnabled ? `Vigil is up: GraphiQL at ${url}/graphql` : `Vigil is up: GraphQL API at ${url}/graphql`);
    if (app.hasConsole) logger.info(`The console: ${url}/`);
    if (isTerminalSession(config)) {
      process.stdout.write(`${formatBanner({ baseUrl: url, isGraphiqlEnabled: config.graphql.isGraphiqlEnabled, embeddedDataDir: embedded ? path.resolve(config.dataDir, 'pgdata') : undefined, demo })}\n`);
    }
    stops.push(() => app.stop());
  }
  if (role === 'all' || role === 'worker') {
    metrics ??= createMetrics({ database });
    const worker = await startWorker({
      databaseUrl,
      db: database.db,
      config,
      logger,
      encryptionKey: parseEncryptionKey(secrets.encryptionKey),
      metrics,
    });
    // Queue whatever is due now rather than waiting for the first cron tick.
    await worker.runner.addJob('monitors__enqueue_due', {}, { jobKey: 'monitors__enqueue_due:startup', maxAttempts: 1 });
    // A runner that ends on its own has hit a fatal error: exit, so the supervisor restarts the process.
    void worker.runner.promise.then(
      () => void shutdown('job runner stopped', 1),
      () => void shutdown('job runner failed', 1),
    );
    let opsUrl: string | undefined;
    if (role === 'worker') {
      const ops = await startOpsServer({ database, metrics, readiness, port: config.operations.workerMetricsPort, host: config.host });
      opsUrl = ops.url;
      stops.push(() => ops.stop());
    }
    logger.info({ concurrency: config.workerConcurrency, workerId: worker.workerId, opsUrl }, 'worker running');
    // Running jobs finish (or are released) before the API's pool closes.
    stops.unshift(() => worker.stop());
    if (role === 'worker') stops.push(() => database.close());
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
