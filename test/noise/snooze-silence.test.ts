import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, webhookDeliveries } from '../../src/db/schema/index.ts';
import { buildDigestReport } from '../../src/services/digest-report.ts';
import { webhookBody } from '../../src/services/webhook-delivery.ts';
import {
  AlertNoiseDocument,
  CreateSilenceDocument,
  DeleteSilenceDocument,
  ExpireSilenceDocument,
  OnAlertCreatedDocument,
  SilencedAlertTitlesDocument,
  SilencesDocument,
  TriageAlertsDocument,
  type CreateSilenceInput,
  type TriageAlertsMutationVariables,
} from '../generated/graphql.ts';
import { dataOf, expectMember } from '../helpers/domain.ts';
import { createMonitor, fireAlert, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestWebhook } from '../helpers/webhooks.ts';
import { connectLive } from '../helpers/ws.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function accountWithMonitor() {
  const account = await signUpAccount(server);
  const monitorId = await createMonitor(server, account.accessToken);
  return { account, monitorId };
}

async function triage(account: TestAccount, variables: TriageAlertsMutationVariables) {
  return dataOf(await server.gql(TriageAlertsDocument, variables, { token: account.accessToken })).updateAlertStatus;
}

async function noiseOf(account: TestAccount, id: string) {
  return dataOf(await server.gql(AlertNoiseDocument, { id }, { token: account.accessToken })).alert!;
}

async function createSilence(account: TestAccount, input: CreateSilenceInput) {
  return dataOf(await server.gql(CreateSilenceDocument, { input }, { token: account.accessToken })).createSilence;
}

/** Moves a snooze into the past, as the clock would. */
async function endSnooze(alertGlobalId: string) {
  await server.database.db
    .update(alerts)
    .set({ snoozedUntil: sql`now() - interval '1 second'` })
    .where(eq(alerts.id, rawId(alertGlobalId)));
}

describe('snoozing alerts', () => {
  it('a snoozed alert only counts repeats until its time, and a repeat after it returns the alert to NEW', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId, { fingerprint: 'lookalike-1' });
    const until = inMinutes(60);

    const snoozed = expectMember(await triage(account, { ids: [id], status: 'SNOOZED', snoozedUntil: until, note: 'Waiting on registrar' }), 'UpdateAlertStatusPayload');
    expect(snoozed.alerts).toEqual([{ id, status: 'SNOOZED', snoozedUntil: until }]);

    expect(await fireAlert(server, account, monitorId, { fingerprint: 'lookalike-1' })).toEqual({ id, outcome: 'updated' });
    expect(await noiseOf(account, id)).toMatchObject({ status: 'SNOOZED', occurrences: 2, snoozedUntil: until });

    await endSnooze(id);
    expect(await fireAlert(server, account, monitorId, { fingerprint: 'lookalike-1' })).toEqual({ id, outcome: 'reopened' });
    const alert = await noiseOf(account, id);
    expect(alert).toMatchObject({ status: 'NEW', occurrences: 3, snoozedUntil: null });
    expect(alert.history.nodes.map(({ fromStatus, toStatus, note }) => [fromStatus, toStatus, note])).toEqual([
      [null, 'NEW', null],
      ['NEW', 'SNOOZED', 'Waiting on registrar'],
      ['SNOOZED', 'NEW', 'Snooze over: the threat was seen again'],
    ]);
  });

  it('an expired snooze with no repeat stays snoozed; the analyst can still move it on', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId);
    expectMember(await triage(account, { ids: [id], status: 'SNOOZED', snoozedUntil: inMinutes(5) }), 'UpdateAlertStatusPayload');
    await endSnooze(id);
    expect((await noiseOf(account, id)).status).toBe('SNOOZED');
    const resolved = expectMember(await triage(account, { ids: [id], status: 'RESOLVED' }), 'UpdateAlertStatusPayload');
    expect(resolved.alerts).toEqual([{ id, status: 'RESOLVED', snoozedUntil: null }]);
  });

  it('refuses a snooze without a time, in the past, too far ahead, or a time with another status — and changes nothing', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const { id } = await fireAlert(server, account, monitorId);
    const cases = [
      [{ status: 'SNOOZED' as const }, ['input', 'snoozedUntil'], 'is required to snooze'],
      [{ status: 'SNOOZED' as const, snoozedUntil: inMinutes(-1) }, ['input', 'snoozedUntil'], 'must be in the future'],
      [{ status: 'SNOOZED' as const, snoozedUntil: inMinutes(91 * 24 * 60) }, ['input', 'snoozedUntil'], 'must be at most 90 days ahead'],
      [{ status: 'ACKNOWLEDGED' as const, snoozedUntil: inMinutes(10) }, ['input', 'snoozedUntil'], 'is only for status SNOOZED'],
    ] as const;
    for (const [variables, path, message] of cases) {
      const error = expectMember(await triage(account, { ids: [id], ...variables }), 'ValidationError');
      expect(error.issues).toEqual([{ path, message }]);
    }
    expect(await noiseOf(account, id)).toMatchObject({ status: 'NEW', snoozedUntil: null });
  });
});

