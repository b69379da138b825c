import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { encodeGlobalId } from '../../src/lib/global-id.ts';
import { print } from 'graphql';
import WebSocket from 'ws';
import { createTokenSigner } from '../../src/auth/tokens.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import type { ProtectionSettings } from '../../src/http/protections.ts';
import type { RateLimitConfig } from '../../src/http/rate-limit.ts';
import { testLogger } from './log-capture.ts';
import { upsertAlert, type AlertInput } from '../../src/services/alerts.ts';
import { rawId } from './fixtures.ts';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The position inside an `alertCreated` cursor, so tests can compare it with `alerts.created_seq`. */
export function cursorSeq(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('alert-seq:')) throw new Error(`not an alertCreated cursor: ${cursor}`);
  return Number(text.slice('alert-seq:'.length));
}

/** A GraphQL request over HTTP to any Vigil API (the test server's `gql` is bound to its own URL). */
export async function gqlAt<R, V>(
  baseUrl: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
  token?: string,
): Promise<{ data?: R | null; errors?: { message: string }[] }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return (await response.json()) as never;
}

let alertCounter = 0;

/**
 * Creates alerts through `upsertAlert` (what the scanner calls), each in its own transaction and
 * one after another, so their commit order is the order given. Returns their global IDs.
 */
export async function createAlerts(
  database: Database,
  organizationId: string,
  monitorGlobalId: string,
  specs: Partial<AlertInput>[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const spec of specs) {
    alertCounter += 1;
    const { alert } = await database.db.transaction((tx) =>
      upsertAlert(tx, {
        organizationId,
        monitorId: rawId(monitorGlobalId),
        fingerprint: `live-${alertCounter}-${randomBytes(4).toString('hex')}`,
        title: `Live alert ${alertCounter}`,
        summary: 'A page imitating the login form',
        category: 'phishing',
        severity: 'high',
        confidence: 0.9,
        ...spec,
      }),
    );
    ids.push(encodeGlobalId('Alert', alert.id));
  }
  return ids;
}

export interface ExtraApp {
  url: string;
  app: App;
  database: Database;
  stop(): Promise<void>;
}

/**
 * Another Vigil API inside this test process on an existing test database. It has a pool, a LISTEN
 * connection and an event hub of its own, exactly as a second replica would; only the OS process is
 * shared. Lets tests set options `startTestServer` does not expose (queue capacity, keep-alive, rate limits).
 */
export async function startExtraApp(
  databaseUrl: string,
  options: {
    liveQueueCapacity?: number;
    keepAliveMs?: number;
    accessTokenTtlSeconds?: number;
    applicationName?: string;
    protections?: ProtectionSettings;
    rateLimit?: RateLimitConfig;
  } = {},
): Promise<ExtraApp> {
  const database = connectDatabase(databaseUrl, { max: 5, applicationName: options.applicationName });
  const signer = createTokenSigner(TEST_JWT_SECRET, options.accessTokenTtlSeconds ?? 900);
  const app = buildApp({
    database,
    signer,
    auth: { signer, refreshTokenTtlDays: 30 },
    logger: testLogger(),
    port: 0,
    host: '127.0.0.1',
    settings: { scanNowCooldownSeconds: 60, encryptionKey: TEST_ENCRYPTION_KEY },
    liveQueueCapacity: options.liveQueueCapacity,
    keepAliveMs: options.keepAliveMs,
    protections: options.protections,
    rateLimit: options.rateLimit,
  });
  const url = await app.start();
  return { url, app, database, stop: () => app.stop() };
}

export interface VigilProcess {
  /** The API's base URL (for `--role=api`). */
  url: string | undefined;
  /** The worker's `/health`, `/ready` and `/metrics` server (for `--role=worker`). */
  opsUrl: string | undefined;
  /** The graphile-worker pool id the worker locks jobs with and beats under (for `--role=worker`). */
  workerId: string | undefined;
  pid: number;
  output(): string;
  /** Sends a signal without waiting. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/** `node src/main.ts --role=<role>` as a real child process on the given database. */
export async function spawnVigil(role: 'api' | 'worker', databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<VigilProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY.toString('base64'),
    SEED_DEMO: 'false',
    // Parallel test files must not fight over the worker's fixed default port.
    WORKER_METRICS_PORT: '0',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['src/main.ts', `--role=${role}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = role === 'api' ? /(?:GraphiQL|GraphQL API) at (http:\/\/\S+)\/graphql/ : /"opsUrl":"(http:\/\/[^"]+)".*worker running|worker running/;
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil ${role} not ready within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil ${role} exited with ${code}:\n${output}`));
    });
  });
  return {
    url: role === 'api' ? url : undefined,
    opsUrl: role === 'worker' ? url : undefined,
    workerId: role === 'worker' ? /"workerId":"([^"]+)".*worker running/.exec(output)?.[1] : undefined,
    pid: child.pid!,
    output: () => output,
    kill: (signal) => void child.kill(signal),
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RawLiveSocket {
  /** `next` payloads received, per subscription id. */
  received: Map<string, unknown[]>;
  closed: Promise<{ code: number; reason: string }>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /** Resolves when the next WebSocket ping from the server arrives. */
  nextPing(): Promise<void>;
  /** Stops reading from the TCP socket: the server's writes pile up in its buffers. */
  pauseReading(): void;
  resumeReading(): void;
  terminate(): void;
}

/**
 * A bare `ws` socket speaking graphql-transport-ws by hand, for clients the real graphql-ws client
 * cannot imitate (one that stops reading, or stops answering pings).
 */
export async function openRawLiveSocket(httpUrl: string, credential: string, options: { autoPong?: boolean } = {}): Promise<RawLiveSocket> {
  // autoPong false: a peer whose WebSocket layer has stopped answering pings.
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { autoPong: options.autoPong ?? true });
  const received = new Map<string, unknown[]>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${credential}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_ack') resolve();
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type === 'next' && message.id) {
        if (!received.has(message.id)) received.set(message.id, []);
        received.get(message.id)!.push(message.payload);
      }
    });
    void closed.then(({ code }) => reject(new Error(`closed with ${code} before connection_ack`)));
  });
  const tcp = () => (socket as unknown as { _socket: import('node:net').Socket })._socket;
  return {
    received,
    closed,
    subscribe: (id, query, variables) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    nextPing: () => new Promise<void>((resolve) => socket.once('ping', () => resolve())),
    pauseReading: () => tcp().pause(),
    resumeReading: () => tcp().resume(),
    terminate: () => socket.terminate(),
  };
}
