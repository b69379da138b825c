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
