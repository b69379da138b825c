import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { eq } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { monitors } from '../../src/db/schema/index.ts';
import { loadPersistedOperations, persistedOperationId, type PersistedOperations } from '../../src/http/persisted-operations.ts';
import { CreateMonitorDocument, OnAlertCreatedDocument, SignUpDocument, ViewerDocument, type SignUpMutation } from '../generated/graphql.ts';
import { createMonitor, demoMonitorInput, PASSWORD, rawId, signUpAccount, uniqueEmail, type TestAccount } from '../helpers/fixtures.ts';
import { createAlerts, spawnVigil, waitUntil, type VigilProcess } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Persisted (trusted) operations: with a manifest, clients send an operation's id instead of its
 * text. `require` runs nothing else — over HTTP and over WebSocket — and `allow` runs both.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const viewerText = print(ViewerDocument);
const createMonitorText = print(CreateMonitorDocument);
const alertCreatedText = print(OnAlertCreatedDocument);
const signUpText = print(SignUpDocument);
const manifest = Object.fromEntries([viewerText, createMonitorText, alertCreatedText, signUpText].map((text) => [persistedOperationId(text), text]));
const operations = (mode: PersistedOperations['mode']): PersistedOperations => ({ mode, documents: new Map(Object.entries(manifest)) });

let plain: TestServer;
let required: TestServer;
let allowed: TestServer;
let account: TestAccount;
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-persisted-'));

beforeAll(async () => {
  [plain, required, allowed] = await Promise.all([
    startTestServer(),
    startTestServer({ persistedOperations: operations('require') }),
    startTestServer({ persistedOperations: operations('allow') }),
  ]);
  account = await signUpAccount(plain);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), required?.stop(), allowed?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };

