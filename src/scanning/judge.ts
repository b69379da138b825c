import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { ScanningConfig } from '../config.ts';
import type { DbOrTx } from '../db/client.ts';
import { analysisCache } from '../db/schema/index.ts';
import type { Logger } from '../lib/logger.ts';
import { analyzeBatch, createOpenAiClient, type OpenAiSettings } from './analyzers/openai.ts';
import { judgeWithRules, PREFILTER_THRESHOLD } from './analyzers/rules.ts';
import type { CandidateFinding, MonitorProfile, Verdict } from './analyzers/types.ts';

export type Judgement =
  | { kind: 'suppressed'; reason: string }
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
 * Verdicts are cached per organization and monitor profile, not by content alone: the same page
 * may be a threat to one brand and harmless to another, and one tenant's LLM rationale must never
 * be shown to another tenant.
 */
export function cacheKey(organizationId: string, profile: MonitorProfile, contentHash: string): string {
  const scope = JSON.stringify([organizationId, profile.kind, [...profile.terms].sort(), [...profile.excludeTerms].sort(), [...profile.ownDomains].sort()]);
  return createHash('sha256').update(`${scope}\n${contentHash}`).digest('hex');
}

/**
 * Judges new findings. With an OpenAI key: the rules drop what is clearly out (own domains,
 * exclusions, no term, no threat signal at all), cached verdicts are reused, and the rest go to the
 * LLM in batches; a batch the LLM cannot answer falls back to the rules, marked unverified. Without
 * a key the rules decide alone. Every finding comes back judged or suppressed with a reason.
 */
export async function judgeFindings(
  db: DbOrTx,
  config: ScanningConfig,
  organizationId: string,
  profile: MonitorProfile,
  candidates: readonly CandidateFinding[],
  openaiApiKey: string | undefined,
  logger: Logger,
  /** Called as LLM batches complete: findings judged so far out of all new ones. */
  onProgress: (done: number, total: number) => void = () => {},
  options: { isCacheEnabled: boolean } = { isCacheEnabled: true },
): Promise<JudgeResult> {
  const judgements: (Judgement | undefined)[] = new Array(candidates.length);
  const result: JudgeResult = { judgements: [], promptTokens: 0, completionTokens: 0, costUsd: 0, newCacheEntries: [], analyzer: openaiApiKey ? `openai:${config.openai.model}` : 'rules', unverified: 0, sentToLlm: 0 };
  const forLlm: number[] = [];
  const rulesVerdicts = new Map<number, Verdict>();

  candidates.forEach((candidate, index) => {
    const outcome = judgeWithRules(candidate, profile);
    if (outcome.isSuppressed) {
      judgements[index] = { kind: 'suppressed', reason: outcome.reason };
      return;
    }
    rulesVerdicts.set(index, outcome.verdict);
    if (!openaiApiKey) {
      judgements[index] = outcome.verdict.isThreat
        ? { kind: 'judged', verdict: outcome.verdict, isUnverified: false, isFromCache: false }
        : { kind: 'suppressed', reason: `below the threat threshold: ${outcome.verdict.rationale}` };
    } else if (outcome.score < PREFILTER_THRESHOLD) {
      judgements[index] = { kind: 'suppressed', reason: `pre-filter: ${outcome.verdict.rationale}` };
    } else {
      forLlm.push(index);
    }
  });

  if (openaiApiKey && forLlm.length > 0) {
    const keyOf = (index: number) => cacheKey(organizationId, profile, candidates[index]!.contentHash);
    const hashes = [...new Set(forLlm.map(keyOf))];
    const cached = options.isCacheEnabled
      ? await db
          .select()
          .from(analysisCache)
          .where(and(eq(analysisCache.analyzer, result.analyzer), inArray(analysisCache.contentHash, hashes)))
      : [];
    const cache = new Map(cached.map((row) => [row.contentHash, row.verdict as Verdict]));
    const uncached: number[] = [];
    for (const index of forLlm) {
      const verdict = cache.get(keyOf(index));
      if (verdict) judgements[index] = toJudgement(verdict, false, true);
      else uncached.push(index);
    }
    result.sentToLlm = uncached.length;
    const settings: OpenAiSettings = { ...config.openai, apiKey: openaiApiKey };
    const client = createOpenAiClient(settings);
    for (let start = 0; start < uncached.length; start += config.openai.batchSize) {
      onProgress(candidates.length - uncached.length + start, candidates.length);
      const batch = uncached.slice(start, start + config.openai.batchSize);
      try {
        const answer = await analyzeBatch(client, settings, profile, batch.map((i) => candidates[i]!));
        result.promptTokens += answer.promptTokens;
        result.completionTokens += answer.completionTokens;
        result.costUsd += answer.costUsd;
        batch.forEach((index, position) => {
          const verdict = answer.verdicts.get(position);
          if (verdict) {
            judgements[index] = toJudgement(verdict, false, false);
            if (options.isCacheEnabled) result.newCacheEntries.push({ contentHash: keyOf(index), verdict });
          } else {
            judgements[index] = toJudgement(rulesVerdicts.get(index)!, true, false);
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
  result.unverified = forLlmUnverified(result.judgements, forLlm);
  return result;
}

function forLlmUnverified(judgements: Judgement[], forLlm: number[]): number {
  return forLlm.filter((index) => {
    const judgement = judgements[index]!;
    return judgement.kind === 'judged' ? judgement.isUnverified : judgement.reason.startsWith('below the threat threshold (rules, LLM unavailable)');
  }).length;
}

function toJudgement(verdict: Verdict, isUnverified: boolean, isFromCache: boolean): Judgement {
  if (!verdict.isThreat && !isUnverified) return { kind: 'suppressed', reason: `analyzer: not a threat — ${verdict.rationale}` };
  if (!verdict.isThreat) return { kind: 'suppressed', reason: `below the threat threshold (rules, LLM unavailable): ${verdict.rationale}` };
  return { kind: 'judged', verdict, isUnverified, isFromCache };
}
