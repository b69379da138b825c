import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { signUpAccount, uniqueEmail, PASSWORD, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Text PostgreSQL cannot store (NUL, lone surrogates) is a validation error in every free-text
 * input, refused before any SQL: it used to reach the database, come back as a masked internal
 * error, and leave the statement's parameters — password and key hashes — in the server log.
 */
let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
});
afterAll(async () => {
  await server?.stop();
});

async function post(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, { __typename: string; code?: string; issues?: { path: string[] }[] } | null> | null; errors?: { extensions?: { code?: string } }[] };
}

function capturedLog(): string {
  const directory = inject('logCaptureDir');
  return readdirSync(directory)
    .filter((file) => file.endsWith('.log'))
    .map((file) => readFileSync(path.join(directory, file), 'utf8'))
    .join('\n');
}

const REFUSED = { __typename: 'ValidationError', code: 'VALIDATION_ERROR' };

describe('unstorable text is a validation error, refused before any SQL', () => {
  it('sign-up with a NUL byte in the name: VALIDATION_ERROR, no user, and no password hash in the log', async () => {
    const email = uniqueEmail('nul');
    const before = server.queries.length;
    const result = await post(
      'mutation ($input: SignUpInput!) { signUp(input: $input) { __typename ... on Error { code } ... on ValidationError { issues { path } } } }',
      { input: { email, name: 'Mallory\u0000', organizationName: 'Acme', password: PASSWORD } },
    );
    expect(result.data?.signUp).toMatchObject({ ...REFUSED, issues: [{ path: ['input', 'name'] }] });
    expect(server.queries.slice(before).join('\n')).not.toMatch(/insert into "users"/i);
    const [row] = await server.database.sql`select count(*)::int as n from users where email = ${email}`;
    expect(row!.n).toBe(0);
    expect(capturedLog()).not.toContain('$argon2');
  });

  it.each([
    ['a monitor name', 'mutation ($input: CreateMonitorInput!) { createMonitor(input: $input) { __typename ... on Error { code } } }', { input: { name: 'x\u0000', kind: 'BRAND', terms: ['acme'], sources: ['DEMO'], frequency: 'DAILY' } }, 'createMonitor'],
    ['an API key name', 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on Error { code } } }', { input: { name: 'ci\u0000', role: 'VIEWER' } }, 'createApiKey'],
    ['a silence comment (invalid Unicode)', 'mutation ($input: CreateSilenceInput!) { createSilence(input: $input) { __typename ... on Error { code } } }', { input: { text: 'acme', comment: 'bad \ud800 text', endsAt: new Date(Date.now() + 3_600_000).toISOString() } }, 'createSilence'],
  ])('%s', async (_label, query, variables, field) => {
    const result = await post(query, variables, account.accessToken);
    expect(result.data?.[field]).toMatchObject(REFUSED);
  });

  it('alert filter text on a query: a VALIDATION_ERROR error, no statement with it', async () => {
    const result = await post('query ($filter: AlertFilter) { alerts(first: 5, filter: $filter) { nodes { id } } }', { filter: { text: 'a\u0000b' } }, account.accessToken);
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['VALIDATION_ERROR']);
  });
});