describe('silences', () => {
  it('mutes matching alerts: stored and marked, not pushed live and not sent to webhooks; others still are', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const otherMonitorId = await createMonitor(server, account.accessToken, { name: 'Other' });
    await createTestWebhook(server, account.accessToken, { url: 'https://hooks.example.com/vigil', events: ['ALERT_CREATED'] });
    const silence = expectMember(
      await createSilence(account, { monitorId, minSeverity: 'HIGH', text: 'acme-login', endsAt: inMinutes(60), comment: 'Known campaign, takedown pending' }),
      'CreateSilencePayload',
    ).silence;
    expect(silence).toMatchObject({ monitor: { id: monitorId }, minSeverity: 'HIGH', text: 'acme-login', isActive: true });

    const live = connectLive(server.url, account.accessToken);
    const subscription = live.subscribe(OnAlertCreatedDocument, {});
    await server.waitForSubscribers(1);
    try {
      const muted = await fireAlert(server, account, monitorId, { title: 'Muted: acme-login clone', severity: 'critical' });
      const tooMild = await fireAlert(server, account, monitorId, { title: 'Mild: acme-login mention', severity: 'medium' });
      const otherMonitor = await fireAlert(server, account, otherMonitorId, { title: 'Elsewhere: acme-login clone', severity: 'critical' });
      const otherText = await fireAlert(server, account, monitorId, { title: 'Unrelated typo domain', url: 'https://acme-shop.example/', severity: 'high' });

      const received = await subscription.waitFor(3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscription.received.map((r) => r.alertCreated.alert.title).sort()).toEqual(
        ['Elsewhere: acme-login clone', 'Mild: acme-login mention', 'Unrelated typo domain'].sort(),
      );
      expect(received.length).toBe(3);

      expect(await noiseOf(account, muted.id)).toMatchObject({ isSilenced: true, silence: { id: silence.id }, status: 'NEW' });
      for (const { id } of [tooMild, otherMonitor, otherText]) expect(await noiseOf(account, id)).toMatchObject({ isSilenced: false, silence: null });

      const deliveries = await server.database.db
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.organizationId, account.organizationId), eq(webhookDeliveries.event, 'alert.created')));
      // As the receiver gets them.
      const sentIds = deliveries.map((d) => (JSON.parse(webhookBody(d)) as { data: { alert: { id: string } } }).data.alert.id);
      expect(sentIds.sort()).toEqual([tooMild.id, otherMonitor.id, otherText.id].sort());

      const silenced = dataOf(await server.gql(SilencedAlertTitlesDocument, { isSilenced: true }, { token: account.accessToken })).alerts.edges;
      expect(silenced.map((e) => e.node.title)).toEqual(['Muted: acme-login clone']);
      const announced = dataOf(await server.gql(SilencedAlertTitlesDocument, { isSilenced: false }, { token: account.accessToken })).alerts.edges;
      expect(announced).toHaveLength(3);

      // A repeat of the muted alert is not announced either.
      await fireAlert(server, account, monitorId, { fingerprint: (await fingerprintOf(muted.id)), title: 'Muted: acme-login clone', severity: 'critical' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscription.received).toHaveLength(3);
    } finally {
      subscription.dispose();
      await live.dispose();
    }
  });

  it('an expired silence mutes nothing more, and stays listed as expired; a deleted one leaves its marks', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const silence = expectMember(await createSilence(account, { category: 'PHISHING', endsAt: inMinutes(30) }), 'CreateSilencePayload').silence;
    const before = await fireAlert(server, account, monitorId, { category: 'phishing' });
    expect((await noiseOf(account, before.id)).isSilenced).toBe(true);

    const expired = expectMember(dataOf(await server.gql(ExpireSilenceDocument, { id: silence.id }, { token: account.accessToken })).expireSilence, 'ExpireSilencePayload').silence;
    expect(expired.isActive).toBe(false);
    const after = await fireAlert(server, account, monitorId, { category: 'phishing' });
    expect((await noiseOf(account, after.id)).isSilenced).toBe(false);

    expect(dataOf(await server.gql(SilencesDocument, {}, { token: account.accessToken })).silences.nodes).toEqual([]);
    expect(dataOf(await server.gql(SilencesDocument, { isExpired: true }, { token: account.accessToken })).silences.nodes.map((s) => s.id)).toEqual([silence.id]);

    expectMember(dataOf(await server.gql(DeleteSilenceDocument, { id: silence.id }, { token: account.accessToken })).deleteSilence, 'DeleteSilencePayload');
    expect(await noiseOf(account, before.id)).toMatchObject({ isSilenced: true, silence: null });
  });

  it('a silenced alert is counted in the daily digest but never listed there', async () => {
    const { account, monitorId } = await accountWithMonitor();
    expectMember(await createSilence(account, { text: 'muted-campaign', endsAt: inMinutes(60) }), 'CreateSilencePayload');
    await fireAlert(server, account, monitorId, { title: 'Critical: muted-campaign clone', severity: 'critical' });
    await fireAlert(server, account, monitorId, { title: 'Critical: fresh clone', severity: 'critical' });
    const today = new Date().toISOString().slice(0, 10);
    const report = (await buildDigestReport(server.database.db, account.organizationId, today, 20))!;
    expect(report.alerts.total).toBe(2);
    expect(report.highAndCritical.items.map((item) => item.title)).toEqual(['Critical: fresh clone']);
  });

  it('a silence that starts later mutes nothing until then', async () => {
    const { account, monitorId } = await accountWithMonitor();
    const upcoming = expectMember(await createSilence(account, { monitorId, startsAt: inMinutes(30), endsAt: inMinutes(90) }), 'CreateSilencePayload').silence;
    expect(upcoming.isActive).toBe(false);
    const alert = await fireAlert(server, account, monitorId);
    expect((await noiseOf(account, alert.id)).isSilenced).toBe(false);
    expect(dataOf(await server.gql(SilencesDocument, {}, { token: account.accessToken })).silences.nodes.map((s) => s.id)).toEqual([upcoming.id]);
  });

  it('refuses silences that would mute everything, end before they start, or last over a year', async () => {
    const { account } = await accountWithMonitor();
    const refusals: [CreateSilenceInput, string[], string][] = [
      [{ endsAt: inMinutes(60) }, ['input'], 'must give at least one of monitorId, category, minSeverity or text: a silence never mutes everything'],
      [{ text: 'x', endsAt: inMinutes(-1) }, ['input', 'endsAt'], 'must be after startsAt (and in the future)'],
      [{ text: 'x', endsAt: inMinutes(367 * 24 * 60) }, ['input', 'endsAt'], 'a silence lasts at most 366 days'],
      [{ text: '  ', endsAt: inMinutes(60) }, ['input', 'text'], 'must not be empty'],
    ];
    for (const [input, path, message] of refusals) {
      const error = expectMember(await createSilence(account, input), 'ValidationError');
      expect(error.issues).toContainEqual({ path, message });
    }
    expect(dataOf(await server.gql(SilencesDocument, {}, { token: account.accessToken })).silences.nodes).toEqual([]);
    expect(dataOf(await server.gql(SilencesDocument, { isExpired: true }, { token: account.accessToken })).silences.nodes).toEqual([]);
  });

  it("one organization can neither see, use, expire nor delete another's silences, and its silences never mute the other's alerts", async () => {
    const owner = await accountWithMonitor();
    const intruder = await accountWithMonitor();
    const silence = expectMember(await createSilence(owner.account, { category: 'PHISHING', endsAt: inMinutes(60) }), 'CreateSilencePayload').silence;

    expect(dataOf(await server.gql(SilencesDocument, {}, { token: intruder.account.accessToken })).silences).toEqual({ nodes: [], totalCount: 0 });
    expect(dataOf(await server.gql(SilencesDocument, { isExpired: true }, { token: intruder.account.accessToken })).silences.nodes).toEqual([]);
    const intruderAlert = await fireAlert(server, intruder.account, intruder.monitorId, { category: 'phishing' });
    expect((await noiseOf(intruder.account, intruderAlert.id)).isSilenced).toBe(false);

    const asIntruder = { token: intruder.account.accessToken };
    expect(dataOf(await server.gql(ExpireSilenceDocument, { id: silence.id }, asIntruder)).expireSilence).toMatchObject({ __typename: 'NotFoundError' });
    expect(dataOf(await server.gql(DeleteSilenceDocument, { id: silence.id }, asIntruder)).deleteSilence).toMatchObject({ __typename: 'NotFoundError' });
    const foreignMonitor = expectMember(await createSilence(intruder.account, { monitorId: owner.monitorId, endsAt: inMinutes(60) }), 'NotFoundError');
    expect(foreignMonitor.resource).toBe('MONITOR');
    expect(dataOf(await server.gql(SilencesDocument, {}, { token: owner.account.accessToken })).silences).toMatchObject({ nodes: [{ id: silence.id, isActive: true }], totalCount: 1 });
  });
});

async function fingerprintOf(alertGlobalId: string): Promise<string> {
  const [row] = await server.database.db.select({ fingerprint: alerts.fingerprint }).from(alerts).where(eq(alerts.id, rawId(alertGlobalId)));
  return row!.fingerprint;
}
