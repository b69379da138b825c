import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { connectDatabase } from './db/client.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { runMigrations } from './db/migrate.ts';
import { createTokenSigner } from './auth/tokens.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './lib/logger.ts';
import { loadOrCreateSecrets } from './runtime/secrets.ts';
import { seedDemoWorkspace } from './services/demo.ts';
import { parseEncryptionKey } from './lib/crypto.ts';
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
  const logger = createLogger(config.logLevel, { role });

  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    if (role !== 'all') throw new ConfigError(['DATABASE_URL: required to run the api or worker alone']);
    const dataDir = path.resolve(config.dataDir, 'pgdata');
    logger.info({ dataDir, port: config.embeddedPgPort }, 'no DATABASE_URL: starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, onLog: (m) => logger.debug({ pg: m }) });
    await ensureDatabase(embedded.url('postgres'), 'vigil');
    databaseUrl = embedded.url('vigil');
  }

  const secrets = config.jwtSecret && config.encryptionKey ? { jwtSecret: config.jwtSecret, encryptionKey: config.encryptionKey } : loadOrCreateSecrets(config.dataDir);
  await runMigrations(databaseUrl);
  const database = connectDatabase(databaseUrl, { max: config.dbPoolMax, applicationName: `vigil-${role}` });

  if (config.seedDemo ?? embedded !== undefined) {
    const demo = await seedDemoWorkspace(database.db);
    const keyFile = path.join(config.dataDir, 'demo-api-key');
    if (demo.isNew && demo.apiKey) {
      fs.mkdirSync(config.dataDir, { recursive: true });
      fs.writeFileSync(keyFile, `${demo.apiKey}\n`, { mode: 0o600 });
      logger.info({ email: 'demo@vigil.example', password: demo.password }, 'seeded the demo workspace');
    }
    if (fs.existsSync(keyFile)) {
      logger.info(`demo API key (send as "Authorization: Bearer <key>"): ${fs.readFileSync(keyFile, 'utf8').trim()}`);
    }
  }

  const signer = createTokenSigner(secrets.jwtSecret, config.accessTokenTtlSeconds);
  const stops: (() => Promise<void>)[] = [];
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
    });
    const url = await app.start();
    logger.info(`Vigil is up: GraphiQL at ${url}/graphql`);
    stops.push(() => app.stop());
  }
  if (role === 'all' || role === 'worker') {
    const worker = await startWorker({
      databaseUrl,
      db: database.db,
      config,
      logger,
      encryptionKey: parseEncryptionKey(secrets.encryptionKey),
    });
    // Queue whatever is due now rather than waiting for the first cron tick.
    await worker.runner.addJob('monitors__enqueue_due', {}, { jobKey: 'monitors__enqueue_due:startup', maxAttempts: 1 });
    logger.info({ concurrency: config.workerConcurrency }, 'worker running');
    // Running jobs finish before the API's pool closes.
    stops.unshift(() => worker.stop());
    if (role === 'worker') stops.push(() => database.close());
  }
  if (embedded) stops.push(() => embedded.stop());

  let isStopping = false;
  const shutdown = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'shutting down');
    for (const stop of stops) {
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
