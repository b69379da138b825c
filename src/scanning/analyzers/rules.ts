import type { ThreatCategory } from '../../db/schema/enums.ts';
import type { Explanation, ExplanationSignal } from '../../db/schema/explanation.ts';
import { imitatesHandle } from '../detection/accounts.ts';
import { isAttributed, separableIncident } from '../detection/attribution.ts';
import { hostParts, hostsInText, LOOK_ALIKE_STRENGTH } from '../detection/domains.ts';
import { exposureSignals } from '../detection/exposure.ts';
import { attackAnnounced, brandAsStyle, earningsPromised, feeAsked, implausibleDiscount, tradeName } from '../detection/schemes.ts';
import { isFormalIncident, severityOf } from '../detection/severity.ts';
import { filterFinding, readFinding, type CandidateFinding, type CompiledSubject, type ReadFinding } from '../detection/subject.ts';
import { isRegulatorWarning } from '../detection/venues.ts';
import { CUES, matchCues, words } from '../detection/vocabulary.ts';
import type { Verdict } from './types.ts';

export type RuleOutcome =
  | { isSuppressed: true; reason: string; explanation: Explanation }
  | { isSuppressed: false; verdict: Verdict; score: number; matchedTerm: string };

/** Rules verdicts at or above this score are threats. */
export const THREAT_THRESHOLD = 0.4;

const CUE_CATEGORY = new Map(CUES.map((cue) => [cue.name, cue.category]));
const CUE_WEIGHT = new Map(CUES.map((cue) => [cue.name, cue.weight]));
const QUIET_CUES = new Set(CUES.filter((cue) => cue.isQuiet).map((cue) => cue.name));
/** Cues read only together with others, never scored alone. */
const COMBINED_CUES = new Set(['called a scam', 'job offer', 'victim report', ...QUIET_CUES]);

const PRICE = /(?:[$€£]|r\$)\s?\d|\d(?:[.,]\d{2})?\s?(?:€|£|eur|usd|gbp|brl)\b/;
/** What an account's handle claims to be (`acmesupport`, `acme_official`, `acmecareers`). */
const OFFICIAL_ROLE = /official|oficial|officiel|offiziell|support|help|care|service|careers|jobs|recruit|team|admin|verified/;
/** Payment by card: a fee asked that way is a lure for card data (phishing); by transfer, voucher or crypto it is the scheme's take (fraud). */
const CARD = new Set(['card', 'tarjeta', 'carte', 'karte', 'kreditkarte', 'cartao', 'credit', 'debit']);

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

const score = (evidence: Evidence, category: ThreatCategory) => evidence.scores.get(category) ?? 0;

/** Whether a word is one of the operation hashtags (`this`) — they all start with "op". */
function isOperationTag(this: ReadonlySet<string>, token: string): boolean {
  return token.charCodeAt(0) === 111 && token.charCodeAt(1) === 112 && this.has(token);
}

/** The category with the most evidence, among `among` (all when omitted). */
function strongestOf(evidence: Evidence, among?: readonly ThreatCategory[]): [ThreatCategory, number] | undefined {
  let best: [ThreatCategory, number] | undefined;
  for (const [category, value] of evidence.scores) {
    if ((!among || among.includes(category)) && value > 0 && (!best || value > best[1])) best = [category, value];
  }
  return best;
}

const PRESS_SOURCES = new Set(['rss', 'google', 'hackernews', 'demo']);

