import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportMonitorsDocument, ImportMonitorsDocument, type ImportMonitorsInput, type MonitorDefinitionInput } from './generated/graphql.ts';
import { addTestMember, logInAs } from './helpers/accounts.ts';
import { dataOf, expectMember } from './helpers/domain.ts';
import { createMonitor, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let source: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  source = await signUpAccount(server, { plan: 'pro' });
  await createMonitor(server, source.accessToken, { name: 'Acme brand', terms: ['acme', 'acme corp'], excludeTerms: ['careers'] });
  await createMonitor(server, source.accessToken, { name: 'Acme feeds', sources: ['RSS'], feedUrls: ['https://news.example.com/feed.xml'], frequency: 'INTERVAL', intervalMinutes: 30 });
});
afterAll(() => server?.stop());

async function exported(account: TestAccount) {
  return dataOf(await server.gql(ExportMonitorsDocument, {}, { token: account.accessToken })).exportMonitors;
}

async function importDocument(account: TestAccount, input: ImportMonitorsInput) {
  return dataOf(await server.gql(ImportMonitorsDocument, { input }, { token: account.accessToken })).importMonitors;
}

describe('monitor export and import', () => {
  it('round-trips into another organization, and re-importing changes nothing', async () => {
    const document = await exported(source);
    expect(document.version).toBe(1);
    expect(document.monitors.map((m) => m.name)).toEqual(['Acme brand', 'Acme feeds']);
    expect(document.monitors[1]).toMatchObject({ sources: ['RSS'], frequency: 'INTERVAL', intervalMinutes: 30, feedUrls: ['https://news.example.com/feed.xml'] });

    const target = await signUpAccount(server, { plan: 'pro' });
    const first = await importDocument(target, document);
    expect(first).toMatchObject({ __typename: 'ImportMonitorsPayload' });
    expect(expectMember(first, 'ImportMonitorsPayload').createdMonitors).toHaveLength(2);
    expect(await exported(target)).toEqual(document);

    const again = await importDocument(target, document);
    expect(expectMember(again, 'ImportMonitorsPayload')).toMatchObject({ createdMonitors: [], updatedMonitors: [{ name: 'Acme brand' }, { name: 'Acme feeds' }] });
    expect(await exported(target)).toEqual(document);
    // The source organization is untouched by imports elsewhere.
    expect(await exported(source)).toEqual(document);
  });

  it('is all or nothing: one bad monitor rejects the document with its path, and nothing is created', async () => {
    const target = await signUpAccount(server, { plan: 'pro' });
    const result = await importDocument(target, {
      version: 1,
      monitors: [
        { name: 'Fine', kind: 'BRAND', terms: ['fine'], sources: ['DEMO'], frequency: 'DAILY' },
        { name: 'Broken', kind: 'BRAND', terms: [' '], sources: ['DEMO'], frequency: 'DAILY' },
      ],
    });
    expect(result).toMatchObject({ __typename: 'ValidationError' });
    expect((result as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(['input', 'monitors', '1', 'terms', '0']);
    expect((await exported(target)).monitors).toEqual([]);
  });

  it('rejects malformed documents and duplicate names with typed errors', async () => {
    const target = await signUpAccount(server, { plan: 'pro' });
    const wrongVersion = await importDocument(target, { version: 2, monitors: [] });
    expect((wrongVersion as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(['input', 'version']);
    const duplicate: MonitorDefinitionInput = { name: 'Same', kind: 'BRAND', terms: ['x'], sources: ['DEMO'], frequency: 'DAILY' };
    const twice = await importDocument(target, { version: 1, monitors: [duplicate, { ...duplicate, name: 'same' }] });
    expect(twice).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'monitors'] }] });
    // What is not a document does not get past GraphQL's own input checks.
    const untyped = await server.gql(ImportMonitorsDocument, { input: 'not a document' as never }, { token: target.accessToken });
    expect(untyped.errors?.length).toBeGreaterThan(0);
    expect(untyped.data ?? null).toBeNull();
  });

  it('enforces the plan: a free organization cannot import six monitors, and keeps none of them', async () => {
    const target = await signUpAccount(server);
    const monitors = Array.from({ length: 6 }, (_, i): MonitorDefinitionInput => ({ name: `M${i}`, kind: 'BRAND', terms: ['x'], sources: ['DEMO'], frequency: 'DAILY' }));
    const result = await importDocument(target, { version: 1, monitors });
    expect(result).toMatchObject({ __typename: 'PlanLimitExceededError', limit: 'MAX_MONITORS', maximum: 5, current: 5 });
    expect((await exported(target)).monitors).toEqual([]);
  });

  it('is for admins and owners; viewers may export', async () => {
    const viewer = await addTestMember(server, source, 'VIEWER');
    const token = (await logInAs(server, viewer.email, source.organizationId)).accessToken;
    const refused = await server.gql(ImportMonitorsDocument, { input: await exported(source) }, { token });
    expect(refused.data?.importMonitors).toMatchObject({ __typename: 'ForbiddenError' });
    const read = await server.gql(ExportMonitorsDocument, {}, { token });
    expect(dataOf(read).exportMonitors.monitors).toHaveLength(2);
  });
});
