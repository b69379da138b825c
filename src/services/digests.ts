import { createHash } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { DigestConfig } from '../config.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { digests, memberships, users } from '../db/schema/index.ts';
import type { Logger } from '../lib/logger.ts';
import { buildDigestReport, type DigestReport } from './digest-report.ts';
import { renderDigestEmail } from './digest-email.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import type { Viewer } from './viewer.ts';
import { enqueueWebhookEvent } from './webhooks.ts';

export const DIGEST_SEND_TASK = 'digest__send';
/** Attempts of one digest job; graphile-worker waits e^n seconds after the n-th, about 3.5 hours in all. */
export const DIGEST_MAX_ATTEMPTS = 10;
/** How long one attempt holds a digest; longer than any send, so only a crashed worker's claim expires. */
const CLAIM_SECONDS = 15 * 60;

export type DigestRow = typeof digests.$inferSelect;

/** Members turn the daily digest on and off for themselves; an API key has no membership to change. */
export async function setDigestOptIn(db: DbOrTx, viewer: Viewer, enabled: boolean) {
  if (!viewer.userId) throw new ForbiddenError('API keys have no digest subscription; sign in as the member to change it');
  const [membership] = await db
    .update(memberships)
    .set({ isDigestOptedIn: enabled })
    .where(and(eq(memberships.organizationId, viewer.organizationId), eq(memberships.userId, viewer.userId)))
    .returning();
  if (!membership) throw new NotFoundError('Membership', viewer.userId);
  return membership;
}

export function digestJobKey(organizationId: string, day: string): string {
  return `${DIGEST_SEND_TASK}:${organizationId}:${day}`;
}

/**
 * Queues one digest job for `day` per organization someone would hear from: a member opted in to
 * email (when SMTP is configured) or an active webhook subscribed to `digest.daily`. Keyed by
 * organization and day with `unsafe_dedupe`: a retried or repeated cron adds nothing while the job
 * exists, and in particular leaves a job that is backing off from an SMTP failure alone.
 */
export async function enqueueDailyDigests(db: DbOrTx, day: string, isEmailEnabled: boolean): Promise<number> {
  const rows = await db.execute<{ organization_id: string }>(sql`
    select o.id as organization_id,
      graphile_worker.add_job(${DIGEST_SEND_TASK}, json_build_object('organizationId', o.id, 'day', ${day}::text),
        job_key := ${DIGEST_SEND_TASK} || ':' || o.id || ':' || ${day}::text, job_key_mode := 'unsafe_dedupe',
        max_attempts := ${DIGEST_MAX_ATTEMPTS}::int)
    from organizations o
    where (
        (${isEmailEnabled}::boolean and exists (select 1 from memberships m where m.organization_id = o.id and m.is_digest_opted_in))
        or vigil_has_webhook(o.id, 'digest.daily'))
      and not exists (select 1 from digests d where d.organization_id = o.id and d.day = ${day}::date and d.status = 'sent')`);
  return rows.length;
}

/** Another attempt holds this digest right now; the job retries later and then finds it sent. */
export class DigestBusyError extends Error {
  constructor(organizationId: string, day: string) {
    super(`digest ${organizationId} ${day} is being sent by another attempt`);
    this.name = 'DigestBusyError';
  }
}

export interface DigestDeps {
  db: Db;
  config: DigestConfig;
  logger: Logger;
}

export type DigestOutcome = 'sent' | 'already-sent' | 'nothing-to-do';

/**
 * Sends one organization's digest for one UTC day, once. The claim (insert on conflict do nothing,
 * then a conditional update) lets one attempt at a time through and none after `sent`; the webhook
 * event is queued with the row's creation, so it goes out once whatever email does. Each member is
 * mailed separately and recorded as soon as the server accepts the message, so an attempt that
 * fails half-way makes the retry mail only those left. The one window left is a crash between the
 * server's acceptance and that record; the Message-ID is fixed per (organization, day, recipient)
 * so a mail client can tell the copy for what it is.
 */