async function post(server: TestServer, body: Record<string, unknown>, token?: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

function expectRefusal(result: { status: number; body: Body }, code: string) {
  expect(result.status).toBe(400);
  expect(result.body.data ?? null).toBeNull();
  expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  // A refusal says what to do, and never leaks internals.
  expect(result.body.errors?.[0]?.message).toMatch(/persisted operation|documentId/);
  expect(JSON.stringify(result.body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

/** A graphql-ws subscription with a raw payload; resolves with what arrived once `count` results or an error came. */
function subscribeRaw(client: Client, payload: { query: string; extensions?: Record<string, unknown>; variables?: Record<string, unknown> }, count: number) {
  const results: { data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[] = [];
  const errors: unknown[] = [];
  const done = new Promise<void>((resolve) => {
    const dispose = client.subscribe(payload, {
      next: (value) => {
        results.push(value as never);
        if (results.length >= count) {
          dispose();
          resolve();
        }
      },
      error: (error) => {
        errors.push(error);
        resolve();
      },
      complete: () => resolve(),
    });
  });
  return { results, errors, done };
}

function wsClient(server: { url: string }, token: string): Client {
  return createClient({
    url: `${server.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
  });
}

describe('PERSISTED_OPERATIONS=require', () => {
  let owner: TestAccount;
  beforeAll(async () => {
    owner = await signUpAccountThrough(required);
  });

  it('runs an operation named by documentId or by extensions.persistedQuery, with the same answer as its text elsewhere', async () => {
    const byDocumentId = await post(required, { documentId: `sha256:${persistedOperationId(viewerText)}` }, owner.accessToken);
    expect(byDocumentId.status).toBe(200);
    expect(byDocumentId.body.errors).toBeUndefined();
    expect(byDocumentId.body.data).toMatchObject({ viewer: { user: { email: owner.email } } });

    const byExtension = await post(required, { extensions: { persistedQuery: { version: 1, sha256Hash: persistedOperationId(viewerText) } } }, owner.accessToken);
    expect(byExtension.body).toEqual(byDocumentId.body);

    // A GET names it in the URL, either way.
    for (const search of [`documentId=${persistedOperationId(viewerText)}`, `extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: persistedOperationId(viewerText) } }))}`]) {
      const response = await fetch(`${required.url}/graphql?${search}`, { headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${owner.accessToken}` } });
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: byDocumentId.body });
    }
    const getAsText = await fetch(`${required.url}/graphql?query=${encodeURIComponent(viewerText)}`, { headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${owner.accessToken}` } });
    expectRefusal({ status: getAsText.status, body: (await getAsText.json()) as Body }, 'PERSISTED_QUERY_ONLY');

    const asText = await post(plain, { query: viewerText }, account.accessToken);
    expect(Object.keys(asText.body.data!.viewer as object).sort()).toEqual(Object.keys(byDocumentId.body.data!.viewer as object).sort());
  });

  it('refuses any document sent as text — even one that is in the manifest — before it runs: nothing changes', async () => {
    const before = await monitorCount(required, owner);
    const mutation = await post(required, { query: createMonitorText, variables: { input: demoMonitorInput({ name: 'Sent as text', sources: ['HACKERNEWS'] }) } }, owner.accessToken);
    expectRefusal(mutation, 'PERSISTED_QUERY_ONLY');
    expectRefusal(await post(required, { query: '{ __typename }' }, owner.accessToken), 'PERSISTED_QUERY_ONLY');
    expect(await monitorCount(required, owner)).toBe(before);

    // The same mutation by id runs, with its variables.
    const byId = await post(required, { documentId: persistedOperationId(createMonitorText), variables: { input: demoMonitorInput({ name: 'Sent by id', sources: ['HACKERNEWS'] }) } }, owner.accessToken);
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data).toMatchObject({ createMonitor: { __typename: 'CreateMonitorPayload', monitor: { name: 'Sent by id' } } });
    expect(await monitorCount(required, owner)).toBe(before + 1);
  });

  it('answers an unknown id and a request with neither id nor query with their own codes', async () => {
    const unknown = persistedOperationId('query Unknown { viewer { role } }');
    const notFound = await post(required, { documentId: unknown }, owner.accessToken);
    expectRefusal(notFound, 'PERSISTED_QUERY_NOT_FOUND');
    expect(notFound.body.errors?.[0]?.message).toContain(unknown);
    expectRefusal(await post(required, { documentId: 'not-a-hash' }, owner.accessToken), 'PERSISTED_QUERY_NOT_FOUND');
    expectRefusal(await post(required, { variables: {} }, owner.accessToken), 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('applies over WebSocket too: a subscription by id receives alerts, one sent as text gets the refusal', async () => {
    const client = wsClient(required, owner.accessToken);
    try {
      const refused = subscribeRaw(client, { query: alertCreatedText }, 1);
      await refused.done;
      expect(JSON.stringify(refused.errors)).toContain('PERSISTED_QUERY_ONLY');
      const unknown = subscribeRaw(client, { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: persistedOperationId('subscription X { alertCreated { cursor } }') } } }, 1);
      await unknown.done;
      expect(JSON.stringify(unknown.errors)).toContain('PERSISTED_QUERY_NOT_FOUND');

      const live = subscribeRaw(client, { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: persistedOperationId(alertCreatedText) } } }, 1);
      await required.waitForSubscribers(1);
      const monitorId = await createMonitorById(required, owner);
      const [alertId] = await createAlerts(required.database, owner.organizationId, monitorId, [{ title: 'Persisted delivery' }]);
      await live.done;
      expect(live.errors).toEqual([]);
      expect(live.results).toMatchObject([{ data: { alertCreated: { alert: { id: alertId, title: 'Persisted delivery' } } } }]);
    } finally {
      await client.dispose();
    }
  });
});

describe('PERSISTED_OPERATIONS=allow', () => {
  it('runs ids from the manifest and ordinary documents alike, and still refuses unknown ids', async () => {
    const owner = await signUpAccountThrough(allowed);
    const byId = await post(allowed, { documentId: persistedOperationId(viewerText) }, owner.accessToken);
    const asText = await post(allowed, { query: viewerText }, owner.accessToken);
    expect(byId.body.data).toMatchObject({ viewer: { user: { email: owner.email } } });
    expect(asText.body).toEqual(byId.body);
    expectRefusal(await post(allowed, { documentId: persistedOperationId('{ __typename }') }, owner.accessToken), 'PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('configuration and the manifest', () => {
  it('PERSISTED_OPERATIONS needs a file, and a manifest whose key is not the sha256 of its document stops startup naming it', () => {
    expect(() => loadConfig({ PERSISTED_OPERATIONS: 'require' })).toThrow(/PERSISTED_OPERATIONS_FILE: required when PERSISTED_OPERATIONS=require/);
    expect(() => loadConfig({ PERSISTED_OPERATIONS: 'sometimes' })).toThrow(ConfigError);

    const wrong = path.join(dir, 'wrong.json');
    const forged = persistedOperationId('query A { viewer { role } }');
    writeFileSync(wrong, JSON.stringify({ [forged]: 'mutation B { deleteEverything }' }));
    expect(() => loadPersistedOperations(wrong, 'require')).toThrow(`${forged} is not the sha256 of its document`);
    const unparsable = path.join(dir, 'unparsable.json');
    writeFileSync(unparsable, JSON.stringify({ [persistedOperationId('query {')]: 'query {' }));
    expect(() => loadPersistedOperations(unparsable, 'require')).toThrow(/does not parse/);
    expect(() => loadPersistedOperations(path.join(dir, 'missing.json'), 'require')).toThrow(/cannot be read as JSON/);
  });

  it('npm run persisted:manifest writes the manifest a require-mode API loads, and the watch client runs by id against it', { timeout: 90_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/persisted-manifest.ts'], { cwd: ROOT });
    const file = path.join(dir, 'persisted-operations.json');
    writeFileSync(file, stdout);
    const written = JSON.parse(stdout) as Record<string, string>;
    expect(Object.values(written).some((text) => text.startsWith('subscription WatchAlerts'))).toBe(true);

    let api: VigilProcess | undefined;
    let watcher: ReturnType<typeof spawn> | undefined;
    try {
      api = await spawnVigil('api', plain.databaseUrl, { PERSISTED_OPERATIONS: 'require', PERSISTED_OPERATIONS_FILE: file });
      expectRefusal(await post({ url: api.url! } as TestServer, { query: viewerText }, account.accessToken), 'PERSISTED_QUERY_ONLY');

      let output = '';
      watcher = spawn(process.execPath, ['src/client/watch-alerts.ts', '--persisted'], {
        cwd: ROOT,
        env: { ...process.env, VIGIL_URL: api.url!, VIGIL_TOKEN: account.accessToken },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      watcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      watcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const monitorId = await createMonitor(plain, account.accessToken, { name: 'Watched by id' });
      // The alert is committed once the API serves the watcher's subscription (a refused one is never counted).
      await waitUntil(async () => /^vigil_active_subscriptions 1$/m.test(await (await fetch(`${api!.url}/metrics`)).text()), `the watcher's subscription; it printed:\n${output}`, 20_000);
      await createAlerts(plain.database, account.organizationId, monitorId, [{ title: 'Seen by the persisted watcher' }]);
      await waitUntil(() => output.includes('Seen by the persisted watcher'), `the watcher to print the alert; it printed:\n${output}`, 20_000);
      expect(output).not.toContain('PERSISTED_QUERY');
    } finally {
      watcher?.kill('SIGINT');
      await api?.stop();
    }
  });
});

