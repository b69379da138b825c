import type { Severity, ThreatCategory } from '../../db/schema/enums.ts';
import type { Explanation, ExplanationSignal } from '../../db/schema/explanation.ts';
import { CUES, matchCues, words } from '../detection/vocabulary.ts';
import { findSecrets } from '../detection/secrets.ts';
import { filterFinding, readFinding, type CandidateFinding, type CompiledSubject, type ReadFinding } from '../detection/subject.ts';
import { foldText } from '../matching.ts';
import type { Verdict } from './types.ts';

export type RuleOutcome =
  | { isSuppressed: true; reason: string; explanation: Explanation }
  | { isSuppressed: false; verdict: Verdict; score: number; matchedTerm: string };

/** Rules verdicts at or above this score are threats. */
export const THREAT_THRESHOLD = 0.45;

const CUE_CATEGORY = new Map(CUES.map((cue) => [cue.name, cue.category]));
const CUE_WEIGHT = new Map(CUES.map((cue) => [cue.name, cue.weight]));

/** Categories a page's own intent can give a look-alike domain; phishing is the default. */
const INTENT_OVER_HOST: readonly ThreatCategory[] = ['fraud', 'trademark', 'impersonation', 'data_leak', 'other'];

interface Evidence {
  scores: Map<ThreatCategory, number>;
  signals: ExplanationSignal[];
}

function add(evidence: Evidence, category: ThreatCategory | null, name: string, weight: number): void {
  evidence.signals.push({ name, weight: Math.round(weight * 100) / 100 });
  if (category) evidence.scores.set(category, (evidence.scores.get(category) ?? 0) + weight);
}

/** Sentences of the title and snippet, folded: the unit in which an incident is attributed. */
function sentences(finding: CandidateFinding): string[] {
  return [finding.title, ...finding.snippet.split(/(?<=[.!?;:])\s+|\s[-–—|]\s/)].map(foldText).filter((s) => s.trim().length > 0);
}

/** Whether an incident is reported about the organization itself, not a third party. */
function isAttributed(finding: CandidateFinding, compiled: CompiledSubject): boolean {
  const brandNames = compiled.names.filter((n) => !n.isPerson || n.origin === 'term');
  const namesBrand = (text: string) => brandNames.some((name) => text.includes(name.folded) || text.replace(/[^\p{L}\p{N}]/gu, '').includes(name.compact));
  const cuesOf = (text: string) => matchCues(words(text));
  for (const sentence of sentences(finding)) {
    const cues = cuesOf(sentence);
    if (cues.has('incident reported') && !cues.has('not affected') && namesBrand(sentence)) return true;
  }
  return false;
}

const PRESS_SOURCES = new Set(['rss', 'google', 'hackernews', 'demo']);

/**
 * Deterministic judgement of one finding. The filters (official assets, exclusions, no mention)
 * suppress; otherwise the finding is scored from what it asks or offers (intent cues in five
 * languages), where it lives (look-alike hosts, certificate names), what it exposes (secret
 * formats), and who an incident is attributed to. Same input, same verdict.
 */
