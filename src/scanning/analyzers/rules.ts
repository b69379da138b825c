import type { AlertCategory, Severity } from '../../db/schema/enums.ts';
import { hostOf } from '../canonical.ts';
import { editDistance, firstMatchingTerm, foldText, skeleton } from '../matching.ts';
import { splitDomain } from '../sources/permutations.ts';
import type { CandidateFinding, MonitorProfile, Verdict } from './types.ts';

const RISKY_TLDS = new Set(['xyz', 'top', 'click', 'zip', 'mov', 'tk', 'ml', 'ga', 'cf', 'gq', 'work', 'support', 'country', 'live', 'rest', 'icu', 'cam', 'shop', 'online', 'site']);

interface SignalGroup {
  category: AlertCategory;
  words: string[];
  weight: number;
  cap: number;
}

const GROUPS: SignalGroup[] = [
  { category: 'phishing', words: ['login', 'log in', 'sign in', 'signin', 'verify', 'verification', 'suspended', 'password', 'unlock', 'confirm your', 'update your', 'one-time code', '2fa'], weight: 0.12, cap: 0.36 },
  { category: 'phishing', words: ['enter your password', 'confirm your identity', 'credit card', 'social security', 'bank details', 'payment details', 'login and password'], weight: 0.25, cap: 0.35 },
  { category: 'data_leak', words: ['leak', 'leaked', 'dump', 'breach', 'credentials', 'combolist', 'exposed database', 'stolen data', 'database'], weight: 0.2, cap: 0.6 },
  { category: 'fraud', words: ['giveaway', 'free crypto', 'airdrop', 'double your', 'send 0.', 'btc', 'investment opportunity', 'scam', 'guaranteed returns'], weight: 0.2, cap: 0.6 },
  { category: 'impersonation', words: ['official', 'customer support', 'support account', 'dm us', 'verified account', 'helpdesk'], weight: 0.15, cap: 0.45 },
  { category: 'trademark', words: ['counterfeit', 'replica', 'knockoff', 'knock-off', 'fake', 'unauthorized reseller'], weight: 0.2, cap: 0.5 },
  { category: 'negative_press', words: ['lawsuit', 'outage', 'layoffs', 'recall', 'investigation', 'fined', 'scandal', 'class action', 'boycott'], weight: 0.2, cap: 0.5 },
];

export type RuleOutcome = { isSuppressed: true; reason: string } | { isSuppressed: false; verdict: Verdict; score: number };

function isOwnHost(host: string, ownDomains: readonly string[]): string | undefined {
  return ownDomains.find((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** The monitored domains' labels (`acme` for `acme.example`) and the brand terms as labels. */
function brandLabels(profile: MonitorProfile): string[] {
  const labels = profile.terms.map((term) => (term.includes('.') ? splitDomain(term).label : foldText(term).replace(/[^a-z0-9]/g, '')));
  return [...new Set(labels.filter((label) => label.length >= 3))];
}

function lookAlikeOf(host: string, profile: MonitorProfile): string | undefined {
  if (!host) return undefined;
  const { label } = splitDomain(host);
  const hostLabels = host.split('.');
  for (const brand of brandLabels(profile)) {
    const isBrandDomain = profile.terms.some((t) => t.includes('.') && (host === t.toLowerCase() || host.endsWith(`.${t.toLowerCase()}`)));
    if (isBrandDomain) continue;
    if (label !== brand && skeleton(label) === skeleton(brand)) return `${host} imitates ${brand} with look-alike characters`;
    if (label !== brand && brand.length >= 5 && editDistance(label, brand, 2) <= 2) return `${host} is a typo of ${brand}`;
    if (hostLabels.some((part) => part !== brand && part.includes(brand))) return `${host} embeds ${brand} in another name`;
  }
  return undefined;
}

/**
 * Deterministic judgement of one finding: own domains and exclusions suppress it, a finding that
 * mentions no monitored term is dropped, and the rest is scored from look-alike hosts, phishing and
 * credential vocabulary, risky TLDs and the category word lists. Same input, same verdict.
 */
export function judgeWithRules(finding: CandidateFinding, profile: MonitorProfile): RuleOutcome {
  const host = hostOf(finding.url);
  const own = isOwnHost(host, profile.ownDomains);
  if (own) return { isSuppressed: true, reason: `own domain: ${own}` };
  const text = `${finding.title} ${finding.snippet} ${finding.url}`;
  const excluded = firstMatchingTerm(text, profile.excludeTerms);
  if (excluded) return { isSuppressed: true, reason: `excluded term: "${excluded}"` };
  const lookAlike = lookAlikeOf(host, profile);
  if (!lookAlike && !firstMatchingTerm(text, profile.terms)) return { isSuppressed: true, reason: 'mentions none of the monitored terms' };

  const folded = foldText(text);
  const scores = new Map<AlertCategory, number>();
  const reasons: string[] = [];
  for (const group of GROUPS) {
    const hits = group.words.filter((word) => folded.includes(word));
    if (hits.length === 0) continue;
    scores.set(group.category, (scores.get(group.category) ?? 0) + Math.min(group.cap, hits.length * group.weight));
    reasons.push(`${group.category.replace('_', ' ')} words (${hits.slice(0, 3).join(', ')})`);
  }
  if (lookAlike) {
    const target = (scores.get('phishing') ?? 0) > 0 ? 'phishing' : 'impersonation';
    scores.set(target, (scores.get(target) ?? 0) + 0.45);
    reasons.unshift(lookAlike);
  }
  const tld = host.split('.').at(-1) ?? '';
  let bonus = 0;
  if (RISKY_TLDS.has(tld)) {
    bonus += 0.15;
    reasons.push(`risky TLD .${tld}`);
  }
  let category: AlertCategory = 'other';
  let best = 0;
  for (const [candidate, value] of scores) {
    if (value > best) {
      best = value;
      category = candidate;
    }
  }
  const total = [...scores.values()].reduce((sum, value) => sum + value, 0);
  const score = Math.min(1, best + 0.25 * (total - best) + bonus);
  const severity: Severity = score >= 0.8 ? 'critical' : score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : 'low';
  const isThreat = score >= THREAT_THRESHOLD;
  return {
    isSuppressed: false,
    score,
    verdict: {
      isThreat,
      category,
      severity,
      confidence: Math.round(Math.min(0.95, 0.5 + score / 2) * 100) / 100,
      rationale: reasons.length > 0 ? `Rules (score ${score.toFixed(2)}): ${reasons.join('; ')}` : `Rules (score ${score.toFixed(2)}): no threat signals`,
    },
  };
}

/** Rules verdicts at or above this score are threats. */
export const THREAT_THRESHOLD = 0.35;
/** Before the LLM, findings scoring below this are not worth a call. */
export const PREFILTER_THRESHOLD = 0.15;
