import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportMonitorsDocument, ImportMonitorsDocument } from './generated/graphql.ts';
import { addTestMember, logInAs } from './helpers/accounts.ts';
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
  const result = await server.gql(ExportMonitorsDocument, {}, { token: account.accessToken });
  return result.data!.exportMonitors as { version: number; monitors: Record<string, unknown>[] };
}

async function importDocument(account: TestAccount, document: unknown) {
  return (await server.gql(ImportMonitorsDocument, { document }, { token: account.accessToken })).data!.importMonitors;
}

describe('monitor export and import', () => {
  it('round-trips into another organization, and re-importing changes nothing', async () => {
    const document = await exported(source);
    expect(document.version).toBe(1);
    expect(document.monitors.map((m) => m.name)).toEqual(['Acme brand', 'Acme feeds']);
    expect(document.monitors[1]).toMatchObject({ sources: ['rss'], frequency: 'interval', intervalMinutes: 30, feedUrls: ['https://news.example.com/feed.xml'] });

    const target = await signUpAccount(server, { plan: 'pro' });
    const first = await importDocument(target, document);
    expect(first).toMatchObject({ __typename: 'ImportMonitorsSuccess' });
    expect((first as { data: { created: unknown[]; updated: unknown[] } }).data.created).toHaveLength(2);
    expect(await exported(target)).toEqual(document);

    const again = await importDocument(target, document);
    expect((again as { data: { created: unknown[]; updated: unknown[] } }).data).toMatchObject({ created: [], updated: [{ name: 'Acme brand' }, { name: 'Acme feeds' }] });
    expect(await exported(target)).toEqual(document);
    // The source organization is untouched by imports elsewhere.
    expect(await exported(source)).toEqual(document);
  });

  it('is all or nothing: one bad monitor rejects the document with its path, and nothing is created', async () => {
    const target = await signUpAccount(server, { plan: 'pro' });
    const result = await importDocument(target, {
      version: 1,
      monitors: [
        { name: 'Fine', kind: 'brand', terms: ['fine'], sources: ['demo'], frequency: 'daily' },
        { name: 'Broken', kind: 'brand', terms: [' '], sources: ['demo'], frequency: 'daily' },
      ],
    });
    expect(result).toMatchObject({ __typename: 'ValidationError' });
    expect((result as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(['document', 'monitors', '1', 'terms', '0']);
    expect((await exported(target)).monitors).toEqual([]);
  });

  it('rejects malformed documents and duplicate names with typed errors', async () => {
    const target = await signUpAccount(server, { plan: 'pro' });
    const wrongVersion = await importDocument(target, { version: 2, monitors: [] });
    expect((wrongVersion as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(['document', 'version']);
    const duplicate = { name: 'Same', kind: 'brand', terms: ['x'], sources: ['demo'], frequency: 'daily' };
    const twice = await importDocument(target, { version: 1, monitors: [duplicate, { ...duplicate, name: 'same' }] });
    expect(twice).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['document', 'monitors'] }] });
    expect(await importDocument(target, 'not a document')).toMatchObject({ __typename: 'ValidationError' });
  });

  it('enforces the plan: a free organization cannot import six monitors, and keeps none of them', async () => {
    const target = await signUpAccount(server);
    const monitors = Array.from({ length: 6 }, (_, i) => ({ name: `M${i}`, kind: 'brand', terms: ['x'], sources: ['demo'], frequency: 'daily' }));
    const result = await importDocument(target, { version: 1, monitors });
    expect(result).toMatchObject({ __typename: 'PlanLimitExceededError', limit: 'maxMonitors', maximum: 5, current: 5 });
    expect((await exported(target)).monitors).toEqual([]);
  });

  it('is for admins and owners; viewers may export', async () => {
    const viewer = await addTestMember(server, source, 'VIEWER');
    const token = (await logInAs(server, viewer.email, source.organizationId)).accessToken;
    const refused = await server.gql(ImportMonitorsDocument, { document: await exported(source) }, { token });
    expect(refused.data?.importMonitors).toMatchObject({ __typename: 'ForbiddenError' });
    const read = await server.gql(ExportMonitorsDocument, {}, { token });
    expect((read.data!.exportMonitors as { monitors: unknown[] }).monitors).toHaveLength(2);
  });
});
