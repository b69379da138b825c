/**
 * npm run eval:detection -- FILE [--analyzer rules|llm|oracle] [--split dev|heldout|all] [--json] [--batch-size N]
 *
 * Runs a labeled data set (see src/evaluation/dataset.ts) through exactly what a scan runs and
 * prints precision, recall, F1, per-category figures, category accuracy, severity agreement, the
 * confusion matrix and every miss and false alarm with Vigil's reason. Without DATABASE_URL it
 * uses an embedded PostgreSQL (data in VIGIL_DATA_DIR/eval-pgdata) and a scratch database it drops.
 */
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadConfig } from '../src/config.ts';
import { connectDatabase } from '../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { readDataset, type Split } from '../src/evaluation/dataset.ts';
import { harnessJson, harnessReport, runHarness, type AnalyzerChoice } from '../src/evaluation/harness.ts';
import { createLogger } from '../src/lib/logger.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    analyzer: { type: 'string', default: 'rules' },
    split: { type: 'string', default: 'all' },
    json: { type: 'boolean', default: false },
    'batch-size': { type: 'string' },
  },
});
const file = positionals[0];
const analyzer = values.analyzer as AnalyzerChoice;
const split = values.split as Split;
if (!file || !['rules', 'llm', 'oracle'].includes(analyzer) || !['dev', 'heldout', 'all'].includes(split)) {
  console.error('usage: npm run eval:detection -- FILE [--analyzer rules|llm|oracle] [--split dev|heldout|all] [--json] [--batch-size N]');
  process.exit(2);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const config = loadConfig();
const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
const dataset = readDataset(file);
let embedded: EmbeddedServer | undefined;
let scratch: { adminUrl: string; name: string } | undefined;
let databaseUrl = config.databaseUrl;
try {
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.resolve(config.dataDir, 'eval-pgdata'), port: await freePort() });
    scratch = { adminUrl: embedded.url('postgres'), name: `vigil_eval_${process.pid}` };
    const admin = postgres(scratch.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${scratch.name}`);
    await admin.end();
    databaseUrl = embedded.url(scratch.name);
  }
  await runMigrations(databaseUrl);
  const database = connectDatabase(databaseUrl, { max: 2, applicationName: 'vigil-eval' });
  try {
    const result = await runHarness(dataset, {
      db: database.db,
      config: config.scanning,
      logger,
      analyzer,
      split,
      batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
      isTokenComparison: analyzer === 'oracle',
    });
    console.log(values.json ? JSON.stringify(harnessJson(result)) : harnessReport(result));
  } finally {
    await database.close();
  }
} finally {
  if (scratch) {
    const admin = postgres(scratch.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${scratch.name} with (force)`);
    await admin.end();
  }
  await embedded?.stop();
}
