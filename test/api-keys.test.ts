import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../src/db/schema/index.ts';
import {
  ApiKeysWithCreatorDocument,
  CreateApiKeyDetailedDocument,
  RevokeApiKeyCheckedDocument,
  ViewerDocument,
  type CreateApiKeyInput,
} from './generated/graphql.ts';
import { addTestMember, createTestApiKey, expectRejectedCredential } from './helpers/accounts.ts';
import { globalId, rawId, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let owner: TestAccount;
beforeAll(async () => {
  server = await startTestServer();
  owner = await signUpAccount(server);
});
afterAll(() => server?.stop());

async function createKey(token: string, input: CreateApiKeyInput) {
  return (await server.gql(CreateApiKeyDetailedDocument, { input }, { token })).data!.createApiKey;
}

async function listKeys(token: string) {
  const result = await server.gql(ApiKeysWithCreatorDocument, {}, { token });
  if (!result.data) throw new Error(`apiKeys failed: ${JSON.stringify(result)}`);
  return result.data.apiKeys;
}

async function keyNames(token: string): Promise<string[]> {
  return (await listKeys(token)).nodes.map((k) => k.name);
}

describe('createApiKey', () => {
  it('shows the secret once; afterwards only its prefix is ever returned or stored', async () => {
    const outcome = await createKey(owner.accessToken, { name: 'CI pipeline', role: 'ANALYST' });
    expect(outcome.__typename).toBe('CreateApiKeyPayload');
    if (outcome.__typename !== 'CreateApiKeyPayload') return;
    const { secret, apiKey } = outcome;
    expect(secret).toMatch(/^vgl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const publicPrefix = secret.slice(0, 'vgl_'.length + 12);
    expect(apiKey).toMatchObject({
      name: 'CI pipeline',
      role: 'ANALYST',
      prefix: `${publicPrefix}_…`,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      createdBy: { id: owner.userId, email: owner.email },
    });

    const listed = await server.gql(ApiKeysWithCreatorDocument, {}, { token: owner.accessToken });
    expect(listed.data?.apiKeys.nodes.find((k) => k.id === apiKey.id)).toMatchObject({ name: 'CI pipeline', prefix: `${publicPrefix}_…` });
    const secretPart = secret.slice(publicPrefix.length + 1);
    expect(JSON.stringify(listed)).not.toContain(secretPart);
    // The database holds a hash, never the key itself.
    const [row] = await server.database.db.select().from(apiKeys).where(eq(apiKeys.id, rawId(apiKey.id)));
    expect(JSON.stringify(row)).not.toContain(secretPart);
  });

  it('lets a key act as its role, with no user, and records when it was last used', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { name: 'reader', role: 'VIEWER' });
    const unused = (await listKeys(owner.accessToken)).nodes.find((k) => k.id === key.id);
    expect(unused?.lastUsedAt).toBeNull();

    const startedAt = Date.now();
    const viewer = await server.gql(ViewerDocument, {}, { token: key.secret });
    expect(viewer.status).toBe(200);
    expect(viewer.data?.viewer).toMatchObject({
      role: 'VIEWER',
      isApiKey: true,
      user: null,
      organization: { id: globalId('Organization', owner.organizationId) },
    });

    const used = (await listKeys(owner.accessToken)).nodes.find((k) => k.id === key.id);
    expect(used?.lastUsedAt).not.toBeNull();
    expect(Math.abs(Date.parse(used!.lastUsedAt!) - startedAt)).toBeLessThan(10_000);
  });

  it('keeps a future expiry and accepts the key until then', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const outcome = await createKey(owner.accessToken, { name: 'temporary', role: 'ADMIN', expiresAt });
    if (outcome.__typename !== 'CreateApiKeyPayload') throw new Error(outcome.__typename);
    expect(Date.parse(outcome.apiKey.expiresAt!)).toBe(Date.parse(expiresAt));
    const viewer = await server.gql(ViewerDocument, {}, { token: outcome.secret });
    expect(viewer.data?.viewer).toMatchObject({ role: 'ADMIN', isApiKey: true });
  });

  it.each<[string, Partial<CreateApiKeyInput>, string[]]>([
    ['an expiry in the past', { expiresAt: new Date(Date.now() - 60_000).toISOString() }, ['input', 'expiresAt']],
    ['an empty name', { name: '  ' }, ['input', 'name']],
    ['a name over 100 characters', { name: 'k'.repeat(101) }, ['input', 'name']],
  ])('rejects %s with a ValidationError and creates no key', async (_label, override, path) => {
    const before = await keyNames(owner.accessToken);
    const outcome = await createKey(owner.accessToken, { name: 'never created', role: 'VIEWER', ...override });
    expect(outcome.__typename).toBe('ValidationError');
    if (outcome.__typename !== 'ValidationError') return;
    expect(outcome.issues.map((i) => i.path)).toEqual([path]);
    expect(await keyNames(owner.accessToken)).toEqual(before);
  });

  it('never hands out a role above the caller’s own: an admin cannot create an owner key', async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    const before = await keyNames(owner.accessToken);
    const outcome = await createKey(admin.accessToken, { name: 'escalation', role: 'OWNER' });
    expect(outcome).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await keyNames(owner.accessToken)).toEqual(before);

    // Up to their own role is fine.
    const allowed = await createKey(admin.accessToken, { name: 'admin automation', role: 'ADMIN' });
    expect(allowed).toMatchObject({ __typename: 'CreateApiKeyPayload', apiKey: { role: 'ADMIN', createdBy: { email: admin.email } } });
  });

  it('is refused to an admin API key creating an owner key as well', async () => {
    const adminKey = await createTestApiKey(server, owner.accessToken, { name: 'admin key', role: 'ADMIN' });
    const outcome = await createKey(adminKey.secret, { name: 'escalation by key', role: 'OWNER' });
    expect(outcome).toMatchObject({ __typename: 'ForbiddenError' });
    expect(await keyNames(owner.accessToken)).not.toContain('escalation by key');
  });
});

