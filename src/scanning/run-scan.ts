import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { ScanningConfig } from '../config.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { retrying } from '../db/retry.ts';
import { analysisCache, creditLedger, findings, monitors, organizations, scans, suppressionRules } from '../db/schema/index.ts';
import { decryptSecret } from '../lib/crypto.ts';
import type { Logger } from '../lib/logger.ts';
import { upsertAlerts } from '../services/alerts.ts';
import type { ScanRow } from '../services/scans.ts';
import type { MonitorRow } from '../services/monitors.ts';
import { loadBrandProfile } from '../services/brand-profile.ts';
import { decideFindings, type Decision } from './decide.ts';
import { recordSourceHealth, type SourceOutcome } from './source-health.ts';
import { SOURCES } from './sources/index.ts';
import { EVENTS_CHANNEL } from '../live/events.ts';
import type { RawFinding } from './sources/types.ts';

export interface ScanDeps {
  db: Db;
  config: ScanningConfig;
  logger: Logger;
  /** Decrypts organizations' own OpenAI keys; absent when no ENCRYPTION_KEY is configured. */
  encryptionKey: Buffer | undefined;
  /**
   * Told of each scan this process recorded, after the commit: once per scan, since of two attempts
   * at one scan only the one that records it gets here (the other rolls back).
   */
  onRecorded?: (scan: RecordedScan) => void;
}

