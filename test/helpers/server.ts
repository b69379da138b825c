import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createTokenSigner } from '../../src/auth/tokens.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { buildApp } from '../../src/http/app.ts';
import type { ProtectionSettings } from '../../src/http/protections.ts';
import type { PersistedOperations } from '../../src/http/persisted-operations.ts';
import type { RateLimitConfig } from '../../src/http/rate-limit.ts';
import { recordSecretsOf, testLogger } from './log-capture.ts';
import { createTestDatabase } from './db.ts';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
  extensions?: Record<string, unknown>;
  status: number;
  headers: Headers;
}

export interface TestServer {
  url: string;
  /** The test database, for workers and direct connections. */
  databaseUrl: string;
  database: Database;
  /** Every SQL statement the API has sent since the last `queries.length = 0`. */
  queries: string[];
  gql<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: { token?: string; headers?: Record<string, string> }): Promise<GraphQLResponse<R>>;
  /** Live subscriptions this API process is serving right now. */
  liveSubscribers(): number;
  /** Waits until at least `count` subscriptions are registered with the event hub. */
  waitForSubscribers(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A real Vigil API on 127.0.0.1 with a database of its own, spoken to over HTTP. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7);

export async function startTestServer(
  options: {
    accessTokenTtlSeconds?: number;
    scanNowCooldownSeconds?: number;
    protections?: ProtectionSettings;
    maxRequestBytes?: number;
    rateLimit?: RateLimitConfig;
    readiness?: { workerMaxAgeSeconds: number };
    persistedOperations?: PersistedOperations;
  } = {},
): Promise<TestServer> {
  const testDb = await createTestDatabase();
  const queries: string[] = [];
  const database = connectDatabase(testDb.url, { max: 5, onQuery: (query) => queries.push(query) });
  const signer = createTokenSigner(TEST_JWT_SECRET, options.accessTokenTtlSeconds ?? 900);
  const app = buildApp({
    database,
    signer,
    auth: { signer, refreshTokenTtlDays: 30 },
    logger: testLogger(),
    port: 0,
    host: '127.0.0.1',
    settings: { scanNowCooldownSeconds: options.scanNowCooldownSeconds ?? 60, encryptionKey: TEST_ENCRYPTION_KEY },
    protections: options.protections,
    maxRequestBytes: options.maxRequestBytes,
    rateLimit: options.rateLimit,
    readiness: options.readiness,
    persistedOperations: options.persistedOperations,
  });
  const url = await app.start();
  return {
    url,
    databaseUrl: testDb.url,
    database,
    queries,
    async gql(document, variables, opts = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status' | 'headers'>;
      return { ...body, status: response.status, headers: response.headers } as never;
    },
    liveSubscribers: () => app.hub.subscriberCount,
    async waitForSubscribers(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (app.hub.subscriberCount < count) {
        if (Date.now() > deadline) throw new Error(`only ${app.hub.subscriberCount} of ${count} subscribers registered`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      await recordSecretsOf(database.sql).catch(() => {}); // a test may have stopped the database already
      await app.stop();
      await testDb.drop();
    },
  };
}
