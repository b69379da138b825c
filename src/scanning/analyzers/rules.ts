import type { Severity, ThreatCategory } from '../../db/schema/enums.ts';
import type { Explanation, ExplanationSignal } from '../../db/schema/explanation.ts';
import { imitatesHandle } from '../detection/accounts.ts';
import { LOOK_ALIKE_STRENGTH } from '../detection/domains.ts';
import { findSecrets } from '../detection/secrets.ts';
import { filterFinding, readFinding, type CandidateFinding, type CompiledSubject, type ReadFinding } from '../detection/subject.ts';
import { CUES, matchCues, words } from '../detection/vocabulary.ts';
import { foldText } from '../matching.ts';
import type { Verdict } from './types.ts';

export type RuleOutcome =
  | { isSuppressed: true; reason: string; explanation: Explanation }
  | { isSuppressed: false; verdict: Verdict; score: number; matchedTerm: string };

/** Rules verdicts at or above this score are threats. */
export const THREAT_THRESHOLD = 0.45;

const CUE_CATEGORY = new Map(CUES.map((cue) => [cue.name, cue.category]));
const CUE_WEIGHT = new Map(CUES.map((cue) => [cue.name, cue.weight]));

/** Where data is stored, not published: a bucket or index there that names the brand is exposed data. */
const CLOUD_STORAGE_SUFFIXES = ['amazonaws.com', 'blob.core.windows.net', 'storage.googleapis.com', 'digitaloceanspaces.com', 'r2.dev', 'backblazeb2.com'];
/** An amount of records, rows, logins… (`820k rows`, `2.1M`, `1.4 TB`): data offered in bulk. */
const VOLUME = /\b\d+(?:[.,]\d+)?\s?(?:k|m|mm|million|millions|mil|tb|gb)?\s?(?:rows|records|lines|users|customers|clients|accounts|logins|guests|patients|emails|entries|members|passengers|registros|lignes|datensatze|tb|gb)\b/;
const BARE_VOLUME = /\b\d+(?:[.,]\d+)?\s?(?:k|m|million|millions|mil)\b/;
const PERSONAL_FIELDS = /\b(?:emails?|e-mails?|phones?|phone numbers?|address(?:es)?|dob|date of birth|ssn|passport|iban|cvv|card numbers?|passwords?|hash(?:es)?|names|diagnos[ie]s|allergies|orders|cookies|kyc|selfies|id scans|telefonos?|direcciones|adresses?|telephones?|geburtsdatum|cpf|rg)\b/g;
const PRICE = /(?:[$€£]|r\$)\s?\d|\d(?:[.,]\d{2})?\s?(?:€|£|eur|usd|gbp|brl)\b/;
/** What an account's handle claims to be (`acmesupport`, `acme_official`, `acmecareers`). */
const OFFICIAL_ROLE = /official|oficial|officiel|offiziell|support|help|care|service|careers|jobs|recruit|team|admin|verified/;
const YEAR = /\b(19[89]\d|20[0-4]\d)\b/;

interface Evidence {
  scores: Map<ThreatCategory, number>;
  signals: ExplanationSignal[];
}

function add(evidence: Evidence, category: ThreatCategory | null, name: string, weight: number): void {
  evidence.signals.push({ name, weight: Math.round(weight * 100) / 100 });
  if (category) evidence.scores.set(category, (evidence.scores.get(category) ?? 0) + weight);
}

function scale(evidence: Evidence, factor: number, categories: readonly ThreatCategory[]): void {
  for (const category of categories) {
    const value = evidence.scores.get(category);
    if (value !== undefined) evidence.scores.set(category, value * factor);
  }
}

/** Words that put the organization in a list or a comparison, not at the center of an incident. */
const ASIDE = new Set(['to', 'like', 'unlike', 'such', 'including', 'than', 'rivals', 'competitors', 'other', 'others', 'versus', 'vs', 'and', 'plus', 'como', 'comme', 'wie', 'e', 'y', 'et', 'und']);

