/**
 * The real Vigil API, alone in its own process so that autocannon (in the parent) never competes
 * with it for an event loop. Driven over the IPC channel with the messages in api-protocol.ts.
 */
import postgres from 'postgres';
import { createTokenSigner, randomToken } from '../../src/auth/tokens.ts';
import { connectDatabase } from '../../src/db/client.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { FromApiProcess, ToApiProcess } from './api-protocol.ts';

const APPLICATION_NAME = 'vigil-bench-api';

let app: App | undefined;
/** A connection of its own that watches whether the API's connections are still running statements. */
let probe: postgres.Sql | undefined;
let recorded: string[] | undefined;
let inFlightRequests = 0;
let lastStatementAt = 0;

/** How long without a statement, and with no request open, counts as idle. */
const QUIET_MS = 250;
const SETTLE_TIMEOUT_MS = 60_000;

function send(message: FromApiProcess): void {
  // After the benchmark went away there is nobody left to tell.
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

async function start(databaseUrl: string, poolMax: number): Promise<void> {
  const database = connectDatabase(databaseUrl, {
    max: poolMax,
    applicationName: APPLICATION_NAME,
    onQuery: (query) => {
      lastStatementAt = performance.now();
      recorded?.push(query);
    },
  });
  // Requests authenticate with an API key; the signer only has to exist.
  const signer = createTokenSigner(randomToken(48), 900);
  app = buildApp({
    database,
    signer,
    auth: { signer, refreshTokenTtlDays: 30 },
    logger: createLogger('silent'),
    port: 0,
    host: '127.0.0.1',
    isGraphiqlEnabled: false,
  });
  probe = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'vigil-bench-probe' } });
  app.server.on('request', (_req, res) => {
    inFlightRequests += 1;
    res.once('close', () => (inFlightRequests -= 1));
  });
  send({ type: 'listening', url: await app.start() });
}

/**
 * autocannon stops on time and drops its connections, but requests it already sent keep running
 * here: a dropped connection closes the response at once while the resolvers carry on, and a page
 * query can run for seconds before its monitors batch is sent. Idle means, twice in a row: no
 * response open, none of the API's connections running a statement, and no statement sent lately.
 * Waiting for it keeps one run's tail out of the next run and out of the statement counts.
 */
async function settle(): Promise<boolean> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let idleChecks = 0;
  while (performance.now() < deadline && idleChecks < 2 && app) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const isIdle = inFlightRequests === 0 && performance.now() - lastStatementAt > QUIET_MS && (await activeStatements()) === 0;
    idleChecks = isIdle ? idleChecks + 1 : 0;
  }
  return idleChecks === 2;
}

async function activeStatements(): Promise<number> {
  const [row] = await probe!<{ active: number }[]>`
    select count(*)::int as active from pg_stat_activity
    where application_name = ${APPLICATION_NAME} and datname = current_database() and state <> 'idle'`;
  return row!.active;
}

async function stop(): Promise<void> {
  await app?.stop();
  app = undefined;
  await probe?.end({ timeout: 5 });
  probe = undefined;
  send({ type: 'stopped' });
  // Closing the channel is the last thing keeping this process alive.
  if (process.connected) process.disconnect();
}

process.on('message', (message: ToApiProcess) => {
  const fail = (error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  switch (message.type) {
    case 'start':
      start(message.databaseUrl, message.poolMax).catch(fail);
      break;
    case 'statements:record':
      recorded = [];
      send({ type: 'statements:recording' });
      break;
    case 'statements:take':
      send({ type: 'statements', statements: recorded ?? [] });
      recorded = undefined;
      break;
    case 'settle':
      settle().then((isIdle) => send({ type: 'settled', isIdle }), fail);
      break;
    case 'cpu':
      send({ type: 'cpu', usage: process.cpuUsage() });
      break;
    case 'stop':
      stop().catch(fail);
      break;
  }
});

// Ctrl-C reaches the whole process group: let the benchmark drive the shutdown, so requests drain.
process.on('SIGINT', () => {});

// The benchmark died or was interrupted: do not outlive it.
process.on('disconnect', () => {
  if (app) void app.stop().finally(() => process.exit(0));
  else void probe?.end({ timeout: 1 });
});
