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

describe("a victim's report is the scheme's evidence, not a review", () => {
  it('a text about a held parcel whose link took card details: phishing, critical', () => {
    const post = {
      url: 'https://www.reddit.com/r/UKPersonalFinance/comments/1h2x9/parcelyn_text',
      title: 'Parcelyn text about a held parcel – lost £640',
      snippet: 'Got a text saying my Parcelyn parcel was held. I clicked the link and entered my card to pay the £1.45 fee; two hours later £640 left my account. Bank says too late.',
    };
    expect(judge(post)).toMatchObject({ isThreat: true, category: 'phishing', severity: 'critical' });
  });

  it('a caller who made the victim pay a fee for a refund: fraud, critical', () => {
    const post = {
      url: 'https://forum.example/t/parcelyn-refund-call/88',
      title: 'Call from Parcelyn about a refund',
      snippet: 'A man called about a refund for a lost Parcelyn delivery and asked me to transfer £45 to release it. I paid and nothing ever came, the number is disconnected.',
    };
    expect(judge(post)).toMatchObject({ isThreat: true, category: 'fraud', severity: 'critical' });
  });

  it.each([
    ['the brand charged twice', 'Parcelyn charged me twice for one delivery', 'I paid for next-day delivery and Parcelyn took the money twice. Support says the refund takes 10 days. Anyone else?'],
    ['a parcel the brand lost', 'My Parcelyn parcel never arrived', 'I paid for tracked delivery, the parcel never arrived and Parcelyn customer service keeps closing my complaint.'],
  ])('a complaint about the brand\'s own service (%s) is not a threat', (_case, title, snippet) => {
    expect(judge({ url: 'https://www.reddit.com/r/CasualUK/comments/1h3a0/parcelyn', title, snippet })).toMatchObject({ isThreat: false });
  });
});

describe('official accounts of an organization without a profile', () => {
  it.each([
    ['https://www.instagram.com/parcelyn/', 'Parcelyn (@parcelyn) • Instagram photos and videos', 'Official account. Track your parcel at parcelyn.com – we never ask for card details by DM.'],
    ['https://x.com/parcelyn_it', 'Parcelyn Italia (@parcelyn_it) / X', 'Account ufficiale di Parcelyn in Italia. Assistenza: parcelyn.it/aiuto'],
    ['https://www.facebook.com/parcelynofficial', 'Parcelyn | Facebook', 'Official page of Parcelyn. 80K likes. https://parcelyn.com'],
  ])('%s, named for the brand and sending readers to its own domain, is its own page', (url, title, snippet) => {
    expect(judge({ url, title, snippet })).toMatchObject({ isThreat: false });
  });

  it('an account that copies the name and the link but asks for bank details by DM is impersonation, high', () => {
    const impostor = { url: 'https://x.com/parcelyn_nl', title: 'Parcelyn Klantenservice (@parcelyn_nl) / X', snippet: 'Officiële klantenservice. Pakket kwijt? Stuur ons een DM met je bankgegevens voor je terugbetaling. parcelyn.com' };
    expect(judge(impostor)).toMatchObject({ isThreat: true, category: 'impersonation', severity: 'high' });
  });

  it('a support-named account that links nowhere of the brand\'s is still impersonation', () => {
    expect(judge({ url: 'https://x.com/ParcelynHelpDesk', title: 'Parcelyn Help Desk (@ParcelynHelpDesk) / X', snippet: 'Official customer support for Parcelyn. Message us on WhatsApp for refunds.' })).toMatchObject({
      isThreat: true,
      category: 'impersonation',
    });
  });

  it('a community tutorial repository named for the brand, with a placeholder key, is no one posing (even when the profile lists handles)', () => {
    const withHandles = subject({ handles: [{ platform: 'github', handle: 'parcelyn' }] });
    const repository = { url: 'https://github.com/lucas-dev/parcelyn-tracking-tutorial', title: 'lucas-dev/parcelyn-tracking-tutorial', snippet: 'Tutorial: track shipments with the Parcelyn API in Python. Set PARCELYN_API_KEY=your_api_key_here before running.' };
    expect(judge(repository, withHandles)).toMatchObject({ isThreat: false });
  });
});