/**
 * Deterministic judgement of one finding. The filters (official assets, exclusions, no mention)
 * suppress; otherwise the finding is scored from what it asks or offers (intent cues in five
 * languages, fees and promised earnings, announced attacks), who is speaking (a victim, a
 * regulator, a seller, a researcher, a reviewer, the organization itself), where it lives
 * (look-alike hosts, marketplaces, paste sites, underground forums, leak trackers, exposure
 * indexes, unlisted accounts and apps, cloud storage), what it exposes (secret formats,
 * credentials written out, personal data in bulk), and whom an incident is attributed to.
 * Same input, same verdict.
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
  const hostCues = matchCues(read.hostWords);
  for (const [name, phrases] of hostCues) {
    if (CUE_CATEGORY.get(name) === null && !QUIET_CUES.has(name) && !cues.has(name)) cues.set(name, phrases);
  }
  const separable = cues.has('incident verb apart') ? separableIncident(read.words) : undefined;
  if (separable) cues.set('incident reported', [...(cues.get('incident reported') ?? []), separable.text]);
  for (const [name, phrases] of cues) {
    if (COMBINED_CUES.has(name)) continue;
    const category = CUE_CATEGORY.get(name) ?? null;
    const weight = CUE_WEIGHT.get(name)! + Math.min(0.15, (phrases.length - 1) * 0.05);
    add(evidence, category, `${name}: ${phrases.slice(0, 3).join(', ')}`, category ? weight : -weight);
  }
  const credentialAsked = cues.has('credential lure') || cues.has('credential words');
  // Who is speaking: a victim (in the first person, a loss, deceived by someone using the brand's
  // name). Credentials or card data typed into the scheme's own page is phishing; money handed over otherwise, fraud.
  // Deceived: told so, the brand's name put in quotes, or made to act by the lure (followed its link, paid what the caller asked).
  const isVictimAccount = cues.has('first person') && cues.has('a loss') && (cues.has('deceived') || cues.has('lured into acting') || compiled.quotesBrand(read.folded));
  const asksForCard = cues.has('card data asked');
  const throughTheirForm = credentialAsked || asksForCard;
  const victimOf = isVictimAccount && throughTheirForm ? 'phishing' : 'fraud';
  if (cues.has('victim report')) add(evidence, victimOf, `victim report: ${cues.get('victim report')!.slice(0, 3).join(', ')}`, CUE_WEIGHT.get('victim report')!);
  if (isVictimAccount) add(evidence, victimOf, `a victim's account: ${[...(cues.get('a loss') ?? []), ...(cues.get('deceived') ?? [])].slice(0, 3).join(', ')}`, 0.45);
  // Calling it a scam says it is one, not which kind: it strengthens whichever scheme the rest shows.
  if (cues.has('called a scam')) {
    const target = score(evidence, 'phishing') > score(evidence, 'fraud') ? 'phishing' : 'fraud';
    add(evidence, target, `called a scam: ${cues.get('called a scam')!.slice(0, 3).join(', ')}`, 0.2);
  }

  // Money asked or promised: a fee before anything is given, earnings per day or week.
  // In a job offer, any amount asked of the applicant is a fee ("pay £40 for your check to start").
  const fee = cues.has('pay or buy') ? feeAsked(read.words, cues.has('job offer')) : undefined;
  if (fee) {
    const byCard = read.words.some((token) => CARD.has(token)) && !cues.has('payment by voucher or wire') && !cues.has('payment request');
    add(evidence, byCard ? 'phishing' : 'fraud', `a fee asked ${byCard ? 'by card' : 'of the reader'}: ${fee}`, 0.25);
    // Paid over, not typed into a form: the scheme's take (a refund that must first be paid for is fraud, on any host).
    if (!byCard && !asksForCard) cues.set('fee paid over', [fee]);
  }
  const earnings = earningsPromised(read.folded, read.words, read.hostWords, cues.has('job offer'), cues.has('currency word') || hostCues.has('currency word'));
  if (earnings) add(evidence, 'fraud', `earnings promised: ${earnings}`, 0.3);
  const discount = implausibleDiscount(read.folded);
  if (discount) add(evidence, 'fraud', `implausible discount: ${discount}`, 0.2);
  // A job offer is ordinary, unless the applicant is asked to pay or promised easy money.
  if (cues.has('job offer') && score(evidence, 'fraud') > 0) add(evidence, 'fraud', `job offer that asks the applicant for money: ${cues.get('job offer')!.slice(0, 2).join(', ')}`, 0.15);

  // A regulator warning about a firm that uses the name (a clone, an unauthorised entity).
  const isRegulatorNotice = read.venue === 'regulator' && (isRegulatorWarning(read.pathSegments) || cues.has('clone firm'));
  if (isRegulatorNotice) add(evidence, 'fraud', `a regulator warns about a firm using the name: ${read.urlHost}`, 0.5);

  const attack = cues.has('offline') || read.words.some(isOperationTag, compiled.operationTags) ? attackAnnounced(read.words, compiled.operationTags) : undefined;
  if (attack) {
    cues.set('attack announced', [attack]);
    add(evidence, 'other', `attack announced: ${attack}`, 0.5);
  }
  const style = cues.has('style word') ? brandAsStyle(read.words, compiled.nameWords) : undefined;
  if (style) add(evidence, 'trademark', `the brand used to sell other goods: ${style}`, 0.35);

  // What is exposed: secrets, credentials written out, personal data in bulk, storage and servers that should not be public.
  const exposure = exposureSignals(finding, read, cues, compiled, cues.has('personal field word') || hostCues.has('personal field word'));
  for (const signal of exposure.signals) add(evidence, 'data_leak', signal.name, signal.weight);

  // Where it is offered, and under what name.
  const titleWords = read.titleWords;
  const titleNamesBrand = () => compiled.brandNameWords.some((name) => titleWords.some((_, i) => name.every((t, k) => titleWords[i + k] === t)));
  // A business trading under the name (not an account or app: there the name is the identity).
  // An app or download named for the brand is software posing as its, not a business trading under its name.
  // Most titles name none of the organization's names: one look-up per word says so before the title is read as written.
  const namesOrganization = titleWords.some((word) => compiled.organizationFirstWords.has(word));
  const trade = namesOrganization && !read.account && !cues.has('sideloaded or unofficial software') ? tradeName(finding.title, titleWords, compiled.organizationNameWords, compiled.ownWords) : undefined;
  if (trade) add(evidence, 'trademark', `a business trading as "${trade}"`, cues.has('trading under the name') ? 0.2 : 0.15);
  if (read.venue === 'marketplace' && titleNamesBrand()) add(evidence, 'trademark', `listed for sale on a marketplace, not a listed partner: ${read.urlParts.registrable}`, 0.4);
  if (cues.has('resale listing') && PRICE.test(read.folded)) add(evidence, 'trademark', 'priced listing', 0.1);
  if (read.venue === 'paste' && score(evidence, 'data_leak') > 0) add(evidence, 'data_leak', `posted on a paste site: ${read.urlParts.registrable}`, 0.2);
  if (read.venue === 'underground') {
    const target = strongestOf(evidence, ['data_leak', 'other', 'fraud'])?.[0] ?? 'data_leak';
    add(evidence, target, `offered on an underground forum: ${read.urlParts.registrable}`, 0.25);
  }

  // Accounts, apps and packages that use the brand's name without being its own (the filters let official ones through already).
  const account = read.account;
  let identity = 0;
  const solicits = cues.has('asks for details by message') || credentialAsked || asksForCard || fee !== undefined || cues.has('payment request') || cues.has('giveaway or airdrop') || cues.has('investment or endorsement scheme');
  const ownAccount = account && compiled.handles.size === 0 && (!solicits || cues.has('says it never asks')) ? presentsAsOwnAccount(finding, account, compiled) : undefined;
  if (ownAccount) add(evidence, null, `the brand's own account (the profile lists none): ${ownAccount}`, -0.5);
  else if (account && !exposure.isCloudStorage && !(account.kind === 'app' && compiled.appIds.has(account.handle))) {
    const imitated = imitatesHandle(account.rawHandle, compiled.handles.keys());
    const title = read.foldedTitle;
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
    identity = score(evidence, 'impersonation');
  }
  if (lookAlike) add(evidence, null, `look-alike domain (${lookAlike.kind.replaceAll('_', ' ')}): ${lookAlike.host} imitates ${lookAlike.brand}`, isStrongLookAlike ? 0.5 : 0.1);

  // Negative press is press about the organization: an incident attributed to it, not to someone else.
  const incidentScore = score(evidence, 'negative_press');
  // Reviews and complaints are customers speaking, not press.
  const isAboutBrand = incidentScore > 0 && PRESS_SOURCES.has(finding.source) && read.venue !== 'review_site' && isAttributed(finding, read, compiled);
  if (incidentScore > 0 && !isAboutBrand) {
    evidence.scores.delete('negative_press');
    add(evidence, null, 'incident not attributed to the organization', 0);
  } else if (isAboutBrand && !isStrongLookAlike && !cues.has('investment or endorsement scheme') && !cues.has('giveaway or airdrop') && !cues.has('crypto doubling') && !isVictimAccount) {
    add(evidence, 'negative_press', 'incident attributed to the organization', 0.2);
    // Reporting on a breach of the organization is press about it; the leak itself is offered data.
    const leakNews = score(evidence, 'data_leak');
    if (leakNews > 0 && exposure.secrets.length === 0 && !cues.has('data offered') && !exposure.hasVolume && !exposure.isExposedByVenue) {
      evidence.scores.set('negative_press', score(evidence, 'negative_press') + leakNews);
      evidence.scores.delete('data_leak');
    }
  }

  // Who is speaking: research, warnings and advice about threats are not the threat; fans and
  // hobbyists are not the brand's enemies; reviews are not press. A victim or a regulator naming
  // a scheme is evidence of it, not commentary.
  // Working secrets are exposed whoever posts them.
  const isFirstHand = isVictimAccount || isRegulatorNotice || exposure.isExposedByVenue || exposure.secrets.length > 0;
  if (cues.has('reporting or research') && !isStrongLookAlike && !isAboutBrand && !isFirstHand) scale(evidence, 0.4, ['phishing', 'fraud', 'trademark', 'impersonation', 'data_leak', 'other']);
  // A fan-made app or package still poses as the brand's software: only pages and posts are fan content.
  const claimsOfficial = account !== undefined && OFFICIAL_ROLE.test(account.handle);
  // A repository that says it is unofficial, or that it teaches (a tutorial, examples), and exposes no working secret, is no one posing.
  const teaches = cues.has('teaching material') && exposure.secrets.length === 0 && !solicits;
  const disclaims = account?.kind === 'package' && (teaches || (cues.get('fan or hobby content') ?? []).some((phrase) => phrase === 'unofficial' || phrase === 'not affiliated'));
  if (teaches && account?.kind === 'package') cues.set('fan or hobby content', [...(cues.get('fan or hobby content') ?? []), ...cues.get('teaching material')!]);
  // The brand's own voice: it tells its customers what it never asks. Impostors ask.
  if (cues.has('says it never asks') && !isStrongLookAlike) scale(evidence, 0.3, ['phishing', 'impersonation']);
  // A draw that says it is free and asks for no fee, card, login or payment takes nothing from its entrants.
  const asksSomething = fee !== undefined || credentialAsked || asksForCard || cues.has('payment request') || cues.has('payment scheme') || cues.has('crypto doubling');
  if (cues.has('free to enter') && !asksSomething && !isStrongLookAlike) scale(evidence, 0.5, ['fraud']);
  // A device's firmware "dumped" for an exploit on sale is the exploit's material, not the organization's data.
  if (cues.has('firmware or device code') && cues.has('cracked software, cheats or exploits') && exposure.secrets.length === 0 && !exposure.hasVolume && exposure.personalFields === 0) scale(evidence, 0.4, ['data_leak']);
  if (ownAccount) scale(evidence, 0, ['impersonation']);
  if (cues.has('fan or hobby content') && !isStrongLookAlike && !claimsOfficial && ((account?.kind !== 'app' && account?.kind !== 'package') || disclaims)) scale(evidence, 0.4, ['impersonation', 'trademark', 'fraud', 'other', 'phishing']);
  if (cues.has("the organization's own voice")) scale(evidence, 0.3, ['negative_press']);
  if (cues.has('second-hand sale') || (read.venue === 'classifieds' && !trade)) scale(evidence, 0.3, ['trademark']);
  // A customer calling the organization itself a scam is a complaint about its service, not a scheme using its name.
  // But a word that is also a customer's ("complaints", "a review", "reclami") in a story of formal action attributed
  // to the organization (a regulator, a court, an inquiry, people hurt) is that action's evidence, not a review.
  const isFormalPress = isAboutBrand && read.venue !== 'review_site' && isFormalIncident(cues.get('incident reported') ?? []);
  if ((cues.has('opinion or review') || read.venue === 'review_site') && !isVictimAccount) scale(evidence, 0.5, isFormalPress ? ['trademark', 'fraud'] : ['negative_press', 'trademark', 'fraud']);
  if (cues.has('not affected')) scale(evidence, 0.3, ['negative_press', 'data_leak']);
  // An account's own name ("Acme Careers") is its claim, not business news about the brand.
  if (cues.has('ordinary business news') && !isStrongLookAlike && !isFirstHand && identity === 0 && !cues.has('crypto doubling')) scale(evidence, 0.5, ['phishing', 'fraud', 'impersonation', 'data_leak', 'trademark']);

  let [category, best] = strongestOf(evidence) ?? ['other' as ThreatCategory, 0];
  // Intent over identity: an account, app or repository named for the brand that takes money,
  // sells goods, exposes data or attacks is filed by what it does; being named for the brand
  // makes that intent more surely aimed at it.
  const intent = identity > 0 ? strongestOf(evidence, ['fraud', 'trademark', 'data_leak', 'other']) : undefined;
  if (intent && intent[1] >= 0.35) {
    category = intent[0];
    best = Math.max(best, intent[1] + identity / 2);
  }
  let threatScore = best;
  if (isStrongLookAlike) {
    // The domain is the threat; what the page does decides how it is filed (intent over host).
    category = intentOnLookAlike(evidence, cues, lookAlike!.kind);
    threatScore = 0.5 + score(evidence, category) * 0.5;
  } else if (lookAlike) {
    threatScore += 0.1;
  }
  // A victim's account is evidence the scheme is live, whatever the page is.
  if (cues.has('victim report') && (category === 'fraud' || category === 'phishing')) threatScore += 0.1;
  // Rounded so that sums of weights compare as written (0.35 + 0.1 is 0.45).
  threatScore = Math.round(Math.min(1, threatScore) * 1000) / 1000;
  const isThreat = threatScore >= THREAT_THRESHOLD;
  const severity = severityOf(category, {
    finding,
    read,
    isStrongLookAlike,
    cues,
    secrets: exposure.secrets,
    hasVolume: exposure.hasVolume,
    personalFields: exposure.personalFields,
    isCloudStorage: exposure.isCloudStorage,
    isVictimAccount,
    isExposedByVenue: exposure.isExposedByVenue,
    asksForCredentials: credentialAsked || asksForCard,
    isTradeName: trade !== undefined,
  });
  const rationale = `Rules (score ${threatScore.toFixed(2)}): ${evidence.signals.map((s) => s.name).join('; ') || 'no threat signals'}`;
  return {
    isSuppressed: false,
    score: threatScore,
    matchedTerm,
    verdict: {
      isThreat,
      category,
      severity,
      confidence: Math.round(Math.min(0.95, 0.4 + threatScore / 2) * 100) / 100,
      rationale,
      explanation: { analyzer: 'rules', matchedTerm, signals: evidence.signals, profileEntries: matchedTerm.includes(': ') ? [matchedTerm] : [], confidence: null, rationale },
    },
  };
}

/** Suffixes an organization's own account adds to its name: an official marker, a market or a language (`acme_nl`, `acmeofficial`). */
const OWN_HANDLE_SUFFIX = /^(?:official|oficial|officiel|offiziell|ufficiale|officieel|oficjalny|resmi|hq|global|app|[a-z]{2})?$/;

