/**
 * Drill: the SMTP server is down when the daily digest is due. A real `vigil --role=worker`
 * process, configured only through its environment, catches up on the missed digest cron tick at
 * startup; its sends are refused, graphile-worker retries them with its backoff, and once an SMTP
 * server listens on the configured port every opted-in member gets the digest exactly once.
 * (test/digest/digest.test.ts covers a refused send and its retry with an in-process worker and a
 * hand-queued job; this drill goes through the cron, the process's configuration and the backoff.)
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previousUtcDay } from '../../src/services/digest-report.ts';
import { SetDigestOptInDocument } from '../generated/graphql.ts';
import { addTestMember } from '../helpers/accounts.ts';
import { dataOf } from '../helpers/domain.ts';
import { signUpAccount } from '../helpers/fixtures.ts';
import { sleep, spawnVigil, waitUntil, type VigilProcess } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { freeLoopbackPort } from '../helpers/ports.ts';

let server: TestServer;
let worker: VigilProcess | undefined;
let sink: SmtpSink | undefined;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await worker?.stop();
  await sink?.close();
  await server?.stop();
}, 30_000);

type SendJob = {
  attempts: number;
  last_error: string | null;
  /** Seconds from the last attempt's start (when it locked the job) to the next attempt graphile-worker scheduled. */
  backoff_seconds: number;
};

/** The digest jobs waiting (not running right now: a running attempt has counted itself but not failed yet). */
async function sendJobs(): Promise<SendJob[]> {
  return server.database.db.execute<SendJob>(sql`
    select attempts, last_error, extract(epoch from run_at - updated_at)::float8 as backoff_seconds
    from graphile_worker.jobs where task_identifier = 'digest__send' and locked_at is null order by id`);
}

async function digestRow(organizationId: string, day: string) {
  const [row] = await server.database.db.execute<{ status: string; attempts: number; recipients: string[]; error: string | null }>(
    sql`select status, attempts, recipients, error from digests where organization_id = ${organizationId} and day = ${day}::date`,
  );
  return row;
}

/** The digest hour was about an hour ago and the worker has not run since the tick before it: it must catch up. */
async function missedDigestTick(): Promise<{ hourUtc: number; tick: Date; day: string }> {
  const now = new Date();
  const hourUtc = (now.getUTCHours() + 23) % 24;
  const tick = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (tick > now) tick.setUTCDate(tick.getUTCDate() - 1);
  await server.database.db.execute(sql`
    insert into graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
    values ('digests__enqueue_daily', now() - interval '3 days', ${new Date(tick.getTime() - 3_600_000).toISOString()}::timestamptz)
    on conflict (identifier) do update set last_execution = excluded.last_execution`);
  return { hourUtc, tick, day: previousUtcDay(tick) };
}

describe('drill: SMTP is down when the digest is due', () => {
  it('the send fails and is retried with backoff; once SMTP is up each member gets the digest exactly once', async () => {
    const owner = await signUpAccount(server);
    const analyst = await addTestMember(server, owner, 'ANALYST');
    for (const token of [owner.accessToken, analyst.accessToken]) {
      expect(dataOf(await server.gql(SetDigestOptInDocument, { enabled: true }, { token })).setDigestOptIn.__typename).toBe('SetDigestOptInPayload');
    }
    const smtpPort = await freeLoopbackPort(); // nothing listens there yet: connections are refused
    const { hourUtc, tick, day } = await missedDigestTick();
    const env = {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_TIMEOUT_MS: '2000',
      DIGEST_HOUR_UTC: String(hourUtc),
      DIGEST_FROM: 'Vigil <digest@vigil.test>',
      WORKER_METRICS_PORT: '0',
      WORKER_CONCURRENCY: '2',
    };
    worker = await spawnVigil('worker', server.databaseUrl, env);

    // Two refused attempts, each followed by graphile-worker's e^n-second backoff.
    const seen = new Map<number, SendJob>();
    await waitUntil(
      async () => {
        for (const job of await sendJobs()) if (job.attempts > 0 && !seen.has(job.attempts)) seen.set(job.attempts, job);
        return seen.has(2);
      },
      'two failed digest attempts',
      20_000,
    );
    for (const attempt of [1, 2]) {
      const job = seen.get(attempt)!;
      expect(job.last_error).toMatch(/ECONNREFUSED/);
      // e^n seconds after the failure, which came some time after the attempt's start.
      expect(job.backoff_seconds).toBeGreaterThan(Math.exp(attempt) - 0.1);
      expect(job.backoff_seconds).toBeLessThan(Math.exp(attempt) + 10);
    }
    expect(seen.get(2)!.backoff_seconds).toBeGreaterThan(seen.get(1)!.backoff_seconds);
    expect(await digestRow(owner.organizationId, day)).toMatchObject({ status: 'failed', attempts: 2, recipients: [], error: expect.stringMatching(/ECONNREFUSED/) });

    // SMTP comes back on the configured port; the worker is left alone.
    sink = await startSmtpSink({ port: smtpPort });
    await waitUntil(async () => (await digestRow(owner.organizationId, day))?.status === 'sent', 'the digest to be sent', 20_000);
    await waitUntil(
      async () => (await server.database.db.execute(sql`select 1 from graphile_worker.jobs where task_identifier = 'digest__send'`)).length === 0,
      'the digest job to finish',
      10_000,
    );
    expect(await digestRow(owner.organizationId, day)).toMatchObject({ status: 'sent', attempts: 3, error: null });

    // A second cron run for the same day, and a restarted worker catching up again, send nothing more.
    await server.database.db.execute(
      sql`select graphile_worker.add_job('digests__enqueue_daily', json_build_object('_cron', json_build_object('ts', ${tick.toISOString()}::text, 'backfilled', false)))`,
    );
    await worker.stop();
    await missedDigestTick();
    worker = await spawnVigil('worker', server.databaseUrl, env);
    await waitUntil(async () => (await server.database.db.execute(sql`select 1 from graphile_worker.jobs where task_identifier like 'digest%'`)).length === 0, 'the cron jobs to finish', 15_000);
    await sleep(500);

    const mailsTo = (email: string) => sink!.mails.filter((m) => m.envelopeTo.includes(email));
    expect(mailsTo(owner.email)).toHaveLength(1);
    expect(mailsTo(analyst.email)).toHaveLength(1);
    expect(sink.mails).toHaveLength(2);
    expect(sink.mails[0]!.subject).toMatch(new RegExp(`^Vigil digest for .*, ${day}: `));
    expect(await digestRow(owner.organizationId, day)).toMatchObject({ status: 'sent', attempts: 3 });
  }, 75_000);
});
