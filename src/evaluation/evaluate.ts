import type { ScanningConfig } from '../config.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { monitors, organizations } from '../db/schema/index.ts';
import type { Severity, ThreatCategory } from '../db/schema/enums.ts';
import type { Logger } from '../lib/logger.ts';
import { canonicalizeUrl } from '../scanning/canonical.ts';
import { decideFindings } from '../scanning/decide.ts';
import { loadBrandProfile, writeBrandProfile } from '../services/brand-profile.ts';
import { completeProfile } from '../services/brand-profile-shape.ts';
import { SOURCE_OF, type Dataset, type LabeledFinding } from './dataset.ts';

/** What Vigil decided about one labeled finding. */
export interface FindingOutcome {
  finding: LabeledFinding;
  organizationId: string;
  split: 'dev' | 'heldout';
  isFlagged: boolean;
  category: ThreatCategory | null;
  severity: Severity | null;
  /** The verdict's rationale, or why the finding was dropped. */
  reason: string;
}

export interface EvaluationRun {
  outcomes: FindingOutcome[];
  promptTokens: number;
  completionTokens: number;
  /** Findings that went to the LLM. */
  sentToLlm: number;
}

export interface EvaluationOptions {
  config: ScanningConfig;
  /** Judge with the LLM at `config.openai` using this key; without one the rules decide alone. */
  openaiApiKey: string | undefined;
  logger: Logger;
}

/** Signals a rollback once the run is over: the evaluation leaves nothing behind. */
class Discard extends Error {}

/**
 * Runs labeled findings through exactly what a scan runs (`decideFindings`: canonicalization,
 * suppression rules, the judge's filters, rules and LLM), with the verdict cache off. The data
 * set's organizations, profiles and monitors are written in one transaction that is rolled back
 * at the end, so any database with Vigil's schema will do.
 */
export async function evaluateDataset(db: Db, dataset: Dataset, options: EvaluationOptions): Promise<EvaluationRun> {
  let run: EvaluationRun | undefined;
  await db
    .transaction(async (tx) => {
      run = await evaluateIn(tx, dataset, options);
      throw new Discard();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Discard)) throw error;
    });
  return run!;
}

async function evaluateIn(tx: DbOrTx, dataset: Dataset, options: EvaluationOptions): Promise<EvaluationRun> {
  const run: EvaluationRun = { outcomes: [], promptTokens: 0, completionTokens: 0, sentToLlm: 0 };
  for (const organization of dataset.organizations) {
    const [org] = await tx.insert(organizations).values({ name: organization.name, plan: 'business', ownDomains: organization.ownDomains, allowsDemoSource: true }).returning();
    if (organization.profile) await writeBrandProfile(tx, org!.id, completeProfile(organization.profile));
    // Read back as a scan reads it.
    const profile = await loadBrandProfile(tx, org!.id);
    for (const monitor of organization.monitors) {
      const terms = [...monitor.terms];
      if (monitor.domain && !terms.some((t) => t.toLowerCase() === monitor.domain!.toLowerCase())) terms.push(monitor.domain);
      const [row] = await tx
        .insert(monitors)
        .values({ organizationId: org!.id, name: monitor.name, kind: monitor.kind, terms, excludeTerms: monitor.excludeTerms, sources: ['demo'], frequency: 'daily', intervalMinutes: 1_440 })
        .returning();
      const labeled = dataset.findings.filter((f) => f.monitorId === monitor.id);
      // A scan judges each URL once; findings that share a URL are judged in later rounds.
      for (const round of rounds(labeled)) {
        const decided = await decideFindings(
          tx,
          { config: options.config, openaiApiKey: options.openaiApiKey, logger: options.logger, isCacheEnabled: false },
          { organizationId: org!.id, organizationName: org!.name, monitor: row!, ownDomains: org!.ownDomains, profile },
          round.map((f) => ({ source: SOURCE_OF[f.source], url: f.url, title: f.title, snippet: f.snippet })),
        );
        run.promptTokens += decided.judged.promptTokens;
        run.completionTokens += decided.judged.completionTokens;
        run.sentToLlm += decided.judged.sentToLlm;
        const byUrl = new Map(decided.fresh.map((candidate, index) => [candidate.url, decided.decisions[index]!]));
        for (const finding of round) {
          const url = canonicalizeUrl(finding.url);
          const decision = url ? byUrl.get(url) : undefined;
          const base = { finding, organizationId: organization.id, split: organization.split };
          if (!decision) run.outcomes.push({ ...base, isFlagged: false, category: null, severity: null, reason: 'not an http(s) URL' });
          else if (decision.kind === 'suppressed') run.outcomes.push({ ...base, isFlagged: false, category: null, severity: null, reason: decision.reason });
          else {
            const { verdict } = decision;
            run.outcomes.push({ ...base, isFlagged: true, category: verdict.category as ThreatCategory, severity: verdict.severity, reason: verdict.rationale });
          }
        }
      }
    }
  }
  return run;
}

function rounds(findings: readonly LabeledFinding[]): LabeledFinding[][] {
  const result: LabeledFinding[][] = [];
  const urlsPerRound: Set<string>[] = [];
  for (const finding of findings) {
    const url = canonicalizeUrl(finding.url) ?? finding.url;
    let index = urlsPerRound.findIndex((urls) => !urls.has(url));
    if (index === -1) {
      index = result.length;
      result.push([]);
      urlsPerRound.push(new Set());
    }
    result[index]!.push(finding);
    urlsPerRound[index]!.add(url);
  }
  return result;
}
