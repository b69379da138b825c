import { and, eq, inArray } from 'drizzle-orm';
import type { ScanningConfig } from '../config.ts';
import type { DbOrTx } from '../db/client.ts';
import { findings } from '../db/schema/index.ts';
import type { Logger } from '../lib/logger.ts';
import { findMatchingRule, loadMonitorSuppressionRules, suppressionReason } from '../services/suppression-rules.ts';
import type { BrandProfile } from '../services/brand-profile-shape.ts';
import type { MonitorRow } from '../services/monitors.ts';
import { canonicalizeUrl, contentHash, sha256Hex } from './canonical.ts';
import { judgeFindings, type Judgement, type JudgeResult } from './judge.ts';
import type { RawFinding } from './sources/types.ts';
import type { Explanation } from '../db/schema/explanation.ts';

function ruleExplanation(reason: string): Explanation {
  return { analyzer: 'suppression_rule', matchedTerm: null, signals: [], profileEntries: [], confidence: 1, rationale: reason };
}

/** One result of a scan, canonicalized: its identity for the monitor and its analyzer cache key. */
export interface Candidate {
  raw: RawFinding;
  url: string;
  urlHash: string;
  contentHash: string;
}

/** A judgement, or a suppression rule of the monitor that dropped the finding before judging. */
export type Decision = Judgement | { kind: 'suppressed'; reason: string; suppressionRuleId: string; explanation: Explanation };

/** Whom the findings are about: the organization, its brand profile, and the monitor that found them. */
export interface DecisionSubject {
  organizationId: string;
  organizationName: string;
  monitor: Pick<MonitorRow, 'id' | 'name' | 'kind' | 'terms' | 'excludeTerms'>;
  ownDomains: readonly string[];
  profile: BrandProfile;
}

export interface DecisionOptions {
  config: ScanningConfig;
  /** The key the LLM is called with; without one the rules decide alone. */
  openaiApiKey: string | undefined;
  logger: Logger;
  /** Reuse remembered LLM verdicts. The evaluation harness turns this off to measure the judge itself. */
  isCacheEnabled: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface Decided {
  /** Every distinct result, by canonical URL. */
  candidates: Candidate[];
  /** URL hashes of results the monitor had already seen: not judged again. */
  seen: Set<string>;
  /** The results never seen before, in order, each with its decision. */
  fresh: Candidate[];
  decisions: Decision[];
  judged: JudgeResult;
}

/**
 * What a scan decides about what its sources returned: one finding per canonical URL, results the
 * monitor already saw set aside, the monitor's suppression rules, then the judge. The scan records
 * the outcome; the evaluation harness runs exactly this on labeled findings.
 */
export async function decideFindings(db: DbOrTx, options: DecisionOptions, subject: DecisionSubject, raw: readonly RawFinding[]): Promise<Decided> {
  // One finding per canonical URL, first occurrence wins.
  const byUrl = new Map<string, Candidate>();
  for (const item of raw) {
    const url = canonicalizeUrl(item.url);
    if (!url) continue;
    const urlHash = sha256Hex(url);
    if (!byUrl.has(urlHash)) byUrl.set(urlHash, { raw: item, url, urlHash, contentHash: contentHash(item.title, item.snippet, url) });
  }
  const candidates = [...byUrl.values()];
  const { monitor } = subject;
  const seenRows = candidates.length
    ? await db
        .select({ urlHash: findings.urlHash })
        .from(findings)
        .where(and(eq(findings.organizationId, subject.organizationId), eq(findings.monitorId, monitor.id), inArray(findings.urlHash, candidates.map((c) => c.urlHash))))
    : [];
  const seen = new Set(seenRows.map((r) => r.urlHash));
  const fresh = candidates.filter((c) => !seen.has(c.urlHash));

  // The monitor's suppression rules drop findings before judging: nothing is spent on them.
  const rules = fresh.length > 0 ? await loadMonitorSuppressionRules(db, subject.organizationId, monitor.id) : [];
  const matchedRules = fresh.map((c) => findMatchingRule(rules, c.url));
  const toJudge = fresh.filter((_, index) => !matchedRules[index]);

  options.onProgress?.(0, toJudge.length);
  const judged = await judgeFindings(
    db,
    options.config,
    {
      organizationId: subject.organizationId,
      organizationName: subject.organizationName,
      monitor: { name: monitor.name, kind: monitor.kind, terms: monitor.terms, excludeTerms: monitor.excludeTerms },
      ownDomains: subject.ownDomains,
      profile: subject.profile,
    },
    toJudge.map((c) => ({ source: c.raw.source, url: c.url, title: c.raw.title, snippet: c.raw.snippet, contentHash: c.contentHash })),
    options.openaiApiKey,
    options.logger,
    options.onProgress,
    { isCacheEnabled: options.isCacheEnabled },
  );
  let nextJudged = 0;
  const decisions: Decision[] = matchedRules.map((rule) =>
    rule ? { kind: 'suppressed', reason: suppressionReason(rule), suppressionRuleId: rule.id, explanation: ruleExplanation(suppressionReason(rule)) } : judged.judgements[nextJudged++]!,
  );
  return { candidates, seen, fresh, decisions, judged };
}