/**
 * Whether an incident is reported about the organization itself: in one sentence of the title,
 * the snippet or the URL's slug, the organization is named before the incident (it is the
 * subject: "Acme fined", "Acme recalls") or shortly after it with nothing that makes it an aside
 * ("fines Acme", "settles with Acme" — but not "diverted to Acme", "rivals such as Acme").
 */
function isAttributed(finding: CandidateFinding, read: ReadFinding, compiled: CompiledSubject): boolean {
  const names = compiled.names.filter((n) => !n.isPerson || n.origin === 'term' || n.origin.startsWith('person'));
  const slug = read.pathSegments.at(-1)?.replace(/[-_]+/g, ' ') ?? '';
  const sentences = [finding.title, ...finding.snippet.split(/(?<=[.!?;:])\s+|\s[-–—|]\s/), slug].map((s) => words(foldText(s))).filter((s) => s.length > 0);
  for (const tokens of sentences) {
    const cues = matchCues(tokens);
    if (!cues.has('incident reported') || cues.has('not affected')) continue;
    const incidentPhrases = cues.get('incident reported')!.map((phrase) => words(phrase)[0]!);
    const incidentAt = tokens.findIndex((token) => incidentPhrases.some((phrase) => token.startsWith(phrase)));
    for (const name of names) {
      const nameTokens = words(name.folded);
      for (let i = 0; i + nameTokens.length <= tokens.length; i += 1) {
        if (!nameTokens.every((t, k) => tokens[i + k] === t)) continue;
        if (i < incidentAt) {
          if (!ASIDE.has(tokens[i - 1] ?? '')) return true;
        } else if (i - incidentAt <= 12 && !tokens.slice(incidentAt + 1, i).some((t) => ASIDE.has(t))) return true;
      }
    }
  }
  return false;
}

const PRESS_SOURCES = new Set(['rss', 'google', 'hackernews', 'demo']);

/**
 * Deterministic judgement of one finding. The filters (official assets, exclusions, no mention)
 * suppress; otherwise the finding is scored from what it asks or offers (intent cues in five
 * languages), where it lives (look-alike hosts, certificate names, unlisted accounts and apps,
 * cloud storage), what it exposes (secret formats, personal data in bulk), and whom an incident is
 * attributed to. Same input, same verdict.
 */
