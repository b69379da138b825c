import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findings } from '../src/db/schema/index.ts';
import { nodeTypenames } from '../src/lib/global-id.ts';
import {
  InviteMemberDocument,
  AddAlertNoteCheckedDocument,
  BrandProfileDocument,
  CreateSilenceDocument,
  CreateSuppressionRuleDocument,
  DeleteMonitorDocument,
  HistoryAndLedgerIdsDocument,
  LookUpByIdsDocument,
  MembersDocument,
  NodeByIdDocument,
  PauseMonitorDocument,
  ResumeMonitorDocument,
  ScanMonitorNowDocument,
  TestWebhookDocument,
  UpdateAlertStatusDocument,
  UpdateMonitorDocument,
} from './generated/graphql.ts';
import { addTestMember, createTestApiKey } from './helpers/accounts.ts';
import { alertTitles, dataOf, errorCodes, expectMember, monitorNames, readAlert, readMonitor } from './helpers/domain.ts';
import { createMonitor, fireAlert, globalId, rawId, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { createTestWebhook } from './helpers/webhooks.ts';

let server: TestServer;
let acme: TestAccount;
let rival: TestAccount;
let acmeMonitor: string;
let acmePausedMonitor: string;
let acmeAlert: string;
let rivalMonitor: string;
let rivalAlert: string;

beforeAll(async () => {
  server = await startTestServer();
  acme = await signUpAccount(server);
  rival = await signUpAccount(server);
  acmeMonitor = await createMonitor(server, acme.accessToken, { name: 'Acme brand', terms: ['acme'] });
  acmePausedMonitor = await createMonitor(server, acme.accessToken, { name: 'Acme paused' });
  await server.gql(PauseMonitorDocument, { id: acmePausedMonitor }, { token: acme.accessToken });
  acmeAlert = (await fireAlert(server, acme, acmeMonitor, { title: 'Acme phishing kit' })).id;
  rivalMonitor = await createMonitor(server, rival.accessToken, { name: 'Rival brand', terms: ['rival'] });
  rivalAlert = (await fireAlert(server, rival, rivalMonitor, { title: 'Rival phishing kit', url: 'https://rival-login.example/' })).id;
});
afterAll(() => server?.stop());

/** Everything Acme can see of its monitors and alert, to prove the rival's attempts changed nothing. */
async function acmeSnapshot() {
  return {
    monitor: await readMonitor(server, acme.accessToken, acmeMonitor),
    paused: await readMonitor(server, acme.accessToken, acmePausedMonitor),
    alert: await readAlert(server, acme.accessToken, acmeAlert),
  };
}

describe("another organization's IDs, replayed or guessed", () => {
  it('resolve to null through monitor, alert and node, exactly like IDs that do not exist', async () => {
    const asAcme = dataOf(await server.gql(LookUpByIdsDocument, { monitorId: acmeMonitor, alertId: acmeAlert }, { token: acme.accessToken }));
    expect(asAcme).toEqual({
      monitor: { id: acmeMonitor, name: 'Acme brand' },
      alert: { id: acmeAlert, title: 'Acme phishing kit' },
      monitorNode: { __typename: 'Monitor', id: acmeMonitor },
      alertNode: { __typename: 'Alert', id: acmeAlert },
    });

    const nothing = { monitor: null, alert: null, monitorNode: null, alertNode: null };
    const replayed = await server.gql(LookUpByIdsDocument, { monitorId: acmeMonitor, alertId: acmeAlert }, { token: rival.accessToken });
    expect(replayed).toMatchObject({ data: nothing });
    expect(replayed.errors).toBeUndefined();
    const guessed = await server.gql(
      LookUpByIdsDocument,
      { monitorId: globalId('Monitor', randomUUID()), alertId: globalId('Alert', randomUUID()) },
      { token: rival.accessToken },
    );
    expect(guessed).toMatchObject({ data: nothing });
    // Uppercase hex is the same UUID: still another organization's, still nothing.
    const shouted = { monitorId: globalId('Monitor', rawId(acmeMonitor).toUpperCase()), alertId: globalId('Alert', rawId(acmeAlert).toUpperCase()) };
    expect(await server.gql(LookUpByIdsDocument, shouted, { token: rival.accessToken })).toMatchObject({ data: nothing });
  });

  it('never show up in lists, whatever the filter', async () => {
    expect(await monitorNames(server, rival.accessToken)).toEqual(['Rival brand']);
    expect(await monitorNames(server, rival.accessToken, { filter: { text: 'acme' } })).toEqual([]);
    expect(await monitorNames(server, rival.accessToken, { filter: { statuses: ['PAUSED'] } })).toEqual([]);
    expect(await alertTitles(server, rival.accessToken)).toEqual(['Rival phishing kit']);
    expect(await alertTitles(server, rival.accessToken, { filter: { monitorIds: [acmeMonitor] } })).toEqual([]);
    expect(await alertTitles(server, rival.accessToken, { filter: { monitorIds: [acmeMonitor, rivalMonitor] } })).toEqual(['Rival phishing kit']);
    expect(await alertTitles(server, rival.accessToken, { filter: { text: 'acme' } })).toEqual([]);
    expect(await alertTitles(server, rival.accessToken, { orderBy: 'SEVERITY', filter: { minSeverity: 'LOW' } })).toEqual(['Rival phishing kit']);
    // And the owner still sees its own.
    expect(await monitorNames(server, acme.accessToken, { orderBy: { field: 'NAME', direction: 'ASC' } })).toEqual(['Acme brand', 'Acme paused']);
    expect(await alertTitles(server, acme.accessToken)).toEqual(['Acme phishing kit']);
  });

  it('answer NotFoundError to every mutation and change nothing', async () => {
    const before = await acmeSnapshot();
    const token = { token: rival.accessToken };
    const results = [
      ['MONITOR', acmeMonitor, dataOf(await server.gql(UpdateMonitorDocument, { input: { monitorId: acmeMonitor, name: 'Owned', terms: ['x'] } }, token)).updateMonitor],
      ['MONITOR', acmeMonitor, dataOf(await server.gql(PauseMonitorDocument, { id: acmeMonitor }, token)).pauseMonitor],
      ['MONITOR', acmePausedMonitor, dataOf(await server.gql(ResumeMonitorDocument, { id: acmePausedMonitor }, token)).resumeMonitor],
      ['MONITOR', acmeMonitor, dataOf(await server.gql(DeleteMonitorDocument, { id: acmeMonitor }, token)).deleteMonitor],
      ['ALERT', acmeAlert, dataOf(await server.gql(UpdateAlertStatusDocument, { ids: [acmeAlert], status: 'FALSE_POSITIVE', note: 'x' }, token)).updateAlertStatus],
      ['ALERT', acmeAlert, dataOf(await server.gql(AddAlertNoteCheckedDocument, { alertId: acmeAlert, body: 'We were here' }, token)).addAlertNote],
    ] as const;
    for (const [resource, id, result] of results) {
      expect(result).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', resource, id });
    }
    expect(await acmeSnapshot()).toEqual(before);
    expect(before.alert).toMatchObject({ status: 'NEW', notes: { nodes: [] }, history: { nodes: [{ fromStatus: null, toStatus: 'NEW' }] } });
    expect(before.paused).toMatchObject({ status: 'PAUSED' });
  });

  it('a bulk status change mixing own and foreign alerts changes neither', async () => {
    const before = await readAlert(server, rival.accessToken, rivalAlert);
    const result = dataOf(
      await server.gql(UpdateAlertStatusDocument, { ids: [rivalAlert, acmeAlert], status: 'ACKNOWLEDGED' }, { token: rival.accessToken }),
    ).updateAlertStatus;
    expect(expectMember(result, 'NotFoundError')).toMatchObject({ resource: 'ALERT', id: acmeAlert });
    expect(await readAlert(server, rival.accessToken, rivalAlert)).toEqual(before);
    expect(await readAlert(server, acme.accessToken, acmeAlert)).toMatchObject({ status: 'NEW', acknowledgedAt: null });
  });

  it('a foreign ID and a made-up one get the same answer', async () => {
    const made = globalId('Monitor', randomUUID());
    const foreign = dataOf(await server.gql(PauseMonitorDocument, { id: acmeMonitor }, { token: rival.accessToken })).pauseMonitor;
    const missing = dataOf(await server.gql(PauseMonitorDocument, { id: made }, { token: rival.accessToken })).pauseMonitor;
    const shape = (value: typeof foreign) => JSON.stringify(value).replaceAll(acmeMonitor, '<id>').replaceAll(made, '<id>');
    expect(shape(foreign)).toEqual(shape(missing));
  });

  it("the scanner cannot file an alert under another organization's monitor", async () => {
    await expect(fireAlert(server, rival, acmeMonitor, { title: 'Cross-tenant alert' })).rejects.toThrow(/Monitor .* was not found/);
    expect(await alertTitles(server, acme.accessToken)).toEqual(['Acme phishing kit']);
  });

  it("one organization's monitors do not count against another's plan", async () => {
    const full = await signUpAccount(server);
    for (let i = 1; i <= 5; i += 1) await createMonitor(server, full.accessToken, { name: `Full ${i}` });
    const neighbour = await signUpAccount(server);
    for (let i = 1; i <= 5; i += 1) await createMonitor(server, neighbour.accessToken, { name: `Neighbour ${i}` });
    expect(await monitorNames(server, neighbour.accessToken, { orderBy: { field: 'NAME', direction: 'ASC' } })).toEqual([
      'Neighbour 1', 'Neighbour 2', 'Neighbour 3', 'Neighbour 4', 'Neighbour 5',
    ]);
  });
});

describe('node(id) for every type with a global ID', () => {
  /** One object of each Node type in Acme's organization, by global ID. */
  async function acmeObjects(): Promise<Record<string, string>> {
    const token = { token: acme.accessToken };
    const members = dataOf(await server.gql(MembersDocument, {}, token)).viewer!.organization.members.nodes;
    const note = expectMember(dataOf(await server.gql(AddAlertNoteCheckedDocument, { alertId: acmeAlert, body: 'Seen' }, token)).addAlertNote, 'AddAlertNotePayload');
    const ids = dataOf(await server.gql(HistoryAndLedgerIdsDocument, { alertId: acmeAlert }, token));
    const silence = dataOf(await server.gql(CreateSilenceDocument, { input: { text: 'acme', endsAt: new Date(Date.now() + 3_600_000).toISOString() } }, token));
    const rule = dataOf(await server.gql(CreateSuppressionRuleDocument, { input: { monitorId: acmeMonitor, kind: 'DOMAIN', pattern: `partner-${randomUUID()}.example` } }, token));
    const scan = dataOf(await server.gql(ScanMonitorNowDocument, { id: acmeMonitor }, token));
    const scanId = expectMember(scan.scanMonitorNow, 'ScanMonitorNowPayload').scan.id;
    const [finding] = await server.database.db
      .insert(findings)
      .values({
        organizationId: acme.organizationId,
        monitorId: rawId(acmeMonitor),
        scanId: rawId(scanId),
        source: 'demo',
        url: `https://careers.acme.example/${randomUUID()}`,
        urlHash: randomUUID(),
        contentHash: randomUUID(),
        title: 'Careers page',
        status: 'suppressed',
        suppressedReason: 'excluded term: "careers"',
      })
      .returning();
    const webhook = await createTestWebhook(server, acme.accessToken, { url: 'https://hooks.acme.example/node', events: ['ALERT_CREATED'] });
    const delivery = dataOf(await server.gql(TestWebhookDocument, { id: webhook.id }, token));
    return {
      Alert: acmeAlert,
      AlertHistoryEntry: ids.alert!.history.nodes[0]!.id,
      AlertNote: note.alertNote.id,
      ApiKey: (await createTestApiKey(server, acme.accessToken, { role: 'VIEWER' })).id,
      BrandProfile: dataOf(await server.gql(BrandProfileDocument, {}, token)).brandProfile.id,
      Invitation: await (async () => {
        const invited = dataOf(await server.gql(InviteMemberDocument, { email: `invitee-${randomUUID()}@example.com`, role: 'VIEWER' }, token)).inviteMember;
        return expectMember(invited, 'InviteMemberPayload').invitation.id;
      })(),
      LedgerEntry: ids.usage.ledger.nodes[0]!.id,
      Membership: members[0]!.id,
      Monitor: acmeMonitor,
      Organization: globalId('Organization', acme.organizationId),
      Scan: scanId,
      Silence: expectMember(silence.createSilence, 'CreateSilencePayload').silence.id,
      SuppressedFinding: globalId('SuppressedFinding', finding!.id),
      SuppressionRule: expectMember(rule.createSuppressionRule, 'CreateSuppressionRulePayload').suppressionRule.id,
      User: acme.userId,
      Webhook: webhook.id,
      WebhookDelivery: expectMember(delivery.testWebhook, 'TestWebhookPayload').webhookDelivery.id,
    };
  }

  it("resolves each of the organization's own objects, and to null for another organization or no credentials", async () => {
    const objects = await acmeObjects();
    expect(Object.keys(objects).sort()).toEqual([...nodeTypenames].sort());
    for (const [typename, id] of Object.entries(objects)) {
      const own = await server.gql(NodeByIdDocument, { id }, { token: acme.accessToken });
      expect(own.data?.node, typename).toEqual({ __typename: typename, id });
      const foreign = await server.gql(NodeByIdDocument, { id }, { token: rival.accessToken });
      expect(foreign.errors, typename).toBeUndefined();
      expect(foreign.data?.node, typename).toBeNull();
      expect((await server.gql(NodeByIdDocument, { id })).data?.node ?? null, typename).toBeNull();
    }
  });

  it('finds a fellow member by their user ID, but not a user of another organization', async () => {
    const colleague = await addTestMember(server, acme, 'VIEWER');
    expect(dataOf(await server.gql(NodeByIdDocument, { id: colleague.userId }, { token: acme.accessToken })).node).toEqual({ __typename: 'User', id: colleague.userId });
    expect(dataOf(await server.gql(NodeByIdDocument, { id: rival.userId }, { token: acme.accessToken })).node).toBeNull();
  });

  it('keeps API keys and webhooks to owners and admins, as their lists do', async () => {
    const key = await createTestApiKey(server, acme.accessToken, { role: 'VIEWER' });
    const webhook = await createTestWebhook(server, acme.accessToken, { url: 'https://hooks.acme.example/admins', events: ['ALERT_CREATED'] });
    const analyst = await addTestMember(server, acme, 'ANALYST');
    for (const id of [key.id, webhook.id]) {
      expect(dataOf(await server.gql(NodeByIdDocument, { id }, { token: analyst.accessToken })).node).toBeNull();
    }
  });

  it('answers an ID that is not one with VALIDATION_ERROR, and an ID of an unknown type with null', async () => {
    for (const id of ['%%%', 'TW9uaXRvcjo', globalId('Monitor', 'not-a-uuid')]) {
      const result = await server.gql(NodeByIdDocument, { id }, { token: acme.accessToken });
      expect(result.data?.node ?? null).toBeNull();
      expect(errorCodes(result)).toEqual(['VALIDATION_ERROR']);
    }
    expect(dataOf(await server.gql(NodeByIdDocument, { id: globalId('Invoice', randomUUID()) }, { token: acme.accessToken })).node).toBeNull();
  });
});