/** Signs up by the sign-up operation's id: the only way in on a server that requires persisted operations. */
async function signUpAccountThrough(server: TestServer): Promise<TestAccount> {
  const email = uniqueEmail('persisted');
  const result = await post(server, {
    documentId: persistedOperationId(signUpText),
    variables: { input: { email, password: PASSWORD, name: 'Test User', organizationName: `Org of ${email}` } },
  });
  const signUp = (result.body.data as SignUpMutation | undefined)?.signUp;
  if (signUp?.__typename !== 'SignUpPayload') throw new Error(`sign-up failed: ${JSON.stringify(result.body)}`);
  const session = signUp.session;
  return { email, userId: session.user.id, organizationId: rawId(session.organization.id), accessToken: session.accessToken, refreshToken: session.refreshToken };
}

async function monitorCount(server: TestServer, owner: TestAccount): Promise<number> {
  return (await server.database.db.select({ id: monitors.id }).from(monitors).where(eq(monitors.organizationId, owner.organizationId))).length;
}

async function createMonitorById(server: TestServer, owner: TestAccount): Promise<string> {
  const result = await post(server, { documentId: persistedOperationId(createMonitorText), variables: { input: demoMonitorInput({ name: 'Live by id', sources: ['HACKERNEWS'] }) } }, owner.accessToken);
  const created = result.body.data?.createMonitor as { __typename: string; monitor: { id: string } } | undefined;
  if (created?.__typename !== 'CreateMonitorPayload') throw new Error(JSON.stringify(result.body));
  return created.monitor.id;
}