/**
 * An account the organization itself runs, read when its profile lists no handles: the handle is the
 * organization's name (with at most an official marker or a market: `acme`, `acme_nl`,
 * `acmeofficial`) and the page sends its readers to one of the organization's own domains. Impostors
 * copy names and links too, so the caller reads this only for accounts that solicit nothing.
 */
function presentsAsOwnAccount(finding: CandidateFinding, account: NonNullable<ReadFinding['account']>, compiled: CompiledSubject): string | undefined {
  if (account.kind !== 'profile') return undefined;
  const handle = account.handle.replace(/[^\p{L}\p{N}]/gu, '');
  const name = compiled.organizationNameWords.map((words) => words.join('')).find((n) => n.length >= 4 && handle.startsWith(n) && OWN_HANDLE_SUFFIX.test(handle.slice(n.length)));
  if (!name) return undefined;
  // Links as people write them in a bio: `acme.com/help`, `https://acme.com` — the host is what counts.
  const text = `${finding.title}\n${finding.snippet}`.replace(/https?:\/\//g, '').replace(/([\w-])\/\S*/g, '$1');
  const ownLink = hostsInText(text).find((host) => compiled.brand.official.has(hostParts(host).registrable));
  return ownLink ? `@${account.rawHandle} on ${account.platform}, linking to ${ownLink}` : undefined;
}

/**
 * How a look-alike domain is filed: by what its page does. Money taken (giveaways, schemes, fees,
 * fake jobs, a shop posing as the brand itself) is fraud; goods of the brand sold by a shop that
 * only borrows the name, or a parked domain, is trademark; exposed data is a leak; a fake account
 * or app is impersonation; otherwise — credentials asked for, or nothing shown — phishing.
 */
function intentOnLookAlike(evidence: Evidence, cues: ReadonlyMap<string, string[]>, kind: string): ThreatCategory {
  const of = (category: ThreatCategory) => score(evidence, category);
  if (cues.has('parked or for sale')) return 'trademark';
  // A business that simply trades under the name, and shows nothing else.
  const showsMore = [...evidence.scores].some(([category, value]) => category !== 'trademark' && value > 0);
  if (cues.has('trading under the name') && !showsMore && kind === 'combosquat') return 'trademark';
  if (of('data_leak') >= 0.5) return 'data_leak';
  if (cues.has('fee paid over') && !cues.has('credential words')) return 'fraud';
  const isCounterfeit = cues.has('counterfeit or unlicensed goods');
  if (!isCounterfeit && (cues.has('job offer') || of('fraud') >= 0.4)) return of('phishing') > of('fraud') + 0.3 ? 'phishing' : 'fraud';
  if (cues.has('resale listing') || isCounterfeit) {
    // A shop that is the brand (its look-alike name, or claiming to be its official store, asking to be paid in advance) takes the money: fraud.
    const posesAsBrand = kind === 'homoglyph' || kind === 'typo' || kind === 'tld_swap' || (cues.has('claims to be official') && of('fraud') > 0);
    return posesAsBrand && !isCounterfeit ? 'fraud' : 'trademark';
  }
  if (of('impersonation') >= 0.4 && of('impersonation') > of('phishing')) return 'impersonation';
  if (of('other') >= 0.5 && of('other') > of('phishing')) return 'other';
  return 'phishing';
}