describe('rejected keys', () => {
  it('a revoked key is refused with 401 at once, and the list shows when it was revoked', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { role: 'ANALYST' });
    expect((await server.gql(ViewerDocument, {}, { token: key.secret })).data?.viewer?.isApiKey).toBe(true);

    const revoked = await server.gql(RevokeApiKeyCheckedDocument, { id: key.id }, { token: owner.accessToken });
    expect(revoked.data?.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    if (revoked.data?.revokeApiKey.__typename !== 'RevokeApiKeyPayload') return;
    const revokedAt = revoked.data.revokeApiKey.apiKey.revokedAt;
    expect(revokedAt).not.toBeNull();

    await expectRejectedCredential(server, key.secret);
    expect((await listKeys(owner.accessToken)).nodes.find((k) => k.id === key.id)?.revokedAt).toBe(revokedAt);
    // Revoking again is harmless and keeps the original time.
    const again = await server.gql(RevokeApiKeyCheckedDocument, { id: key.id }, { token: owner.accessToken });
    expect(again.data?.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { revokedAt } });
  });

  it('an expired key is refused with 401', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { role: 'VIEWER', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await server.gql(ViewerDocument, {}, { token: key.secret })).data?.viewer?.role).toBe('VIEWER');
    // Time passes: the expiry is now behind us.
    await server.database.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, rawId(key.id)));
    await expectRejectedCredential(server, key.secret);
  });

  it('a key with the right prefix but a wrong secret is refused with 401', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { role: 'VIEWER' });
    const last = key.secret.at(-1) === 'A' ? 'B' : 'A';
    await expectRejectedCredential(server, `${key.secret.slice(0, -1)}${last}`);
    // The real key still works: a failed guess does not lock it.
    expect((await server.gql(ViewerDocument, {}, { token: key.secret })).status).toBe(200);
  });
});

describe('keys of other organizations', () => {
  it('are invisible and cannot be revoked', async () => {
    const key = await createTestApiKey(server, owner.accessToken, { name: 'ours', role: 'ANALYST' });
    const outsider = await signUpAccount(server);

    expect(await keyNames(outsider.accessToken)).toEqual([]);
    const attempt = await server.gql(RevokeApiKeyCheckedDocument, { id: key.id }, { token: outsider.accessToken });
    expect(attempt.data?.revokeApiKey).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', resource: 'API_KEY' });

    // Our key is untouched and still authenticates.
    expect((await listKeys(owner.accessToken)).nodes.find((k) => k.id === key.id)?.revokedAt).toBeNull();
    expect((await server.gql(ViewerDocument, {}, { token: key.secret })).data?.viewer).toMatchObject({
      role: 'ANALYST',
      organization: { id: globalId('Organization', owner.organizationId) },
    });
  });

  it('an unknown or malformed key ID is NotFound or a ValidationError on `id`', async () => {
    const unknown = await server.gql(
      RevokeApiKeyCheckedDocument,
      { id: globalId('ApiKey', '00000000-0000-4000-8000-000000000000') },
      { token: owner.accessToken },
    );
    expect(unknown.data?.revokeApiKey).toMatchObject({ __typename: 'NotFoundError' });
    const monitorId = await server.gql(
      RevokeApiKeyCheckedDocument,
      { id: globalId('Monitor', '00000000-0000-4000-8000-000000000000') },
      { token: owner.accessToken },
    );
    expect(monitorId.data?.revokeApiKey).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'apiKeyId'] }] });
  });
});