export async function sendDailyDigest(deps: DigestDeps, organizationId: string, day: string): Promise<DigestOutcome> {
  const { db, config } = deps;
  const report = await buildDigestReport(db, organizationId, day, config.maxAlerts);
  if (!report) return 'nothing-to-do'; // the organization was deleted

  const claimed = await db.transaction(async (tx) => {
    const [created] = await tx.insert(digests).values({ organizationId, day }).onConflictDoNothing().returning({ day: digests.day });
    if (created) await enqueueWebhookEvent(tx, organizationId, 'digest.daily', { ...report });
    const [row] = await tx
      .update(digests)
      .set({
        status: 'sending',
        attempts: sql`${digests.attempts} + 1`,
        claimedUntil: sql`now() + make_interval(secs => ${CLAIM_SECONDS})`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(digests.organizationId, organizationId),
          eq(digests.day, day),
          sql`${digests.status} <> 'sent'`,
          sql`(${digests.claimedUntil} is null or ${digests.claimedUntil} < now())`,
        ),
      )
      .returning();
    if (row) return row;
    const [current] = await tx
      .select({ status: digests.status })
      .from(digests)
      .where(and(eq(digests.organizationId, organizationId), eq(digests.day, day)));
    return current?.status === 'sent' ? null : 'busy';
  });
  if (claimed === null) return 'already-sent';
  if (claimed === 'busy') throw new DigestBusyError(organizationId, day);

  const pending = (await optedInEmails(db, organizationId)).filter((email) => !claimed.recipients.includes(email));
  if (pending.length > 0 && !config.smtpUrl) {
    deps.logger.info({ organizationId, day, members: pending.length }, 'digest: no SMTP_URL, so opted-in members get no email');
  } else if (pending.length > 0) {
    try {
      await mailDigest(deps, report, organizationId, pending);
    } catch (error) {
      await db
        .update(digests)
        .set({ status: 'failed', claimedUntil: null, error: String((error as Error).message ?? error), updatedAt: sql`now()` })
        .where(and(eq(digests.organizationId, organizationId), eq(digests.day, day)));
      throw error;
    }
  }
  await db
    .update(digests)
    .set({ status: 'sent', sentAt: sql`now()`, claimedUntil: null, error: null, updatedAt: sql`now()` })
    .where(and(eq(digests.organizationId, organizationId), eq(digests.day, day)));
  return 'sent';
}

function optedInEmails(db: DbOrTx, organizationId: string): Promise<string[]> {
  return db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.isDigestOptedIn, true)))
    .orderBy(asc(users.email))
    .then((rows) => rows.map((r) => r.email));
}

/** One message per member over one pooled connection, each recorded the moment it is accepted. */
async function mailDigest(deps: DigestDeps, report: DigestReport, organizationId: string, recipients: string[]): Promise<void> {
  const { config } = deps;
  const email = renderDigestEmail(report);
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: true,
    maxConnections: 1,
    connectionTimeout: config.smtpTimeoutMs,
    greetingTimeout: config.smtpTimeoutMs,
    socketTimeout: config.smtpTimeoutMs,
  });
  try {
    for (const recipient of recipients) {
      const tag = createHash('sha256').update(`${organizationId}:${report.date}:${recipient}`).digest('hex').slice(0, 32);
      await transport.sendMail({
        from: config.from,
        to: recipient,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<digest.${report.date}.${tag}@vigil>`,
        headers: { 'Vigil-Digest-Date': report.date },
      });
      await deps.db
        .update(digests)
        .set({ recipients: sql`array_append(${digests.recipients}, ${recipient}::text)`, updatedAt: sql`now()` })
        .where(and(eq(digests.organizationId, organizationId), eq(digests.day, report.date)));
    }
  } finally {
    transport.close();
  }
}
