import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMemberRoleDocument, RefreshSessionDocument, RemoveMemberDocument, RevokeApiKeyDocument, ViewerDocument } from './generated/graphql.ts';
import { addTestMember, createTestApiKey } from './helpers/accounts.ts';
import { signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { gqlAt, spawnVigil, type VigilProcess } from './helpers/live.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Authorization changes made through one API process hold in every other at once: API A is the
 * test server in this process, API B a real child process (`node src/main.ts --role=api`) with its
 * own pool on the same database. Whatever B keeps in memory to answer faster, a revoked key, a
 * demoted or removed creator and a session ended by refresh-token reuse must count there within
 * a second (issue 14: authentication may only be cached if these tests hold).
 */
let apiA: TestServer;
let apiB: VigilProcess;
let owner: TestAccount;

const WITHIN_MS = 1_000;

beforeAll(async () => {
  apiA = await startTestServer();
  apiB = await spawnVigil('api', apiA.databaseUrl);
  owner = await signUpAccount(apiA);
}, 60_000);
afterAll(async () => {
  await apiB?.stop();
  await apiA?.stop();
});

/** What API B makes of a credential: its effective role, or the refusal's code. */
async function onB(credential: string): Promise<string> {
  const result = await gqlAt(apiB.url!, ViewerDocument, {}, credential);
  const code = (result.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;
  return result.data?.viewer?.role ?? code ?? `unexpected: ${JSON.stringify(result)}`;
}

/** Asks API B until it answers `expected`, at most WITHIN_MS after the change; how long it took. */
async function untilOnB(credential: string, expected: string): Promise<number> {
  const started = performance.now();
  let answer = await onB(credential);
  while (answer !== expected && performance.now() - started < WITHIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer = await onB(credential);
  }
  expect(answer).toBe(expected);
  return performance.now() - started;
}

describe('authorization changes through API A hold on API B within a second', () => {
  it('a revoked API key', async () => {
    const key = await createTestApiKey(apiA, owner.accessToken, { role: 'ANALYST' });
    expect(await onB(key.secret)).toBe('ANALYST');

    const revoked = await apiA.gql(RevokeApiKeyDocument, { id: key.id }, { token: owner.accessToken });
    expect(revoked.data?.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    expect(await untilOnB(key.secret, 'UNAUTHENTICATED')).toBeLessThan(WITHIN_MS);
  });

  it('a key whose creator is demoted acts with the creator’s new role; removed, it stops', async () => {
    const admin = await addTestMember(apiA, owner, 'ADMIN');
    const key = await createTestApiKey(apiA, admin.accessToken, { role: 'ADMIN' });
    expect(await onB(key.secret)).toBe('ADMIN');
    expect(await onB(admin.accessToken)).toBe('ADMIN');

    const demoted = await apiA.gql(ChangeMemberRoleDocument, { id: admin.membershipId, role: 'VIEWER' }, { token: owner.accessToken });
    expect(demoted.data?.changeMemberRole.__typename).toBe('ChangeMemberRolePayload');
    expect(await untilOnB(key.secret, 'VIEWER')).toBeLessThan(WITHIN_MS);
    expect(await untilOnB(admin.accessToken, 'VIEWER')).toBeLessThan(WITHIN_MS);

    const removed = await apiA.gql(RemoveMemberDocument, { id: admin.membershipId }, { token: owner.accessToken });
    expect(removed.data?.removeMember.__typename).toBe('RemoveMemberPayload');
    expect(await untilOnB(key.secret, 'UNAUTHENTICATED')).toBeLessThan(WITHIN_MS);
    expect(await untilOnB(admin.accessToken, 'UNAUTHENTICATED')).toBeLessThan(WITHIN_MS);
  });

  it('a session ended by the reuse of a refresh token', async () => {
    const account = await signUpAccount(apiA);
    const rotated = await apiA.gql(RefreshSessionDocument, { refreshToken: account.refreshToken });
    if (rotated.data?.refreshSession.__typename !== 'RefreshSessionPayload') throw new Error(`refresh failed: ${JSON.stringify(rotated)}`);
    const fresh = rotated.data.refreshSession.session.accessToken;
    expect(await onB(fresh)).toBe('OWNER');

    // The old refresh token again, through A: someone holds a copy, so the whole session ends.
    const reused = await apiA.gql(RefreshSessionDocument, { refreshToken: account.refreshToken });
    expect(reused.data?.refreshSession.__typename).toBe('InvalidTokenError');
    expect(await untilOnB(fresh, 'UNAUTHENTICATED')).toBeLessThan(WITHIN_MS);
    expect(await untilOnB(account.accessToken, 'UNAUTHENTICATED')).toBeLessThan(WITHIN_MS);
  });
});
