import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { ScanningConfig } from '../config.ts';
import type { DbOrTx } from '../db/client.ts';
import { analysisCache } from '../db/schema/index.ts';
import type { Explanation } from '../db/schema/explanation.ts';
import type { Logger } from '../lib/logger.ts';
import { describeProfileEntry, retrieveProfileEntries } from '../services/brand-profile.ts';
import { analyzeBatch, createOpenAiClient, type BatchContext, type OpenAiSettings } from './analyzers/openai.ts';
import { judgeWithRules } from './analyzers/rules.ts';
import type { Verdict } from './analyzers/types.ts';
import { compileSubject, readFinding, type CandidateFinding, type CompiledSubject, type JudgeSubject } from './detection/subject.ts';
import { foldText } from './matching.ts';

export type Judgement =
  | { kind: 'suppressed'; reason: string; explanation?: Explanation }
  | { kind: 'judged'; verdict: Verdict; isUnverified: boolean; isFromCache: boolean };

export interface JudgeResult {
  judgements: Judgement[];
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** LLM verdicts to remember, by cache key. */
  newCacheEntries: { contentHash: string; verdict: Verdict }[];
  analyzer: string;
  /** Findings the rules judged because the LLM could not: worth a warning on the scan. */
  unverified: number;
  /** Findings sent to the LLM (not answered from the cache). */
  sentToLlm: number;
}

/**
 * How much of the brand profile a prompt carries, in characters (about a quarter as many tokens).
 * A larger profile is cut down to the entries that match the batch.
 */
export const PROFILE_PROMPT_BUDGET = 2_000;
/** At most this many retrieved entries per batch. */
const RETRIEVED_ENTRIES = 40;

/**
 * Verdicts are cached per organization and everything the verdict depends on (monitor, exclusions,
 * own domains, profile), not by content alone: the same page may be a threat to one brand and
 * harmless to another, and one tenant's LLM rationale must never be shown to another tenant.
 */
export function cacheKey(organizationId: string, compiled: CompiledSubject, contentHash: string): string {
  return createHash('sha256').update(`${organizationId}\n${compiled.fingerprint()}\n${contentHash}`).digest('hex');
}

function profileDescriptions(subject: JudgeSubject): string[] {
  const { profile } = subject;
  return [
    ...profile.names.map((v) => describeProfileEntry('name', v)),
    ...profile.domains.map((v) => describeProfileEntry('domain', v)),
    ...profile.products.map((v) => describeProfileEntry('product', v)),
    ...profile.people.map((v) => describeProfileEntry('person', v)),
    ...profile.handles.map((v) => describeProfileEntry('handle', v)),
    ...profile.apps.map((v) => describeProfileEntry('app', v)),
    ...profile.partners.map((v) => describeProfileEntry('partner', v)),
    ...profile.platforms.map((v) => describeProfileEntry('platform', v)),
  ];
}

/** Profile entries whose words occur in the finding: what an explanation names as used. */
function entriesMentioned(entries: readonly string[], finding: CandidateFinding): string[] {
  const text = foldText(`${finding.title} ${finding.snippet} ${finding.url}`);
  return entries.filter((entry) => {
    const value = foldText(entry.slice(entry.indexOf(':') + 1).replace(/\(.*\)$/, '').trim());
    return value.length >= 3 && text.includes(value);
  });
}

/**
 * Judges new findings. Only deterministic filters drop a finding here (official assets, excluded
 * terms, no mention of the brand); every other candidate is judged — by the LLM in batches when a
 * key is configured (highest rules score first, cached verdicts reused), by the rules otherwise.
 * A batch the LLM cannot answer falls back to the rules, marked unverified. Every finding comes
 * back judged or suppressed, with its explanation.
 */