describe('category and severity follow the policy rubric', () => {
  it('a parked look-alike, in Italian, is trademark and low', () => {
    expect(judge({ url: 'https://parcelyn-spedizioni.it/', title: 'parcelyn-spedizioni.it', snippet: 'Questo dominio è in vendita. Fai un\'offerta. Link sponsorizzati: corrieri, spedizioni.' })).toMatchObject({ isThreat: true, category: 'trademark', severity: 'low' });
  });

  it('a look-alike that makes you pay a fee over to receive a refund is fraud', () => {
    expect(judge({ url: 'https://parcelyn-refund.com/claim', title: 'Parcelyn refund centre', snippet: 'Your refund of £84.20 is ready. To release it, transfer the £12.50 processing fee to the account below. Claim your refund today.' })).toMatchObject({ isThreat: true, category: 'fraud' });
  });

  it('a live page asking for logins on a host with the brand in a subdomain is phishing, critical', () => {
    expect(judge({ url: 'https://parcelyn.punti-premio.com/it/accedi', title: 'Parcelyn Premi – riscatta i tuoi punti', snippet: 'I tuoi punti Parcelyn scadono oggi. Accedi con email e password per riscattarli.' })).toMatchObject({ isThreat: true, category: 'phishing', severity: 'critical' });
  });

  it('a fake support account is impersonation, high, even before it asks for anything', () => {
    expect(judge({ url: 'https://x.com/ParcelynAssistenza', title: 'Parcelyn Assistenza Clienti (@ParcelynAssistenza) / X', snippet: 'Assistenza clienti Parcelyn 7 giorni su 7.' })).toMatchObject({ isThreat: true, category: 'impersonation', severity: 'high' });
  });

  it('checked stolen logins for sale are a data leak, critical', () => {
    expect(judge({ url: 'https://forum.example/threads/parcelyn-accounts.4412', title: 'Parcelyn.com accounts checked – 1,800 logins for sale', snippet: 'Valid accounts with saved addresses, email:pass, checked today.' })).toMatchObject({ isThreat: true, category: 'data_leak', severity: 'critical' });
  });

  it('leaked internal documents and source without secrets are a data leak, high', () => {
    expect(judge({ url: 'https://forum.example/threads/parcelyn-internal.4413', title: 'Parcelyn internal documents and sorting-system source leaked (12 GB)', snippet: 'Confidential procedures and the routing engine source code. No credentials inside.' })).toMatchObject({ isThreat: true, category: 'data_leak', severity: 'high' });
  });

  it('a local business that only trades under the name is trademark, low', () => {
    expect(judge({ url: 'https://directory.example/parcelyn-removals-leeds', title: 'Parcelyn Removals Ltd – house moves in Leeds', snippet: 'Family removals firm. Free quote, insured, in stock packing boxes.' })).toMatchObject({ isThreat: true, category: 'trademark', severity: 'low' });
  });
});

describe('prize draws', () => {
  it('a radio station\'s free draw for tickets delivered through the brand is not a threat', () => {
    expect(judge({ source: 'rss', url: 'https://radio.example/win/parcelyn-hampers', title: 'Win: we give away 20 hampers delivered by Parcelyn', snippet: 'Free to enter, no purchase necessary. Winners are drawn on Friday and their hampers arrive by Parcelyn.' })).toMatchObject({ isThreat: false });
  });

  it('a draw that says it is free and then asks for a verification payment is fraud', () => {
    expect(judge({ url: 'https://promo.example/parcelyn-giveaway', title: 'Parcelyn giveaway: win a year of free deliveries', snippet: 'Free to enter! To claim your prize, pay the £1.99 verification fee by bank transfer.' })).toMatchObject({ isThreat: true, category: 'fraud' });
  });
});