export function judgeWithRules(finding: CandidateFinding, compiled: CompiledSubject, read: ReadFinding = readFinding(finding, compiled)): RuleOutcome {
  const filtered = filterFinding(finding, read, compiled);
  if (filtered && 'reason' in filtered) {
    const isProfileEntry = /^(official|partner)/.test(filtered.reason);
    return { isSuppressed: true, reason: filtered.reason, explanation: { analyzer: 'filter', matchedTerm: filtered.matchedTerm, signals: [], profileEntries: isProfileEntry ? [filtered.reason] : [], confidence: 1, rationale: filtered.reason } };
  }
  const matchedTerm = filtered!.matchedTerm;
  const evidence: Evidence = { scores: new Map(), signals: [] };
  const lookAlike = read.lookAlike;
  const isStrongLookAlike = lookAlike !== undefined && LOOK_ALIKE_STRENGTH[lookAlike.kind] >= 3;
  // A look-alike's own name speaks (`acme-login`, `acme-airdrop`); an ordinary host's name does not.
  const hostWords = isStrongLookAlike || read.isCertificate ? read.hosts.flatMap((h) => words(h.replace(/[.-]/g, ' '))) : [];
  const cues = matchCues(hostWords.length > 0 ? [...read.words, ...hostWords] : read.words);
  // Any site's name still says who is speaking (`research.example-security.com`, `reviews.example`).
  for (const [name, phrases] of matchCues(words(read.urlHost.replace(/[.-]/g, ' ')))) {
    if (CUE_CATEGORY.get(name) === null && !cues.has(name)) cues.set(name, phrases);
  }
  for (const [name, phrases] of cues) {
    const category = CUE_CATEGORY.get(name) ?? null;
    const weight = CUE_WEIGHT.get(name)! + Math.min(0.15, (phrases.length - 1) * 0.05);
    if (name === 'called a scam' || name === 'job offer') continue;
    add(evidence, category, `${name}: ${phrases.slice(0, 3).join(', ')}`, category ? weight : -weight);
  }
  // Calling it a scam says it is one, not which kind: it strengthens whichever scheme the rest shows.
  if (cues.has('called a scam')) {
    const target = (evidence.scores.get('phishing') ?? 0) > (evidence.scores.get('fraud') ?? 0) ? 'phishing' : 'fraud';
    add(evidence, target, `called a scam: ${cues.get('called a scam')!.slice(0, 3).join(', ')}`, 0.2);
  }
  // A job offer is ordinary, unless the applicant is asked to pay.
  if (cues.has('job offer') && (evidence.scores.get('fraud') ?? 0) > 0) add(evidence, 'fraud', `job offer that asks the applicant for money: ${cues.get('job offer')!.slice(0, 2).join(', ')}`, 0.15);

  // What is exposed: secrets, personal data in bulk, storage that should not be public.
  // The finding's own URL is canonical (no credentials in it); only its path and query can carry a secret.
  const secrets = findSecrets(`${finding.title}\n${finding.snippet}\n${read.pathSegments.join('/')}`);
  if (secrets.length > 0) add(evidence, 'data_leak', `secret format: ${secrets.join(', ')}`, 0.7);
  const personalFields = new Set(read.folded.match(PERSONAL_FIELDS) ?? []).size;
  const hasVolume = VOLUME.test(read.folded) || (BARE_VOLUME.test(read.folded) && personalFields >= 2);
  if (hasVolume && (personalFields >= 1 || cues.has('data offered'))) add(evidence, 'data_leak', 'records offered in bulk', 0.3);
  if (personalFields >= 3) add(evidence, 'data_leak', `personal data fields (${personalFields})`, 0.25);
  const isCloudStorage = CLOUD_STORAGE_SUFFIXES.some((suffix) => read.urlHost.endsWith(`.${suffix}`));
  if (isCloudStorage) add(evidence, 'data_leak', `cloud storage named for the brand: ${read.urlHost}`, 0.5);
  if (cues.has('resale listing') && PRICE.test(read.folded)) add(evidence, 'trademark', 'priced listing', 0.1);

  // Accounts, apps and packages that use the brand's name without being its own (the filters let official ones through already).
  const account = read.account;
  if (account && !isCloudStorage) {
    const official = [...compiled.handles.keys()];
    const imitated = imitatesHandle(account.rawHandle, official);
    const title = foldText(finding.title);
    const isBrandAccount = compiled.names.some((n) => !n.isPerson && (account.handle.includes(n.compact) || title.includes(n.folded)));
    const person = compiled.names.find((n) => n.isPerson && title.includes(n.folded));
    if (imitated) add(evidence, 'impersonation', `imitates the official handle ${imitated}`, 0.35);
    const claimed = OFFICIAL_ROLE.exec(account.handle)?.[0];
    if (claimed && (isBrandAccount || imitated)) add(evidence, 'impersonation', `handle claims an official role: ${claimed}`, 0.2);
    if (isBrandAccount || person) {
      const what = account.kind === 'app' ? 'app' : account.kind === 'package' ? 'package or repository' : 'account';
      // Named after the brand or one of its people (not merely mentioning it), while the organization lists its own: posing.
      const handleCompact = account.handle.replace(/[^\p{L}\p{N}]/gu, '');
      const isNamedAfter = compiled.names.some((n) => n.compact.length >= 4 && handleCompact.includes(n.compact)) || account.kind === 'app';
      const knowsOwn = compiled.handles.size > 0 || compiled.appIds.size > 0;
      add(evidence, 'impersonation', `${what} on ${account.platform} ${isNamedAfter ? 'named after' : 'using'} ${person ? person.text : 'the brand'}, not among the official ones`, isNamedAfter && knowsOwn ? 0.45 : 0.25);
    }
  }
  if (lookAlike) add(evidence, null, `look-alike domain (${lookAlike.kind.replaceAll('_', ' ')}): ${lookAlike.host} imitates ${lookAlike.brand}`, isStrongLookAlike ? 0.5 : 0.1);

  // Negative press is press about the organization: an incident attributed to it, not to someone else.
  const incidentScore = evidence.scores.get('negative_press') ?? 0;
  const isAboutBrand = incidentScore > 0 && PRESS_SOURCES.has(finding.source) && isAttributed(finding, read, compiled);
  if (incidentScore > 0 && !isAboutBrand) {
    evidence.scores.delete('negative_press');
    add(evidence, null, 'incident not attributed to the organization', 0);
  } else if (isAboutBrand && !isStrongLookAlike && !cues.has('investment or endorsement scheme') && !cues.has('giveaway or airdrop')) {
    add(evidence, 'negative_press', 'incident attributed to the organization', 0.2);
    // Reporting on a breach of the organization is press about it; the leak itself is offered data.
    const leakNews = evidence.scores.get('data_leak') ?? 0;
    if (leakNews > 0 && secrets.length === 0 && !cues.has('data offered') && !hasVolume) {
      evidence.scores.set('negative_press', (evidence.scores.get('negative_press') ?? 0) + leakNews);
      evidence.scores.delete('data_leak');
    }
  }

  // Who is speaking: research, warnings and advice about threats are not the threat; fans and
  // hobbyists are not the brand's enemies; reviews are not press.
  const isReporting = cues.has('reporting or research');
  if (isReporting && !isStrongLookAlike && !isAboutBrand) scale(evidence, 0.4, ['phishing', 'fraud', 'trademark', 'impersonation', 'data_leak', 'other']);
  // A fan-made app or package still poses as the brand's software: only pages and posts are fan content.
  const claimsOfficial = account !== undefined && OFFICIAL_ROLE.test(account.handle);
  if (cues.has('fan or hobby content') && !isStrongLookAlike && !claimsOfficial && account?.kind !== 'app' && account?.kind !== 'package') scale(evidence, 0.4, ['impersonation', 'trademark', 'fraud', 'other', 'phishing']);
  if (cues.has("the organization's own voice")) scale(evidence, 0.3, ['negative_press']);
  if (cues.has('second-hand sale')) scale(evidence, 0.3, ['trademark']);
  if (cues.has('opinion or review') && !cues.has('victim report')) scale(evidence, 0.5, ['negative_press', 'trademark']);
  if (cues.has('not affected')) scale(evidence, 0.3, ['negative_press', 'data_leak']);
  if (cues.has('ordinary business news') && !isStrongLookAlike) scale(evidence, 0.5, ['phishing', 'fraud', 'impersonation', 'data_leak', 'trademark']);

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
    category = intentOnLookAlike(evidence, cues, lookAlike!.kind);
    score = 0.5 + (evidence.scores.get(category) ?? 0) * 0.5;
  } else if (lookAlike) {
    score += 0.1;
  }
  // A victim's account is evidence the scheme is live, whatever the page is.
  if (cues.has('victim report') && (category === 'fraud' || category === 'phishing')) score += 0.1;
  // Rounded so that sums of weights compare as written (0.35 + 0.1 is 0.45).
  score = Math.round(Math.min(1, score) * 1000) / 1000;
  const isThreat = score >= THREAT_THRESHOLD;
  const severity = severityOf(category, { finding, read, isStrongLookAlike, cues, secrets, hasVolume, personalFields, isCloudStorage });
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

