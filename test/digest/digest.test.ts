import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alerts, creditLedger, digests, scans } from '../../src/db/schema/index.ts';
import type { AlertCategory, Severity } from '../../src/db/schema/enums.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { previousUtcDay } from '../../src/services/digest-report.ts';
import { sendDailyDigest } from '../../src/services/digests.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { DigestOptInsDocument, SetDigestOptInDocument } from '../generated/graphql.ts';
import { addTestMember, createTestApiKey, type TestMember } from '../helpers/accounts.ts';
import { jobsOf, startDigestWorker, testDigestConfig } from '../helpers/digests.ts';
import { dataOf } from '../helpers/domain.ts';
import { createMonitor, globalId, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { freePort, smtpError, startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp.ts';
import { createTestWebhook, startReceiver, waitFor, waitForDeliveries } from '../helpers/webhooks.ts';

let server: TestServer;
const workers: WorkerHandle[] = [];
const closables: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(closables.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server?.stop();
});

async function sink(options?: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  closables.push(started);
  return started;
}

async function worker(...args: Parameters<typeof startDigestWorker> extends [unknown, ...infer R] ? R : never): Promise<WorkerHandle> {
  const started = await startDigestWorker(server, ...args);
  workers.push(started);
  return started;
}

async function optIn(token: string, enabled = true) {
  const result = dataOf(await server.gql(SetDigestOptInDocument, { enabled }, { token })).setDigestOptIn;
  if (result.__typename !== 'SetDigestOptInPayload') throw new Error(`setDigestOptIn failed: ${JSON.stringify(result)}`);
  return result.membership;
}

/** An organization whose owner and one analyst opted in, and a viewer who did not. */
async function organizationWithReaders(): Promise<{ owner: TestAccount; analyst: TestMember; viewer: TestMember }> {
  const owner = await signUpAccount(server);
  const analyst = await addTestMember(server, owner, 'ANALYST');
  const viewer = await addTestMember(server, owner, 'VIEWER');
  await optIn(owner.accessToken);
  await optIn(analyst.accessToken);
  return { owner, analyst, viewer };
}

let counter = 0;
async function insertAlert(organizationId: string, monitorGlobalId: string, at: string, severity: Severity, title?: string, category: AlertCategory = 'phishing') {
  counter += 1;
  const createdAt = new Date(at);
  const url = `https://threat-${counter}.example/login`;
  await server.database.db.insert(alerts).values({
    organizationId,
    monitorId: rawId(monitorGlobalId),
    fingerprint: `digest-${counter}`,
    title: title ?? `Alert ${counter}`,
    url,
    category,
    severity,
    confidence: 0.9,
    createdAt,
    firstSeenAt: createdAt,
    lastSeenAt: createdAt,
  });
  return url;
}

const mailsTo = (box: SmtpSink, email: string): ReceivedMail[] => box.mails.filter((m) => m.envelopeTo.includes(email));

async function digestRow(organizationId: string, day: string) {
  const [row] = await server.database.db
    .select()
    .from(digests)
    .where(and(eq(digests.organizationId, organizationId), eq(digests.day, day)));
  return row;
}

function waitForDigest(organizationId: string, day: string, isDone: (row: Awaited<ReturnType<typeof digestRow>>) => boolean, timeoutMs = 20_000) {
  return waitFor(() => digestRow(organizationId, day), isDone, `digest of ${organizationId} for ${day}`, timeoutMs);
}

/** As graphile-worker's cron adds it: the tick's timestamp in `_cron`. */
async function addCronJob(ts: Date) {
  await server.database.db.execute(
    sql`select graphile_worker.add_job('digests__enqueue_daily', json_build_object('_cron', json_build_object('ts', ${ts.toISOString()}::text, 'backfilled', false)))`,
  );
}

async function addSendJob(organizationId: string, day: string) {
  await server.database.db.execute(
    sql`select graphile_worker.add_job('digest__send', json_build_object('organizationId', ${organizationId}::uuid, 'day', ${day}::text), max_attempts := 10)`,
  );
}

describe('the daily digest', () => {
  it('mails opted-in members a text and HTML summary of yesterday, and sends the digest.daily webhook event', async () => {
    const box = await sink();
    const { owner, analyst, viewer } = await organizationWithReaders();
    const receiver = await startReceiver();
    closables.push(receiver);
    const webhook = await createTestWebhook(server, owner.accessToken, { url: receiver.hookUrl, events: ['DIGEST_DAILY'] });
    const brand = await createMonitor(server, owner.accessToken, { name: 'Acme brand' });
    const domains = await createMonitor(server, owner.accessToken, { name: 'Acme <domains>' });
    const now = new Date();
    const day = previousUtcDay(now);
    const org = owner.organizationId;
    // Yesterday: brand 1 critical, 2 high, 1 medium; domains 1 high, 2 low.
    const lookAlike = await insertAlert(org, brand, `${day}T09:00:00Z`, 'high', 'Look-alike acme-1ogin.com');
    const fake = await insertAlert(org, brand, `${day}T01:00:00Z`, 'critical', 'Fake Acme login page');
    const cloned = await insertAlert(org, brand, `${day}T23:59:59Z`, 'high', 'Cloned checkout & "support" page');
    await insertAlert(org, brand, `${day}T12:00:00Z`, 'medium');
    const support = await insertAlert(org, domains, `${day}T10:00:00Z`, 'high', 'acme-support.net registered');
    await insertAlert(org, domains, `${day}T00:00:00Z`, 'low');
    await insertAlert(org, domains, `${day}T05:00:00Z`, 'low');
    // Not yesterday, or not this organization: left out.
    const dayBefore = previousUtcDay(new Date(`${day}T12:00:00Z`));
    await insertAlert(org, brand, `${dayBefore}T23:59:59Z`, 'critical', 'Day before');
    await insertAlert(org, brand, now.toISOString(), 'critical', 'Today');
    const stranger = await signUpAccount(server);
    await insertAlert(stranger.organizationId, await createMonitor(server, stranger.accessToken), `${day}T08:00:00Z`, 'critical', 'Other org');
    // Spend: two scans yesterday (costs 0.0125 and 0.0075 USD), one the day before; 2 credits debited, 1 refunded.
    const scanRows = await server.database.db
      .insert(scans)
      .values([
        { organizationId: org, monitorId: rawId(brand), trigger: 'schedule', status: 'succeeded', queuedAt: new Date(`${day}T02:00:00Z`), promptTokens: 1000, completionTokens: 200, costUsd: '0.0125' },
        { organizationId: org, monitorId: rawId(domains), trigger: 'manual', status: 'failed', queuedAt: new Date(`${day}T20:00:00Z`), promptTokens: 500, completionTokens: 100, costUsd: '0.0075' },
        { organizationId: org, monitorId: rawId(brand), trigger: 'schedule', status: 'succeeded', queuedAt: new Date(`${dayBefore}T20:00:00Z`), costUsd: '1' },
      ])
      .returning({ id: scans.id });
    await server.database.db.insert(creditLedger).values([
      { organizationId: org, delta: -1, balanceAfter: 99, reason: 'scan', scanId: scanRows[0]!.id, createdAt: new Date(`${day}T02:00:01Z`) },
      { organizationId: org, delta: -1, balanceAfter: 98, reason: 'scan', scanId: scanRows[1]!.id, createdAt: new Date(`${day}T20:00:01Z`) },
      { organizationId: org, delta: 1, balanceAfter: 99, reason: 'refund', scanId: scanRows[1]!.id, createdAt: new Date(`${day}T20:00:05Z`) },
      { organizationId: org, delta: -1, balanceAfter: 98, reason: 'scan', scanId: scanRows[2]!.id, createdAt: new Date(`${dayBefore}T20:00:01Z`) },
    ]);

    await worker(testDigestConfig({ smtpUrl: box.url }));
    await addCronJob(now);
    await waitForDigest(org, day, (row) => row?.status === 'sent');

    // Only the two members who opted in, one message each, addressed to them alone.
    expect(mailsTo(box, viewer.email)).toHaveLength(0);
    const ownerMails = mailsTo(box, owner.email);
    const analystMails = mailsTo(box, analyst.email);
    expect(ownerMails).toHaveLength(1);
    expect(analystMails).toHaveLength(1);
    const mail = ownerMails[0]!;
    expect(mail.envelopeTo).toEqual([owner.email]);
    expect(mail.message.contentType).toBe('multipart/alternative');
    expect(mail.message.headers.from).toBe('Vigil <digest@vigil.test>');
    expect(mail.subject).toBe(`Vigil digest for Org of ${owner.email}, ${day}: 7 new alerts`);
    expect(mail.text).toBe(
      [
        `Vigil daily digest — Org of ${owner.email}, ${day} (UTC)`,
        '',
        'New alerts: 7 (critical 1, high 3, medium 1, low 2)',
        '',
        'High and critical alerts (4):',
        `  [CRITICAL] Fake Acme login page — Acme brand\n    ${fake}`,
        `  [HIGH] Look-alike acme-1ogin.com — Acme brand\n    ${lookAlike}`,
        `  [HIGH] acme-support.net registered — Acme <domains>\n    ${support}`,
        `  [HIGH] Cloned checkout & "support" page — Acme brand\n    ${cloned}`,
        '',
        'Top monitors:',
        '  Acme brand: 4 alerts',
        '  Acme <domains>: 3 alerts',
        '',
        'Spend: 2 scans, 1 credit, $0.02 of LLM usage',
        '',
        'You receive this because you opted in to the daily digest; the setDigestOptIn mutation turns it off.',
      ].join('\n'),
    );
    expect(mail.html).toContain('<h2 style="font-size:15px">New alerts: 7</h2>');
    expect(mail.html).toContain('Cloned checkout &amp; &quot;support&quot; page</a> — Acme brand');
    expect(mail.html).toContain('<li>Acme &lt;domains&gt;: 3 alerts</li>');
    expect(mail.html).not.toContain('Acme <domains>');
    expect(analystMails[0]!.text).toBe(mail.text);

    const row = await digestRow(org, day);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, error: null, claimedUntil: null });
    expect([...row!.recipients].sort()).toEqual([owner.email, analyst.email].sort());
    expect(row!.sentAt).toBeInstanceOf(Date);

    // The same summary as the digest.daily webhook event, once.
    const [delivery, ...others] = await waitForDeliveries(server, owner.accessToken, webhook.id, (d) => d[0]?.status === 'SUCCEEDED');
    expect(others).toHaveLength(0);
    const body = JSON.parse(receiver.arrivals[0]!.body);
    expect(receiver.arrivals[0]!.headers['webhook-id']).toBe(delivery!.id);
    expect(body).toMatchObject({ type: 'digest.daily' });
    expect(body.data).toEqual({
      date: day,
      organization: { id: globalId('Organization', org), name: `Org of ${owner.email}` },
      alerts: { total: 7, bySeverity: { LOW: 2, MEDIUM: 1, HIGH: 3, CRITICAL: 1 } },
      highAndCritical: {
        total: 4,
        items: [
          expect.objectContaining({ title: 'Fake Acme login page', severity: 'CRITICAL', createdAt: `${day}T01:00:00.000Z`, monitor: { id: brand, name: 'Acme brand' } }),
          expect.objectContaining({ title: 'Look-alike acme-1ogin.com', severity: 'HIGH', monitor: { id: brand, name: 'Acme brand' } }),
          expect.objectContaining({ title: 'acme-support.net registered', severity: 'HIGH', monitor: { id: domains, name: 'Acme <domains>' } }),
          expect.objectContaining({ title: 'Cloned checkout & "support" page', severity: 'HIGH', url: `${cloned}` }),
        ],
      },
      topMonitors: [
        { monitor: { id: brand, name: 'Acme brand' }, alerts: 4 },
        { monitor: { id: domains, name: 'Acme <domains>' }, alerts: 3 },
      ],
      spend: { scans: 2, creditsSpent: 1, costUsd: 0.02, promptTokens: 1500, completionTokens: 300 },
    });
  });

  it('without SMTP_URL, goes out by webhook only, to organizations that subscribed one', async () => {
    const box = await sink();
    const subscribed = await organizationWithReaders();
    const receiver = await startReceiver();
    closables.push(receiver);
    const webhook = await createTestWebhook(server, subscribed.owner.accessToken, { url: receiver.hookUrl, events: ['DIGEST_DAILY'] });
    const mailOnly = await organizationWithReaders();
    const now = new Date();
    const day = previousUtcDay(now);
    await worker(testDigestConfig({ smtpUrl: undefined }));
    await addCronJob(now);
    await waitForDigest(subscribed.owner.organizationId, day, (row) => row?.status === 'sent');
    await waitFor(() => jobsOf(server, 'digests__enqueue_daily'), (jobs) => jobs.length === 0, 'cron job to finish');
    const [delivery] = await waitForDeliveries(server, subscribed.owner.accessToken, webhook.id, (d) => d[0]?.status === 'SUCCEEDED');
    expect(receiver.arrivals[0]!.headers['webhook-id']).toBe(delivery!.id);
    expect(JSON.parse(receiver.arrivals[0]!.body)).toMatchObject({ type: 'digest.daily', data: { date: day, alerts: { total: 0 } } });
    expect(await digestRow(subscribed.owner.organizationId, day)).toMatchObject({ status: 'sent', recipients: [] });
    // Opted-in members but no way to reach them: nothing queued, nothing recorded.
    expect(await digestRow(mailOnly.owner.organizationId, day)).toBeUndefined();
    expect(box.mails).toHaveLength(0);
  });

  it('lists at most DIGEST_MAX_ALERTS high and critical alerts and counts the rest', async () => {
    const box = await sink();
    const { owner } = await organizationWithReaders();
    const monitor = await createMonitor(server, owner.accessToken);
    const day = previousUtcDay(new Date());
    for (let i = 0; i < 4; i += 1) await insertAlert(owner.organizationId, monitor, `${day}T0${i}:00:00Z`, 'high', `High ${i}`);
    await worker(testDigestConfig({ smtpUrl: box.url, maxAlerts: 3 }));
    await addSendJob(owner.organizationId, day);
    await waitForDigest(owner.organizationId, day, (row) => row?.status === 'sent');
    const text = mailsTo(box, owner.email)[0]!.text!;
    expect(text).toContain('High and critical alerts (4):');
    expect(text).toContain('High 2');
    expect(text).not.toContain('High 3');
    expect(text).toContain('  …and 1 more');
  });

  it('goes out once when the cron job runs twice and the task is run again by hand', async () => {
    const box = await sink();
    const { owner, analyst } = await organizationWithReaders();
    const now = new Date();
    const day = previousUtcDay(now);
    const config = testDigestConfig({ smtpUrl: box.url });
    await worker(config);
    await addCronJob(now);
    await addCronJob(now);
    await waitForDigest(owner.organizationId, day, (row) => row?.status === 'sent');
    await waitFor(() => jobsOf(server, 'digest__send'), (jobs) => jobs.length === 0, 'digest jobs to finish');
    await waitFor(() => jobsOf(server, 'digests__enqueue_daily'), (jobs) => jobs.length === 0, 'cron jobs to finish');
    const again = await sendDailyDigest({ db: server.database.db, config, logger: createLogger('silent') }, owner.organizationId, day);
    expect(again).toBe('already-sent');
    expect(mailsTo(box, owner.email)).toHaveLength(1);
    expect(mailsTo(box, analyst.email)).toHaveLength(1);
    expect((await digestRow(owner.organizationId, day))!.attempts).toBe(1);
  });

  it('goes out once when two workers start together and both catch up on the missed cron tick', async () => {
    const box = await sink();
    const { owner, analyst } = await organizationWithReaders();
    const now = new Date();
    // The digest hour was one to two hours ago; both workers find the tick missed and backfill it.
    const hourUtc = (now.getUTCHours() + 23) % 24;
    const tick = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
    if (tick > now) tick.setUTCDate(tick.getUTCDate() - 1);
    const day = previousUtcDay(tick);
    await server.database.db.execute(sql`
      insert into graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
      values ('digests__enqueue_daily', now() - interval '3 days', ${new Date(tick.getTime() - 3_600_000).toISOString()}::timestamptz)
      on conflict (identifier) do update set last_execution = excluded.last_execution`);
    const config = testDigestConfig({ smtpUrl: box.url, hourUtc });
    await Promise.all([worker(config, { isCronEnabled: true }), worker(config, { isCronEnabled: true })]);
    await waitForDigest(owner.organizationId, day, (row) => row?.status === 'sent');
    await waitFor(() => jobsOf(server, 'digest__send'), (jobs) => jobs.length === 0, 'digest jobs to finish');
    expect(mailsTo(box, owner.email)).toHaveLength(1);
    expect(mailsTo(box, analyst.email)).toHaveLength(1);
  });

  it('two attempts at once: one sends, the other backs off and then finds it sent', async () => {
    const box = await sink();
    const { owner, analyst } = await organizationWithReaders();
    const day = previousUtcDay(new Date());
    // Without a job key, so graphile-worker runs both at the same time on two workers.
    await addSendJob(owner.organizationId, day);
    await addSendJob(owner.organizationId, day);
    const config = testDigestConfig({ smtpUrl: box.url });
    await Promise.all([worker(config), worker(config)]);
    await waitForDigest(owner.organizationId, day, (row) => row?.status === 'sent');
    await waitFor(() => jobsOf(server, 'digest__send'), (jobs) => jobs.length === 0, 'both digest jobs to finish', 20_000);
    expect(mailsTo(box, owner.email)).toHaveLength(1);
    expect(mailsTo(box, analyst.email)).toHaveLength(1);
    // Only one attempt ever held the claim.
    expect((await digestRow(owner.organizationId, day))!.attempts).toBe(1);
  });

  it('fails and is retried while the SMTP server is down, and a later attempt delivers one message each', async () => {
    const port = await freePort();
    const { owner, analyst } = await organizationWithReaders();
    const day = previousUtcDay(new Date());
    await worker(testDigestConfig({ smtpUrl: `smtp://127.0.0.1:${port}` }));
    await addSendJob(owner.organizationId, day);
    const [failed] = await waitFor(() => jobsOf(server, 'digest__send'), (jobs) => (jobs[0]?.attempts ?? 0) >= 1 && jobs[0]?.last_error != null, 'a failed attempt');
    expect(failed!.last_error).toMatch(/ECONNREFUSED|connect/i);
    const row = await digestRow(owner.organizationId, day);
    expect(row).toMatchObject({ status: 'failed', recipients: [], claimedUntil: null });
    expect(row!.error).toMatch(/ECONNREFUSED|connect/i);

    const box = await sink({ port });
    await waitForDigest(owner.organizationId, day, (r) => r?.status === 'sent', 30_000);
    expect(mailsTo(box, owner.email)).toHaveLength(1);
    expect(mailsTo(box, analyst.email)).toHaveLength(1);
    expect((await digestRow(owner.organizationId, day))!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('after a send that failed half-way, the retry mails only those who did not get it', async () => {
    const { owner, analyst } = await organizationWithReaders();
    const [first, second] = [owner.email, analyst.email].sort() as [string, string];
    let refusals = 0;
    // The second recipient is refused once with a temporary error; the first is accepted.
    const box = await sink({
      onRcptTo: (address) => (address === second && refusals++ === 0 ? smtpError(451, 'Try again later') : undefined),
    });
    const day = previousUtcDay(new Date());
    await worker(testDigestConfig({ smtpUrl: box.url }));
    await addSendJob(owner.organizationId, day);
    await waitForDigest(owner.organizationId, day, (row) => row?.status === 'sent', 30_000);
    expect(refusals).toBe(2);
    expect(mailsTo(box, first)).toHaveLength(1);
    expect(mailsTo(box, second)).toHaveLength(1);
    expect(await digestRow(owner.organizationId, day)).toMatchObject({ attempts: 2, recipients: [first, second], error: null });
  });
});

describe('setDigestOptIn', () => {
  it("changes the signed-in member's own membership only", async () => {
    const owner = await signUpAccount(server);
    const analyst = await addTestMember(server, owner, 'ANALYST');
    const membership = await optIn(analyst.accessToken);
    expect(membership).toMatchObject({ id: analyst.membershipId, isDigestOptedIn: true, user: { email: analyst.email } });
    const read = async () =>
      Object.fromEntries(dataOf(await server.gql(DigestOptInsDocument, {}, { token: owner.accessToken })).viewer!.organization.members.nodes.map((m) => [m.user.email, m.isDigestOptedIn]));
    expect(await read()).toEqual({ [owner.email]: false, [analyst.email]: true });
    await optIn(analyst.accessToken, false);
    expect(await read()).toEqual({ [owner.email]: false, [analyst.email]: false });
  });

  it('refuses API keys (ForbiddenError) and anonymous calls (AuthenticationError)', async () => {
    const owner = await signUpAccount(server);
    const key = await createTestApiKey(server, owner.accessToken, { role: 'OWNER' });
    const byKey = dataOf(await server.gql(SetDigestOptInDocument, { enabled: true }, { token: key.secret })).setDigestOptIn;
    expect(byKey).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    const anonymous = dataOf(await server.gql(SetDigestOptInDocument, { enabled: true })).setDigestOptIn;
    expect(anonymous).toMatchObject({ __typename: 'AuthenticationError' });
  });
});
