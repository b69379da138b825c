import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLive } from '../helpers/ws.ts';
import { DEFAULT_PROTECTIONS } from '../../src/http/protections.ts';
import { signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let locked: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer({ maxRequestBytes: 20_000 });
  locked = await startTestServer({ protections: { ...DEFAULT_PROTECTIONS, isIntrospectionEnabled: false, maxDepth: 4 } });
  account = await signUpAccount(server);
});
afterAll(async () => {
  await server?.stop();
  await locked?.stop();
});

async function post(target: TestServer, query: string, token?: string) {
  const response = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

function expectRefused(result: Awaited<ReturnType<typeof post>>, fragment: string) {
  expect(result.body.data ?? null).toBeNull();
  const message = result.body.errors?.map((e) => e.message).join(' ') ?? '';
  expect(message.toLowerCase()).toContain(fragment.toLowerCase());
  // Refusals explain the limit and never leak internals.
  expect(JSON.stringify(result.body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('abusive documents are refused before they run', () => {
  it('too deep', async () => {
    const deep = '{ alerts(first: 1) { edges { node { monitor { scans(first: 1) { edges { node { monitor { scans(first: 1) { edges { node { monitor { scans(first: 1) { edges { node { id } } } } } } } } } } } } } } } }';
    expectRefused(await post(server, deep, account.accessToken), 'depth');
  });

  it('too many aliases', async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(' ');
    expectRefused(await post(server, `{ ${aliases} }`, account.accessToken), 'aliases');
  });

  it('too many tokens', async () => {
    const fields = Array.from({ length: 6_000 }, () => 'a').join(' ');
    expectRefused(await post(server, `{ ${fields} }`, account.accessToken), 'token');
  });

  it('too costly', async () => {
    const costly = `{ ${Array.from({ length: 19 }, (_, i) => `m${i}: monitors(first: 100) { edges { node { scans(first: 100) { edges { node { suppressedFindings { url reason } } } } } } }`).join(' ')} }`;
    expectRefused(await post(server, costly, account.accessToken), 'cost');
  });

  it('over graphql-ws too: the subscription gets an error naming the limit and the connection stays up', async () => {
    const live = connectLive(server.url, account.accessToken);
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: cursor`).join(' ');
    const refused = live.subscribe(parse(`subscription { alertCreated { ${aliases} } }`) as TypedDocumentNode<unknown, Record<string, never>>);
    await expect(refused.waitFor(1, 5_000)).rejects.toThrow(/Aliases limit/);
    const ok = live.subscribe(parse('subscription { alertCreated { cursor } }') as TypedDocumentNode<unknown, Record<string, never>>);
    await server.waitForSubscribers(1);
    expect(ok.errors).toEqual([]);
    await live.dispose();
  });

  it('a body over the limit gets 413 without being read', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ viewer { role } }`, variables: { padding: 'x'.repeat(30_000) } }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('introspection switched off', () => {
  it('refuses __schema and does not suggest field names, while ordinary queries work', async () => {
    const introspection = await post(locked, '{ __schema { types { name } } }');
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    expect(introspection.body.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
    const typo = await post(locked, '{ viewr { role } }');
    expect(JSON.stringify(typo.body)).not.toContain('Did you mean');
    const ordinary = await post(locked, '{ viewer { role } }');
    expect(ordinary.body).toEqual({ data: { viewer: null } });
    const open = await post(server, '{ __schema { queryType { name } } }');
    expect(open.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('operational endpoints', () => {
  it('/health answers, /ready checks the database and migrations', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ isReady: true, database: 'ok', migrations: 'current' });
  });

  it('echoes a request id, or makes one up', async () => {
    const given = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await fetch(`${server.url}/health`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/metrics exposes latency histograms, subscriptions and the NOTIFY queue in Prometheus format', async () => {
    await post(server, 'query Probe { viewer { role } }', account.accessToken);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/vigil_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(/vigil_graphql_operation_duration_seconds_count\{operation="Probe",type="query",outcome="ok"\} 1/);
    expect(text).toContain('vigil_active_subscriptions 0');
    expect(text).toMatch(/vigil_pg_notification_queue_usage \d/);
  });
});