/** A finished scan's figures, for metrics. */
export interface RecordedScan {
  status: 'succeeded' | 'failed';
  durationSeconds: number | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export type ScanOutcome = 'nothing-to-do' | 'skipped' | 'succeeded' | 'failed';

interface Claimed {
  scan: ScanRow;
  monitor: MonitorRow;
  organizationName: string;
  ownDomains: string[];
  openaiKeyEncrypted: string | null;
}

/**
 * Runs the oldest waiting (or interrupted) scan of a monitor. Idempotent: a retried job resumes an
 * interrupted scan without charging again, and finds nothing to do once the scan is recorded.
 */
export async function runMonitorScan(deps: ScanDeps, monitorId: string): Promise<ScanOutcome> {
  const log = deps.logger.child({ monitorId });
  const claimed = await claimScan(deps, monitorId);
  if (claimed === 'nothing-to-do' || claimed === 'skipped') {
    log.debug({ outcome: claimed }, 'scan not run');
    return claimed;
  }
  const { scan } = claimed;
  try {
    await collectAndRecord(deps, claimed, log.child({ scanId: scan.id }));
    return 'succeeded';
  } catch (error) {
    log.warn({ err: error, scanId: scan.id }, 'scan failed');
    const sourceOutcomes = error instanceof EverySourceFailed ? error.sourceOutcomes : [];
    await failScan(deps, claimed, error instanceof Error ? error.message : String(error), sourceOutcomes);
    return 'failed';
  }
}

/** The whole scan fails, but each source's failure still counts towards its health. */
class EverySourceFailed extends Error {
  readonly sourceOutcomes: SourceOutcome[];
  constructor(sourceOutcomes: SourceOutcome[], warnings: string[]) {
    super(`Every source failed — ${warnings.join('; ')}`);
    this.sourceOutcomes = sourceOutcomes;
  }
}

/** Takes the scan, and charges for it in the same transaction that marks it running. */
async function claimScan(deps: ScanDeps, monitorId: string): Promise<Claimed | 'nothing-to-do' | 'skipped'> {
  // Most jobs find exactly one scan; checking without a transaction first keeps the drained case cheap.
  const [waiting] = await deps.db
    .select({ id: scans.id })
    .from(scans)
    .where(and(eq(scans.monitorId, monitorId), inArray(scans.status, ['queued', 'running'])))
    .limit(1);
  if (!waiting) return 'nothing-to-do';
  return deps.db.transaction(async (tx) => {
    // The scan, its monitor and the organization's settings in one locked read.
    const [row] = await tx
      .select({ scan: scans, monitor: monitors, organizationName: organizations.name, ownDomains: organizations.ownDomains, openaiKeyEncrypted: organizations.openaiKeyEncrypted })
      .from(scans)
      .innerJoin(monitors, eq(monitors.id, scans.monitorId))
      .innerJoin(organizations, eq(organizations.id, scans.organizationId))
      .where(and(eq(scans.monitorId, monitorId), inArray(scans.status, ['queued', 'running'])))
      .orderBy(asc(scans.queuedAt))
      .limit(1)
      .for('update', { of: scans });
    if (!row) return 'nothing-to-do';
    const { scan } = row;
    const settings = { monitor: row.monitor, organizationName: row.organizationName, ownDomains: row.ownDomains, openaiKeyEncrypted: row.openaiKeyEncrypted };
    if (scan.status !== 'queued') return { scan, ...settings };
    if (row.monitor.status === 'paused' && scan.trigger === 'schedule') {
      await finishWithoutRunning(tx, scan.id, monitorId, 'skipped', 'The monitor is paused');
      return 'skipped';
    }
    // Debit, ledger entry and "running" in one statement: the balance can only go down while it
    // stays >= 0 (the conditional update), and nothing is charged for a scan that is not started.
    const cost = deps.config.scanCreditCost;
    const [started] = await tx.execute<ScanRow & { balance: number }>(sql`
      with charged as (
        update organizations set credit_balance = credit_balance - ${cost}
        where id = ${scan.organizationId} and credit_balance >= ${cost}
        returning credit_balance
      ), ledger as (
        insert into credit_ledger (organization_id, delta, balance_after, reason, scan_id)
        select ${scan.organizationId}, ${-cost}, credit_balance, 'scan', ${scan.id} from charged where ${cost} > 0
      )
      update scans set status = 'running', started_at = now(), credits_charged = ${cost}
      where id = ${scan.id} and exists (select 1 from charged)
      returning id`);
    if (!started) {
      await finishWithoutRunning(tx, scan.id, monitorId, 'skipped', `No scan credits left: a scan costs ${cost}; credits are granted monthly by plan`);
      return 'skipped';
    }
    return { scan: { ...scan, status: 'running' as const, creditsCharged: cost }, ...settings };
  });
}

async function finishWithoutRunning(tx: DbOrTx, scanId: string, monitorId: string, status: 'skipped', reason: string): Promise<void> {
  await tx.update(scans).set({ status, finishedAt: sql`now()`, error: reason }).where(eq(scans.id, scanId));
  await tx.update(monitors).set({ lastError: reason }).where(eq(monitors.id, monitorId));
}

async function collectAndRecord(deps: ScanDeps, claimed: Claimed, log: Logger): Promise<void> {
  const { scan, monitor } = claimed;
  const { config } = deps;
  const fetchOptions = { timeoutMs: config.sourceTimeoutMs, maxBytes: config.sourceMaxBytes, allowedPrivateRanges: config.allowedPrivateRanges };
  const warnings: string[] = [];
  const raw: RawFinding[] = [];
  const sourceOutcomes: SourceOutcome[] = [];
  const progress = progressReporter(deps, scan, log);
  for (const kind of monitor.sources) {
    progress('fetching', { source: kind });
    try {
      const results = await SOURCES[kind].fetch({ monitor, config, fetchOptions, seed: `${monitor.id}:${scan.id}`, warn: (m) => warnings.push(`${kind}: ${m}`) });
      raw.push(...results);
      sourceOutcomes.push({ source: kind, isOk: true, results: results.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sourceOutcomes.push({ source: kind, isOk: false, error: message });
      warnings.push(`${kind}: ${message}`);
    }
  }
  if (sourceOutcomes.every((o) => !o.isOk)) throw new EverySourceFailed(sourceOutcomes, warnings);

  const openaiKey = resolveOpenAiKey(deps, claimed);
  const profile = await loadBrandProfile(deps.db, scan.organizationId);
  const { candidates, seen, fresh, decisions, judged } = await decideFindings(
    deps.db,
    { config, openaiApiKey: openaiKey, logger: log, isCacheEnabled: true, onProgress: (done, total) => progress('analyzing', { done, total }) },
    { organizationId: scan.organizationId, organizationName: claimed.organizationName, monitor, ownDomains: claimed.ownDomains, profile },
    raw,
  );

  if (judged.unverified > 0) warnings.push(`LLM unavailable: ${judged.unverified} findings judged by the rules instead (alerts marked unverified)`);
  // Run again from the start after a deadlock, so nothing in it may change state outside `tx`.
  await retrying(deps.db)
    .transaction(async (tx): Promise<RecordedScan> => {
      if (seen.size > 0) {
        await tx
          .update(findings)
          .set({ lastSeenAt: sql`now()` })
          .where(and(eq(findings.monitorId, monitor.id), inArray(findings.urlHash, [...seen])));
      }
      // One statement for the findings and one batch for the alerts, whatever their number.
      const suppressed = decisions.filter((d) => d.kind === 'suppressed').length;
      const liveRuleIds = await lockRulesStillPresent(tx, decisions);
      if (fresh.length > 0) {
        await tx
          .insert(findings)
          .values(
            fresh.map((candidate, index) => {
              const decision = decisions[index]!;
              return {
                organizationId: scan.organizationId,
                monitorId: monitor.id,
                scanId: scan.id,
                source: candidate.raw.source,
                url: candidate.url,
                urlHash: candidate.urlHash,
                contentHash: candidate.contentHash,
                title: candidate.raw.title.slice(0, 500),
                snippet: candidate.raw.snippet.slice(0, 2_000),
                status: decision.kind === 'suppressed' ? ('suppressed' as const) : ('analyzed' as const),
                suppressedReason: decision.kind === 'suppressed' ? decision.reason : null,
                explanation: decision.kind === 'suppressed' ? (decision.explanation ?? null) : (decision.verdict.explanation ?? null),
                suppressionRuleId: 'suppressionRuleId' in decision && liveRuleIds.has(decision.suppressionRuleId) ? decision.suppressionRuleId : null,
              };
            }),
          )
          .onConflictDoUpdate({ target: [findings.monitorId, findings.urlHash], set: { lastSeenAt: sql`now()` } });
      }
      const threats = fresh.flatMap((candidate, index) => {
        const judgement = decisions[index]!;
        if (judgement.kind !== 'judged') return [];
        return [
          {
            fingerprint: candidate.urlHash,
            title: candidate.raw.title.slice(0, 500) || candidate.url,
            summary: candidate.raw.snippet.slice(0, 5_000),
            url: candidate.url,
            source: candidate.raw.source,
            category: judgement.verdict.category,
            severity: judgement.verdict.severity,
            confidence: judgement.verdict.confidence,
            rationale: judgement.verdict.rationale.slice(0, 1_000),
            explanation: judgement.verdict.explanation ?? null,
            isUnverified: judgement.isUnverified,
            organizationId: scan.organizationId,
            monitorId: monitor.id,
          },
        ];
      });
      const outcomes = await upsertAlerts(tx, scan.organizationId, monitor.id, threats, { isMonitorVerified: true });
      const health = await recordSourceHealth(tx, config.sourceHealth, monitor, sourceOutcomes);
      const threatsCreated = outcomes.filter((o) => o.outcome === 'created').length;
      const alertsCreated = threatsCreated + health.alertsCreated;
      const alertsUpdated = outcomes.length - threatsCreated + health.alertsUpdated;
      if (judged.newCacheEntries.length > 0) {
        await tx
          .insert(analysisCache)
          .values(judged.newCacheEntries.map((entry) => ({ contentHash: entry.contentHash, analyzer: judged.analyzer, verdict: entry.verdict })))
          .onConflictDoNothing();
      }
      const warning = warnings.length > 0 ? warnings.join('; ').slice(0, 2_000) : null;
      // Recording the scan is also the check that no other attempt recorded it first: the row lock
      // orders concurrent attempts, and the loser finds the status changed and rolls everything back.
      const recorded = await tx.execute(sql`
        with recorded as (
          update scans set status = 'succeeded', finished_at = now(), findings_seen = ${candidates.length},
            findings_new = ${fresh.length}, findings_suppressed = ${suppressed}, alerts_created = ${alertsCreated},
            alerts_updated = ${alertsUpdated}, prompt_tokens = ${judged.promptTokens},
            completion_tokens = ${judged.completionTokens}, cost_usd = ${judged.costUsd.toFixed(6)}, error = ${warning}
          where id = ${scan.id} and status = 'running'
          returning monitor_id, extract(epoch from finished_at - started_at)::float8 as duration_seconds
        )
        update monitors set last_scan_at = now(), last_error = ${warning}
        where id in (select monitor_id from recorded)
        returning (select duration_seconds from recorded)`);
      if (recorded.length === 0) throw new AlreadyRecorded();
      log.info({ findings: candidates.length, fresh: fresh.length, suppressed, alertsCreated, alertsUpdated, tokens: judged.promptTokens + judged.completionTokens }, 'scan recorded');
      return {
        status: 'succeeded',
        durationSeconds: (recorded[0] as { duration_seconds: number | null }).duration_seconds,
        promptTokens: judged.promptTokens,
        completionTokens: judged.completionTokens,
        costUsd: Number(judged.costUsd.toFixed(6)),
      };
    })
    .then((recorded) => deps.onRecorded?.(recorded))
    .catch((error: unknown) => {
      if (!(error instanceof AlreadyRecorded)) throw error;
      log.info('another attempt recorded this scan first; this one was rolled back');
    });
}

/**
 * A rule may be deleted while the scan judges the rest: its findings keep the reason, without the
 * link. The rules still there are locked against deletion until the findings naming them are in.
 */
async function lockRulesStillPresent(tx: DbOrTx, decisions: readonly Decision[]): Promise<Set<string>> {
  const ids = [...new Set(decisions.flatMap((d) => ('suppressionRuleId' in d ? [d.suppressionRuleId] : [])))];
  if (ids.length === 0) return new Set();
  const present = await tx.select({ id: suppressionRules.id }).from(suppressionRules).where(inArray(suppressionRules.id, ids)).for('key share');
  return new Set(present.map((rule) => rule.id));
}

/**
 * Progress of manual scans, for `scanProgress` subscribers: someone is watching those. Sent outside
 * any transaction (there is nothing to roll back), best effort, and in order.
 */
function progressReporter(deps: ScanDeps, scan: ScanRow, log: Logger) {
  let chain = Promise.resolve();
  return (phase: 'fetching' | 'analyzing', details: { source?: string; done?: number; total?: number }) => {
    if (scan.trigger !== 'manual') return;
    const payload = JSON.stringify({ type: 'scan.progress', organizationId: scan.organizationId, monitorId: scan.monitorId, scanId: scan.id, phase, ...details });
    chain = chain
      .then(() => deps.db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})`))
      .then(() => {}, (error: unknown) => log.debug({ err: error }, 'progress notification failed'));
  };
}

/** Rolls back an attempt that lost the race to record its scan. */
class AlreadyRecorded extends Error {}

function resolveOpenAiKey(deps: ScanDeps, claimed: Claimed): string | undefined {
  if (claimed.openaiKeyEncrypted && deps.encryptionKey) {
    try {
      return decryptSecret(deps.encryptionKey, claimed.openaiKeyEncrypted);
    } catch (error) {
      deps.logger.error({ err: error, organizationId: claimed.scan.organizationId }, 'cannot decrypt the organization’s OpenAI key; using the server default');
    }
  }
  return deps.config.openai.apiKey;
}

/**
 * Records the failure and gives the credits back, once, in one transaction. When every source
 * failed, their failures count towards their health in that same transaction.
 */
async function failScan(deps: ScanDeps, claimed: Claimed, message: string, sourceOutcomes: readonly SourceOutcome[]): Promise<void> {
  const scanId = claimed.scan.id;
  const recorded = await retrying(deps.db).transaction(async (tx): Promise<RecordedScan | undefined> => {
    const [scan] = await tx.select().from(scans).where(eq(scans.id, scanId)).for('update');
    if (!scan || scan.status !== 'running') return undefined;
    const error = message.slice(0, 2_000);
    const health = await recordSourceHealth(tx, deps.config.sourceHealth, claimed.monitor, sourceOutcomes);
    const [failed] = await tx
      .update(scans)
      .set({ status: 'failed', finishedAt: sql`now()`, error, alertsCreated: health.alertsCreated, alertsUpdated: health.alertsUpdated })
      .where(eq(scans.id, scanId))
      .returning({ durationSeconds: sql<number | null>`extract(epoch from ${scans.finishedAt} - ${scans.startedAt})::float8` });
    await tx.update(monitors).set({ lastError: error, lastScanAt: sql`now()` }).where(eq(monitors.id, claimed.monitor.id));
    if (scan.creditsCharged > 0) {
      const [refunded] = await tx
        .update(organizations)
        .set({ creditBalance: sql`${organizations.creditBalance} + ${scan.creditsCharged}` })
        .where(eq(organizations.id, scan.organizationId))
        .returning({ balance: organizations.creditBalance });
      await tx.insert(creditLedger).values({ organizationId: scan.organizationId, delta: scan.creditsCharged, balanceAfter: refunded!.balance, reason: 'refund', scanId });
    }
    return { status: 'failed', durationSeconds: failed!.durationSeconds, promptTokens: scan.promptTokens, completionTokens: scan.completionTokens, costUsd: Number(scan.costUsd) };
  });
  if (recorded) deps.onRecorded?.(recorded);
}
