import { eq, sql } from 'drizzle-orm';
import type { ScanningConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import { rowFromJson } from '../db/json-row.ts';
import { retrying } from '../db/retry.ts';
import { creditLedger, monitors, organizations, scans } from '../db/schema/index.ts';
import type { ProfileEntryKind } from '../db/schema/brand-profile.ts';
import { decryptSecret } from '../lib/crypto.ts';
import type { Logger } from '../lib/logger.ts';
import { alertRecords, type AlertInput } from '../services/alerts.ts';
import type { ScanRow } from '../services/scans.ts';
import type { MonitorRow } from '../services/monitors.ts';
import { profileFromRows, type BrandProfile } from '../services/brand-profile.ts';
import { decideFindings, type Decided } from './decide.ts';
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
  profile: BrandProfile;
}

/**
 * Runs the oldest waiting (or interrupted) scan of a monitor. Idempotent: a retried job resumes an
 * interrupted scan without charging again, and finds nothing to do once the scan is recorded.
 */
export async function runMonitorScan(deps: ScanDeps, monitorId: string): Promise<ScanOutcome> {
  return (await scanMonitor(deps, monitorId)).outcome;
}

/**
 * `runMonitorScan`, also telling whether another scan of the monitor is waiting: a scan queued
 * while this one ran (the statement that records a scan says so, which spares the job a look-up).
 */
