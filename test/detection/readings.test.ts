import { describe, expect, it } from 'vitest';
import { judgeWithRules } from '../../src/scanning/analyzers/rules.ts';
import { canonicalizeUrl } from '../../src/scanning/canonical.ts';
import { compileSubject, type CandidateFinding, type JudgeSubject } from '../../src/scanning/detection/subject.ts';
import { EMPTY_PROFILE, type BrandProfile } from '../../src/services/brand-profile-shape.ts';

/** A courier with no brand profile: what the rules know is its name, its monitor and its own domains. */
function subject(profile: Partial<BrandProfile> = {}): JudgeSubject {
  return {
    organizationId: '00000000-0000-0000-0000-000000000007',
    organizationName: 'Parcelyn',
    monitor: { name: 'Parcelyn brand', kind: 'brand', terms: ['Parcelyn'], excludeTerms: [] },
    ownDomains: ['parcelyn.com', 'parcelyn.it'],
    profile: { ...EMPTY_PROFILE, ...profile },
  };
}

function judge(finding: Partial<CandidateFinding> & { url: string }, of: JudgeSubject = subject()) {
  const candidate: CandidateFinding = { source: 'google', title: '', snippet: '', contentHash: 'x', ...finding, url: canonicalizeUrl(finding.url) ?? finding.url };
  const outcome = judgeWithRules(candidate, compileSubject(of));
  if (outcome.isSuppressed) return { isThreat: false, reason: outcome.reason };
  return { isThreat: outcome.verdict.isThreat, category: outcome.verdict.category, severity: outcome.verdict.severity, reason: outcome.verdict.rationale };
}

describe('job offers that charge the applicant, in languages the first rounds did not read', () => {
  it.each([
    ['it', 'Parcelyn assume addetti da casa', 'Lavoro da casa per Parcelyn, nessuna esperienza. Per iniziare versa la quota di iscrizione di 60 € con ricarica PostePay.'],
    ['pl', 'Parcelyn – praca zdalna, przyjmowanie paczek', 'Szukamy osób do przyjmowania paczek w domu dla Parcelyn, 40 zł za paczkę. Wymagana kaucja 150 zł przelewem.'],
    ['nl', 'Thuiswerk bij Parcelyn: pakketten ontvangen en doorsturen', 'Geen ervaring nodig, € 20 per pakket. Eerst overmaken: € 35 inschrijfkosten voor je startpakket.'],
    ['tr', 'Parcelyn evden çalışma ilanı', 'Evden iş: Parcelyn kargolarını kabul edip gönderin, paket başına 150 TL. Kayıt ücreti 300 TL, IBAN\'a havale.'],
  ])('%s: a fee asked of the applicant is fraud', (_lang, title, snippet) => {
    expect(judge({ url: 'https://jobs-board.example/ads/9912', title, snippet })).toMatchObject({ isThreat: true, category: 'fraud' });
  });

  it('a real vacancy on a job board, in the same words but asking for nothing, is not a threat', () => {
    expect(judge({ url: 'https://jobs-board.example/ads/9913', title: 'Parcelyn assume autisti a Bologna', snippet: 'Contratto a tempo indeterminato, formazione pagata. Candidati sul sito.' })).toMatchObject({ isThreat: false });
  });
});

describe('a word that is both a review cue and a legal or medical word', () => {
  it.each([
    ['en', 'Watchdog fines Parcelyn £2m after 9,000 complaints about lost parcels', 'The regulator said Parcelyn ignored complaints for months and ordered refunds.'],
    ['en', 'Parcelyn faces inquiry after review of driver injuries', 'An independent review found two drivers were injured at the Parcelyn depot; an inquiry will report in spring.'],
    ['it', 'Antitrust, multa a Parcelyn dopo migliaia di reclami', 'L\'autorità ha sanzionato Parcelyn per i reclami ignorati sui pacchi smarriti.'],
    ['pl', 'UOKiK: kara dla Parcelyn po tysiącach skarg klientów', 'Prezes UOKiK nałożył karę na Parcelyn; skargi dotyczyły zagubionych paczek.'],
  ])('%s: press that attributes formal action to the organization is negative press, high', (_lang, title, snippet) => {
    expect(judge({ source: 'rss', url: 'https://news.example/economy/4410', title, snippet })).toMatchObject({ isThreat: true, category: 'negative_press', severity: 'high' });
  });

  it('customers\' complaints on a review page are still not press', () => {
    expect(judge({ url: 'https://reviews.example/parcelyn', title: 'Parcelyn reviews – 2.1 stars', snippet: 'Complaints about late deliveries and a slow refund. Read 800 reviews of Parcelyn.' })).toMatchObject({ isThreat: false });
  });

  it('a strike reported about the organization is medium, not high', () => {
    expect(judge({ source: 'rss', url: 'https://news.example/economy/4411', title: 'Parcelyn drivers strike over pay', snippet: 'The walkout closes three Parcelyn depots for two days.' })).toMatchObject({ isThreat: true, category: 'negative_press', severity: 'medium' });
  });
});