/**
 * How a look-alike domain is filed: by what its page does. Money taken (giveaways, schemes, a shop
 * posing as the brand itself, fake jobs) is fraud; goods of the brand sold by a shop that only
 * borrows the name, or a parked domain, is trademark; exposed data is a leak; a fake account or
 * app is impersonation; otherwise — credentials asked for, or nothing shown — phishing.
 */
function intentOnLookAlike(evidence: Evidence, cues: Map<string, string[]>, kind: string): ThreatCategory {
  const score = (category: ThreatCategory) => evidence.scores.get(category) ?? 0;
  if (cues.has('parked or for sale')) return 'trademark';
  // A business that simply trades under the name, and shows nothing else.
  const showsMore = [...evidence.scores].some(([category, value]) => category !== 'trademark' && value > 0);
  if (cues.has('trading under the name') && !showsMore && kind === 'combosquat') return 'trademark';
  if (score('data_leak') >= 0.5) return 'data_leak';
  const isPosingAsBrand = kind === 'homoglyph' || kind === 'typo' || kind === 'tld_swap';
  if (cues.has('resale listing') || cues.has('counterfeit or unlicensed goods')) return isPosingAsBrand && !cues.has('counterfeit or unlicensed goods') ? 'fraud' : 'trademark';
  if (cues.has('job offer') || score('fraud') >= 0.4) return score('phishing') > score('fraud') + 0.3 ? 'phishing' : 'fraud';
  if (score('impersonation') >= 0.4 && score('impersonation') > score('phishing')) return 'impersonation';
  if (score('other') >= 0.5 && score('other') > score('phishing')) return 'other';
  return 'phishing';
}