export async function judgeFindings(
  db: DbOrTx,
  config: ScanningConfig,
  subject: JudgeSubject,
  candidates: readonly CandidateFinding[],
  openaiApiKey: string | undefined,
  logger: Logger,
  /** Called as LLM batches complete: findings judged so far out of all new ones. */
  onProgress: (done: number, total: number) => void = () => {},
  options: { isCacheEnabled: boolean } = { isCacheEnabled: true },
): Promise<JudgeResult> {
  const judgements: (Judgement | undefined)[] = new Array(candidates.length);
  const result: JudgeResult = { judgements: [], promptTokens: 0, completionTokens: 0, costUsd: 0, newCacheEntries: [], analyzer: openaiApiKey ? `openai:${config.openai.model}` : 'rules', unverified: 0, sentToLlm: 0 };
  const compiled = compileSubject(subject);
  const forLlm: { index: number; score: number }[] = [];
  const rulesVerdicts = new Map<number, Verdict>();

  candidates.forEach((candidate, index) => {
    const outcome = judgeWithRules(candidate, compiled, readFinding(candidate, compiled));
    if (outcome.isSuppressed) {
      judgements[index] = { kind: 'suppressed', reason: outcome.reason, explanation: outcome.explanation };
      return;
    }
    rulesVerdicts.set(index, outcome.verdict);
    if (!openaiApiKey) judgements[index] = toJudgement(outcome.verdict, false, false);
    else forLlm.push({ index, score: outcome.score });
  });

  if (openaiApiKey && forLlm.length > 0) {
    // The rules' score orders the work: the likeliest threats are judged first.
    const order = forLlm.sort((a, b) => b.score - a.score || a.index - b.index).map((entry) => entry.index);
    const keyOf = (index: number) => cacheKey(subject.organizationId, compiled, candidates[index]!.contentHash);
    const cache = new Map<string, Verdict>();
    if (options.isCacheEnabled) {
      const cached = await db
        .select()
        .from(analysisCache)
        .where(and(eq(analysisCache.analyzer, result.analyzer), inArray(analysisCache.contentHash, [...new Set(order.map(keyOf))])));
      for (const row of cached) cache.set(row.contentHash, row.verdict as Verdict);
    }
    const uncached: number[] = [];
    for (const index of order) {
      const verdict = cache.get(keyOf(index));
      if (verdict) judgements[index] = toJudgement(verdict, false, true);
      else uncached.push(index);
    }
    result.sentToLlm = uncached.length;
    const settings: OpenAiSettings = { ...config.openai, apiKey: openaiApiKey };
    const client = createOpenAiClient(settings);
    const allEntries = profileDescriptions(subject);
    const fitsBudget = allEntries.join('\n').length <= PROFILE_PROMPT_BUDGET;
    for (let start = 0; start < uncached.length; start += config.openai.batchSize) {
      onProgress(candidates.length - uncached.length + start, candidates.length);
      const batch = uncached.slice(start, start + config.openai.batchSize);
      const findings = batch.map((i) => candidates[i]!);
      try {
        const profileEntries = fitsBudget
          ? allEntries
          : (await retrieveProfileEntries(db, subject.organizationId, findings.map((f) => `${f.title} ${f.snippet} ${f.url}`).join('\n'), RETRIEVED_ENTRIES)).map((e) => e.description);
        const context: BatchContext = {
          organization: subject.organizationName,
          monitor: { name: subject.monitor.name, kind: subject.monitor.kind, terms: subject.monitor.terms, excludeTerms: subject.monitor.excludeTerms },
          officialDomains: [...new Set([...subject.ownDomains, ...subject.profile.domains])],
          profileEntries,
        };
        const answer = await analyzeBatch(client, settings, context, findings);
        result.promptTokens += answer.promptTokens;
        result.completionTokens += answer.completionTokens;
        result.costUsd += answer.costUsd;
        batch.forEach((index, position) => {
          const verdict = answer.verdicts.get(position);
          const rules = rulesVerdicts.get(index)!;
          if (verdict) {
            const explained: Verdict = {
              ...verdict,
              explanation: {
                analyzer: 'llm',
                matchedTerm: rules.explanation?.matchedTerm ?? null,
                signals: rules.explanation?.signals ?? [],
                profileEntries: entriesMentioned(profileEntries, candidates[index]!),
                confidence: verdict.confidence,
                rationale: verdict.rationale,
              },
            };
            judgements[index] = toJudgement(explained, false, false);
            if (options.isCacheEnabled) result.newCacheEntries.push({ contentHash: keyOf(index), verdict: explained });
          } else {
            judgements[index] = toJudgement(rules, true, false);
          }
        });
      } catch (error) {
        const usage = (error as { usage?: { promptTokens: number; completionTokens: number; costUsd: number } }).usage;
        if (usage) {
          result.promptTokens += usage.promptTokens;
          result.completionTokens += usage.completionTokens;
          result.costUsd += usage.costUsd;
        }
        logger.warn({ err: error, findings: batch.length }, 'LLM unavailable: judging this batch with the rules');
        for (const index of batch) judgements[index] = toJudgement(rulesVerdicts.get(index)!, true, false);
      }
    }
  }
  result.judgements = judgements.map((j) => j!);
  result.unverified = forLlm.filter(({ index }) => {
    const judgement = result.judgements[index]!;
    return judgement.kind === 'judged' ? judgement.isUnverified : judgement.reason.startsWith('below the threat threshold (rules, LLM unavailable)');
  }).length;
  return result;
}

function toJudgement(verdict: Verdict, isUnverified: boolean, isFromCache: boolean): Judgement {
  if (verdict.isThreat) return { kind: 'judged', verdict, isUnverified, isFromCache };
  const reason = isUnverified
    ? `below the threat threshold (rules, LLM unavailable): ${verdict.rationale}`
    : verdict.explanation?.analyzer === 'llm' || (!verdict.explanation && !verdict.rationale.startsWith('Rules'))
      ? `analyzer: not a threat — ${verdict.rationale}`
      : `below the threat threshold: ${verdict.rationale}`;
  return { kind: 'suppressed', reason, explanation: verdict.explanation };
}
