import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrandProfileDocument, BrandProfileNodeDocument, UpdateBrandProfileDocument, type UpdateBrandProfileInput } from '../generated/graphql.ts';
import { addTestMember, createTestApiKey } from '../helpers/accounts.ts';
import { dataOf, expectMember } from '../helpers/domain.ts';
import { signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const PROFILE: UpdateBrandProfileInput = {
  names: ['Acme Bank', 'Acme'],
  domains: ['acmebank.com', 'acmebank.de'],
  products: ['Acme Pay', 'Acme Card'],
  people: [{ name: 'Jane Roe', role: 'CEO' }],
  handles: [{ platform: 'x', handle: '@acmebank' }],
  apps: [{ store: 'google_play', name: 'Acme Mobile', appId: 'com.acmebank.mobile' }],
  partners: [{ name: 'Shopco', domain: 'shopco.com' }],
  platforms: [{ kind: 'HIRING', url: 'https://jobs.lever.co/acmebank' }],
};

async function update(token: string, input: UpdateBrandProfileInput) {
  return dataOf(await server.gql(UpdateBrandProfileDocument, { input }, { token })).updateBrandProfile;
}

async function read(token: string) {
  return dataOf(await server.gql(BrandProfileDocument, {}, { token })).brandProfile;
}

describe('brand profile', () => {
  let owner: TestAccount;
  beforeAll(async () => {
    owner = await signUpAccount(server);
  });

  it('starts empty, is written by an owner section by section, and read back by any member', async () => {
    const stranger = await signUpAccount(server);
    expect(await read(stranger.accessToken)).toMatchObject({ names: [], domains: [], people: [], platforms: [] });

    const saved = expectMember(await update(owner.accessToken, PROFILE), 'UpdateBrandProfilePayload');
    expect(saved.brandProfile).toMatchObject({
      names: ['Acme Bank', 'Acme'],
      people: [{ name: 'Jane Roe', role: 'CEO' }],
      apps: [{ store: 'google_play', name: 'Acme Mobile', appId: 'com.acmebank.mobile' }],
      platforms: [{ kind: 'HIRING', url: 'https://jobs.lever.co/acmebank' }],
    });
    // A section left out stays; a section given replaces the old one.
    const changed = expectMember(await update(owner.accessToken, { products: ['Acme Pay Plus'] }), 'UpdateBrandProfilePayload');
    expect(changed.brandProfile).toMatchObject({ names: ['Acme Bank', 'Acme'], products: ['Acme Pay Plus'], partners: [{ name: 'Shopco', domain: 'shopco.com' }] });

    const viewer = await addTestMember(server, owner, 'VIEWER');
    expect(await read(viewer.accessToken)).toEqual(changed.brandProfile);
  });

  it('admins may edit it; analysts, viewers and their API keys are refused and nothing changes', async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    expectMember(await update(admin.accessToken, { names: ['Acme Bank'] }), 'UpdateBrandProfilePayload');
    const before = await read(owner.accessToken);

    for (const role of ['ANALYST', 'VIEWER'] as const) {
      const member = await addTestMember(server, owner, role);
      expect(await update(member.accessToken, { names: ['Hijacked'] })).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      const key = await createTestApiKey(server, owner.accessToken, { role });
      expect(await update(key.secret, { names: ['Hijacked'] })).toMatchObject({ __typename: 'ForbiddenError' });
    }
    expect(await read(owner.accessToken)).toEqual(before);
  });

  it('is tenant-scoped: an edit changes only the editor’s own organization, and another’s profile ID resolves to nothing', async () => {
    const other = await signUpAccount(server);
    const otherSaved = expectMember(await update(other.accessToken, { names: ['Globex'], domains: ['globex.example'] }), 'UpdateBrandProfilePayload');
    const ownBefore = await read(owner.accessToken);

    expect(ownBefore.names).not.toContain('Globex');
    expect(dataOf(await server.gql(BrandProfileNodeDocument, { id: otherSaved.brandProfile.id }, { token: owner.accessToken })).node).toBeNull();
    expect(dataOf(await server.gql(BrandProfileNodeDocument, { id: ownBefore.id }, { token: owner.accessToken })).node).toMatchObject({ __typename: 'BrandProfile', names: ownBefore.names });
    expect(await read(other.accessToken)).toMatchObject({ names: ['Globex'], domains: ['globex.example'] });
  });

  it('rejects invalid entries with a ValidationError naming the field, changing nothing', async () => {
    const before = await read(owner.accessToken);
    const result = await update(owner.accessToken, { domains: ['not a domain'], platforms: [{ kind: 'STATUS', url: 'nope' }] });
    const error = expectMember(result, 'ValidationError');
    expect(error.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['input.domains.0', 'input.platforms.0.url']);
    expect(await read(owner.accessToken)).toEqual(before);
  });

  it('refuses callers who are not signed in', async () => {
    const result = await server.gql(BrandProfileDocument, {}, {});
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