interface SeverityFacts {
  finding: CandidateFinding;
  read: ReadFinding;
  isStrongLookAlike: boolean;
  cues: Map<string, string[]>;
  secrets: string[];
  hasVolume: boolean;
  personalFields: number;
  isCloudStorage: boolean;
}

const HIGH_IMPACT_INCIDENT = /breach|fine|sue|lawsuit|class action|regulat|settle|sanction|penal|charged|indicted|hack|ransomware|cyber|inspection|health code|closure|closes|multa|sancion|amende|condamn|klage|verklagt|bussgeld|strafe|demanda|processo|cierre|inspeccion|fermeture|datenpanne|investigation|probe|enquete|ermittlung|investigacion|investigacao|poursuivi/;

/** The severity rubric (README, "Detection"), applied to what the rules can see. */
function severityOf(category: ThreatCategory, facts: SeverityFacts): Severity {
  const { cues } = facts;
  switch (category) {
    case 'phishing':
      if (cues.has('victim report') || (facts.isStrongLookAlike && !facts.read.isCertificate && cues.has('credential lure'))) return 'critical';
      return 'high';
    case 'data_leak':
      if (facts.secrets.length > 0 || facts.hasVolume || facts.personalFields >= 3 || facts.isCloudStorage) return 'critical';
      return cues.has('data offered') && /dump|combo|fullz|stealer|logs|for sale|cookies|sessions/.test(cues.get('data offered')!.join(' ')) ? 'critical' : 'high';
    case 'fraud':
      return cues.has('victim report') ? 'critical' : 'high';
    case 'impersonation': {
      const solicits = cues.has('asks for details by message') || cues.has('sideloaded or unofficial software') || cues.has('credential lure') || facts.read.account?.kind === 'app' || facts.read.account?.kind === 'package';
      return solicits || facts.isStrongLookAlike ? 'high' : 'medium';
    }
    case 'negative_press': {
      const year = YEAR.exec(`${facts.finding.url} ${facts.finding.title}`)?.[1];
      if (year && Number(year) <= new Date().getUTCFullYear() - 3) return 'low';
      return HIGH_IMPACT_INCIDENT.test((cues.get('incident reported') ?? []).join(' ')) ? 'high' : 'medium';
    }
    case 'trademark':
      if (cues.has('counterfeit or unlicensed goods') || cues.has('resale listing')) return 'medium';
      return 'low';
    case 'other':
      return cues.has('attack threat or doxxing') ? 'high' : 'medium';
  }
}
