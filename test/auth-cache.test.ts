import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseApiKey } from '../src/auth/tokens.ts';
import { ViewerDocument } from './generated/graphql.ts';
import { createTestApiKey } from './helpers/accounts.ts';
import { signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The in-process credential cache (src/services/auth-cache.ts) beyond what the two-process test
 * shows: what it does when notifications may have been missed, and how last_used_at is kept
 * without a write on requests answered from memory.
 */
let server: TestServer;
let owner: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUpAccount(server);
});
afterAll(() => server?.stop());
afterEach(() => {
  vi.useRealTimers();
});

async function roleOf(credential: string): Promise<string> {
  const result = await server.gql(ViewerDocument, {}, { token: credential });
  const code = (result.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;
  return result.data?.viewer?.role ?? code ?? `unexpected: ${JSON.stringify(result)}`;
}

/** Statements since the last reset that read API keys (the viewer's own fields read other tables). */
function keyLookups(): number {
  return server.queries.filter((statement) => /\bfrom api_keys\b/.test(statement)).length;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('the credential cache', () => {
  it('forgets everything when the LISTEN connection is re-established, since changes may have gone unannounced', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { role: 'ANALYST' });
    expect(await roleOf(key.secret)).toBe('ANALYST');
    // A revocation nobody announces (the trigger off, as if its notification were lost).
    const { sql } = server.database;
    await sql`alter table api_keys disable trigger api_keys_auth_updated`;
    await sql`update api_keys set revoked_at = now() where prefix = ${parseApiKey(key.secret)!.prefix}`;
    await sql`alter table api_keys enable trigger api_keys_auth_updated`;
    expect(await roleOf(key.secret)).toBe('ANALYST'); // answered from the cache
    const terminated = await sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`;
    expect(terminated.length).toBeGreaterThan(0);
    expect(await until(async () => (await roleOf(key.secret)) === 'UNAUTHENTICATED', 5_000)).toBe(true);
  });

  it('answers a known key from memory, and looks it up again (stamping last_used_at) once a minute', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { role: 'VIEWER' });
    const prefix = parseApiKey(key.secret)!.prefix;
    const { sql } = server.database;
    const stampedSince = async (since: string) =>
      (await sql<{ stamped: boolean }[]>`select last_used_at > ${since}::timestamptz as stamped from api_keys where prefix = ${prefix}`)[0]!.stamped;
    expect(await roleOf(key.secret)).toBe('VIEWER'); // looked up, stamped in the same statement
    expect(await stampedSince('2001-01-01')).toBe(true);
    // The key's creation is announced too; once that has come back, the key stays known.
    const isKnown = async () => {
      server.queries.length = 0;
      await roleOf(key.secret);
      return keyLookups() === 0;
    };
    expect(await until(isKnown, 2_000)).toBe(true);
    // Writing last_used_at alone announces nothing: the key stays cached, and uses within the
    // minute write nothing.
    await sql`update api_keys set last_used_at = '2000-01-01' where prefix = ${prefix}`;
    server.queries.length = 0;
    expect(await roleOf(key.secret)).toBe('VIEWER');
    expect(keyLookups()).toBe(0);
    expect(await stampedSince('2001-01-01')).toBe(false);
    // A minute on, the next use looks the key up again, and that one statement stamps it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    server.queries.length = 0;
    expect(await roleOf(key.secret)).toBe('VIEWER');
    expect(keyLookups()).toBe(1);
    expect(await stampedSince('2001-01-01')).toBe(true);
  });
});