export async function scanMonitor(deps: ScanDeps, monitorId: string): Promise<{ outcome: ScanOutcome; isMoreWaiting: boolean }> {
  const log = deps.logger.child({ monitorId });
  const claimed = await claimScan(deps, monitorId);
  if (claimed === 'nothing-to-do' || claimed === 'skipped') {
    log.debug({ outcome: claimed }, 'scan not run');
    return { outcome: claimed, isMoreWaiting: claimed === 'skipped' };
  }
  const { scan } = claimed;
  try {
    const isMoreWaiting = await collectAndRecord(deps, claimed, log.child({ scanId: scan.id }));
    return { outcome: 'succeeded', isMoreWaiting };
  } catch (error) {
    log.warn({ err: error, scanId: scan.id }, 'scan failed');
    const sourceOutcomes = error instanceof EverySourceFailed ? error.sourceOutcomes : [];
    await failScan(deps, claimed, error instanceof Error ? error.message : String(error), sourceOutcomes);
    return { outcome: 'failed', isMoreWaiting: true };
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

/**
 * Takes the scan, and charges for it in the same transaction that marks it running: one statement
 * (`vigil_claim_scan`, drizzle/functions/*scan_recording*), which also brings the monitor, the
 * organization's settings and its brand profile.
 */
async function claimScan(deps: ScanDeps, monitorId: string): Promise<Claimed | 'nothing-to-do' | 'skipped'> {
  const [row] = await deps.db.execute<{ claim: ClaimResult }>(sql`select vigil_claim_scan(${monitorId}, ${deps.config.scanCreditCost}) as claim`);
  const claim = row!.claim;
  if (claim.outcome !== 'claimed') return claim.outcome;
  return {
    scan: rowFromJson(scans, claim.scan),
    monitor: rowFromJson(monitors, claim.monitor),
    organizationName: claim.organizationName,
    ownDomains: claim.ownDomains,
    openaiKeyEncrypted: claim.openaiKeyEncrypted,
    profile: profileFromRows(claim.profile),
  };
}

type ClaimResult =
  | { outcome: 'nothing-to-do' | 'skipped' }
  | {
      outcome: 'claimed';
      scan: Record<string, unknown>;
      monitor: Record<string, unknown>;
      organizationName: string;
      ownDomains: string[];
      openaiKeyEncrypted: string | null;
      profile: { kind: ProfileEntryKind; value: unknown }[];
    };

/** Fetches, decides and records the scan; returns whether another scan of the monitor waits. */
async function collectAndRecord(deps: ScanDeps, claimed: Claimed, log: Logger): Promise<boolean> {
  const { scan } = claimed;
  const progress = progressReporter(deps, scan, log);
  try {
    return await fetchDecideAndRecord(deps, claimed, log, progress);
  } finally {
    // A scan that fails is recorded by the caller: its FAILED must not overtake a phase either.
    await progress.flushed();
  }
}

type Progress = ReturnType<typeof progressReporter>;

async function fetchDecideAndRecord(deps: ScanDeps, claimed: Claimed, log: Logger, progress: Progress): Promise<boolean> {
  const { scan, monitor } = claimed;
  const { config } = deps;
  const fetchOptions = { timeoutMs: config.sourceTimeoutMs, maxBytes: config.sourceMaxBytes, allowedPrivateRanges: config.allowedPrivateRanges };
  const warnings: string[] = [];
  const raw: RawFinding[] = [];
  const sourceOutcomes: SourceOutcome[] = [];
  for (const kind of monitor.sources) {
    progress.report('fetching', { source: kind });
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
  const decided = await decideFindings(
    deps.db,
    { config, openaiApiKey: openaiKey, logger: log, isCacheEnabled: true, onProgress: (done, total) => progress.report('analyzing', { done, total }) },
    { organizationId: scan.organizationId, organizationName: claimed.organizationName, monitor, ownDomains: claimed.ownDomains, profile: claimed.profile },
    raw,
  );
  const { candidates, fresh, judged } = decided;
  if (judged.unverified > 0) warnings.push(`LLM unavailable: ${judged.unverified} findings judged by the rules instead (alerts marked unverified)`);
  const warning = warnings.length > 0 ? warnings.join('; ').slice(0, 2_000) : null;
  const record = scanRecord(deps, claimed, decided, sourceOutcomes, warning);
  await progress.flushed();
  // One statement, hence its own transaction and one round trip; run again from the start after a
  // deadlock. Recording the scan is also the check that no other attempt recorded it first.
  const [row] = await retrying(deps.db).execute<{ recorded: RecordResult | null }>(
    sql`select vigil_record_scan(${scan.id}, ${JSON.stringify(record)}::jsonb) as recorded`,
  );
  const recorded = row!.recorded;
  if (!recorded) {
    log.info('another attempt recorded this scan first; this one recorded nothing');
    return true;
  }
  log.info(
    { findings: candidates.length, fresh: fresh.length, suppressed: record.findingsSuppressed, alertsCreated: recorded.alertsCreated, alertsUpdated: recorded.alertsUpdated, tokens: judged.promptTokens + judged.completionTokens },
    'scan recorded',
  );
  deps.onRecorded?.({
    status: 'succeeded',
    durationSeconds: recorded.durationSeconds,
    promptTokens: judged.promptTokens,
    completionTokens: judged.completionTokens,
    costUsd: Number(judged.costUsd.toFixed(6)),
  });
  return recorded.isMoreWaiting;
}

/** What `vigil_record_scan` returns for a scan it recorded. */
interface RecordResult {
  durationSeconds: number | null;
  alertsCreated: number;
  alertsUpdated: number;
  isMoreWaiting: boolean;
}

/** A decided scan as `vigil_record_scan` takes it (see drizzle/functions/*scan_recording*). */
function scanRecord(deps: ScanDeps, claimed: Claimed, decided: Decided, sourceOutcomes: readonly SourceOutcome[], warning: string | null) {
  const { scan, monitor } = claimed;
  const { candidates, seen, fresh, decisions, judged } = decided;
  const threats: AlertInput[] = fresh.flatMap((candidate, index) => {
    const judgement = decisions[index]!;
    if (judgement.kind !== 'judged') return [];
    return [
      {
        organizationId: scan.organizationId,
        monitorId: monitor.id,
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
      },
    ];
  });
  return {
    seen: [...seen],
    findings: fresh.map((candidate, index) => {
      const decision = decisions[index]!;
      return {
        source: candidate.raw.source,
        url: candidate.url,
        urlHash: candidate.urlHash,
        contentHash: candidate.contentHash,
        title: candidate.raw.title.slice(0, 500),
        snippet: candidate.raw.snippet.slice(0, 2_000),
        status: decision.kind === 'suppressed' ? 'suppressed' : 'analyzed',
        suppressedReason: decision.kind === 'suppressed' ? decision.reason : null,
        explanation: decision.kind === 'suppressed' ? (decision.explanation ?? null) : (decision.verdict.explanation ?? null),
        suppressionRuleId: 'suppressionRuleId' in decision ? decision.suppressionRuleId : null,
      };
    }),
    threats: alertRecords(scan.organizationId, monitor.id, threats),
    sources: sourceOutcomes,
    sourceHealth: deps.config.sourceHealth,
    analyzer: judged.analyzer,
    cacheEntries: judged.newCacheEntries,
    findingsSeen: candidates.length,
    findingsSuppressed: decisions.filter((d) => d.kind === 'suppressed').length,
    promptTokens: judged.promptTokens,
    completionTokens: judged.completionTokens,
    costUsd: judged.costUsd.toFixed(6),
    warning,
  };
}

/**
 * Progress of manual scans, for `scanProgress` subscribers: someone is watching those. Sent outside
 * any transaction (there is nothing to roll back), best effort, and in order — also in order with
 * the scan's end: `flushed()` resolves once every notification sent so far has gone out, and the
 * scan awaits it before the statement that records it (and announces `SUCCEEDED` or `FAILED`), so
 * a late `ANALYZING` never reaches a subscriber after the final phase.
 */
function progressReporter(deps: ScanDeps, scan: ScanRow, log: Logger) {
  let chain = Promise.resolve();
  const report = (phase: 'fetching' | 'analyzing', details: { source?: string; done?: number; total?: number }) => {
    if (scan.trigger !== 'manual') return;
    const payload = JSON.stringify({ type: 'scan.progress', organizationId: scan.organizationId, monitorId: scan.monitorId, scanId: scan.id, phase, ...details });
    chain = chain
      .then(() => deps.db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})`))
      .then(() => {}, (error: unknown) => log.debug({ err: error }, 'progress notification failed'));
  };
  return { report, flushed: () => chain };
}

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