export function judgeWithRules(finding: CandidateFinding, compiled: CompiledSubject, read: ReadFinding = readFinding(finding, compiled)): RuleOutcome {
  const filtered = filterFinding(finding, read, compiled);
  if (filtered && 'reason' in filtered) {
    return { isSuppressed: true, reason: filtered.reason, explanation: { analyzer: 'filter', matchedTerm: filtered.matchedTerm, signals: [], profileEntries: filtered.reason.startsWith('official') || filtered.reason.startsWith('partner') ? [filtered.reason] : [], confidence: 1, rationale: filtered.reason } };
  }
  const matchedTerm = filtered!.matchedTerm;
  const evidence: Evidence = { scores: new Map(), signals: [] };
  const hostWords = read.hosts.map((h) => h.replace(/[.-]/g, ' ')).join(' ');
  const cues = matchCues([...read.words, ...words(hostWords)]);
  for (const [name, phrases] of cues) {
    const category = CUE_CATEGORY.get(name) ?? null;
    const weight = CUE_WEIGHT.get(name)! + Math.min(0.15, (phrases.length - 1) * 0.05);
    add(evidence, category, `${name}: ${phrases.slice(0, 3).join(', ')}`, category ? weight : -weight);
  }
  const secrets = findSecrets(`${finding.title}\n${finding.snippet}\n${finding.url}`);
  if (secrets.length > 0) add(evidence, 'data_leak', `secret format: ${secrets.join(', ')}`, 0.7);

  // Someone posing as the organization's people is impersonation of the organization.
  const person = compiled.names.find((n) => n.isPerson && n.origin !== 'term' && read.folded.includes(n.folded));
  if (person && (evidence.scores.get('impersonation') ?? 0) > 0) add(evidence, 'impersonation', `names an executive: ${person.text}`, 0.2);

  const isCertificate = finding.source === 'certstream';
  const lookAlike = read.lookAlike;
  const isStrongLookAlike = lookAlike !== undefined && lookAlike.kind !== 'brand_in_subdomain';
  if (lookAlike) add(evidence, null, `look-alike domain (${lookAlike.kind.replaceAll('_', ' ')}): ${lookAlike.host} imitates ${lookAlike.brand}`, isStrongLookAlike ? 0.5 : 0.15);

  // Negative press is press about the organization: an incident attributed to it, not to someone else.
  const incidentScore = evidence.scores.get('negative_press') ?? 0;
  const isAboutBrand = incidentScore > 0 && isAttributed(finding, compiled);
  if (incidentScore > 0 && !isAboutBrand) {
    evidence.scores.delete('negative_press');
    add(evidence, null, 'incident not attributed to the organization', 0);
  }
  const isReporting = cues.has('reporting or research');
  const isOpinion = cues.has('opinion or review');
  const isNotAffected = cues.has('not affected');
  if (isAboutBrand && PRESS_SOURCES.has(finding.source) && !isStrongLookAlike) {
    // Reporting on a breach of the organization is press about it, not the leak itself.
    const breach = evidence.scores.get('data_leak') ?? 0;
    if (breach > 0 && secrets.length === 0 && !cues.has('leaked data')) {
      evidence.scores.set('negative_press', (evidence.scores.get('negative_press') ?? 0) + breach);
      evidence.scores.delete('data_leak');
    }
  }

  // A report about threats (research, advice, a warning) is not the threat, unless it lives on a look-alike.
  const dampen = (factor: number, categories: readonly ThreatCategory[]) => {
    for (const category of categories) {
      const value = evidence.scores.get(category);
      if (value !== undefined) evidence.scores.set(category, value * factor);
    }
  };
  if (!isStrongLookAlike && isReporting) dampen(0.4, ['phishing', 'fraud', 'trademark', 'impersonation', 'data_leak', 'other']);
  if (isOpinion) dampen(0.5, ['negative_press']);
  if (isNotAffected) dampen(0.3, ['negative_press', 'data_leak']);
  if (cues.has('hiring or official notice') && !isStrongLookAlike) dampen(0.5, ['phishing', 'fraud', 'impersonation', 'negative_press']);

  let category: ThreatCategory = 'other';
  let best = 0;
  for (const [candidate, value] of evidence.scores) {
    if (value > best) {
      best = value;
      category = candidate;
    }
  }
  let score = best;
  if (isStrongLookAlike) {
    // The domain is the threat; what the page does decides how it is filed (intent over host).
    const intent = INTENT_OVER_HOST.find((c) => (evidence.scores.get(c) ?? 0) >= 0.4 && (evidence.scores.get(c) ?? 0) >= (evidence.scores.get('phishing') ?? 0));
    category = intent ?? 'phishing';
    score = 0.5 + (evidence.scores.get(category) ?? 0) * 0.5;
  } else if (lookAlike) {
    score += 0.1;
  }
  score = Math.min(1, score);
  const isThreat = score >= THREAT_THRESHOLD;
  const severity = severityOf(category, { score, isStrongLookAlike, isCertificate, cues, secrets, hasContent: finding.snippet.length > 0 });
  const rationale = `Rules (score ${score.toFixed(2)}): ${evidence.signals.map((s) => s.name).join('; ') || 'no threat signals'}`;
  return {
    isSuppressed: false,
    score,
    matchedTerm,
    verdict: {
      isThreat,
      category,
      severity,
      confidence: Math.round(Math.min(0.95, 0.4 + score / 2) * 100) / 100,
      rationale,
      explanation: { analyzer: 'rules', matchedTerm, signals: evidence.signals, profileEntries: matchedTerm.includes(': ') ? [matchedTerm] : [], confidence: null, rationale },
    },
  };
}

/** The severity rubric (README, "Detection"), applied to what the rules could see. */
function severityOf(
  category: ThreatCategory,
  facts: { score: number; isStrongLookAlike: boolean; isCertificate: boolean; cues: Map<string, string[]>; secrets: string[]; hasContent: boolean },
): Severity {
  const { cues } = facts;
  switch (category) {
    case 'phishing':
      if (facts.isStrongLookAlike && cues.has('credential lure')) return 'critical';
      if (facts.isStrongLookAlike || cues.has('credential lure') || cues.has('phishing named')) return 'high';
      return 'medium';
    case 'data_leak':
      if (facts.secrets.length > 0) return 'critical';
      return cues.has('leaked data') ? 'critical' : 'high';
    case 'fraud':
      return 'high';
    case 'impersonation':
      return 'high';
    case 'negative_press':
      return /breach|fine|sue|lawsuit|class action|regulat|multa|amende|klage|bussgeld|demanda|processo/.test((cues.get('incident reported') ?? []).join(' ')) ? 'high' : 'medium';
    case 'trademark':
      if (cues.has('counterfeit or unauthorized sale')) return 'medium';
      return facts.isStrongLookAlike && !cues.has('parked or for sale') ? 'medium' : 'low';
    case 'other':
      return cues.has('attack threat or doxxing') ? 'high' : 'medium';
  }
}
