import { describe, expect, it } from 'vitest';
import { judgeWithRules } from '../../src/scanning/analyzers/rules.ts';
import { canonicalizeUrl } from '../../src/scanning/canonical.ts';
import { compileSubject, type CandidateFinding, type JudgeSubject } from '../../src/scanning/detection/subject.ts';
import { EMPTY_PROFILE } from '../../src/services/brand-profile-shape.ts';

/** A brand none of the rules' vocabulary was written for. */
const NORVANE: JudgeSubject = {
  organizationId: '00000000-0000-0000-0000-000000000002',
  organizationName: 'Norvane',
  monitor: { name: 'Norvane brand', kind: 'brand', terms: ['Norvane'], excludeTerms: [] },
  ownDomains: ['norvane.com'],
  profile: { ...EMPTY_PROFILE, names: ['Norvane', 'Norvane Energy'], products: ['Norvane Flex'], handles: [{ platform: 'x', handle: '@norvane' }] },
};

function verdict(finding: Partial<CandidateFinding> & { url: string; title: string }) {
  const candidate: CandidateFinding = { source: 'google', snippet: '', contentHash: 'x', ...finding, url: canonicalizeUrl(finding.url) ?? finding.url };
  const outcome = judgeWithRules(candidate, compileSubject(NORVANE));
  if (outcome.isSuppressed) return { isThreat: false, reason: outcome.reason };
  return { isThreat: outcome.verdict.isThreat, category: outcome.verdict.category, severity: outcome.verdict.severity, reason: outcome.verdict.rationale };
}

describe('who is speaking', () => {
  it("a victim's account of someone using the brand's name is live fraud; a complaint about the brand's own service is not a threat", () => {
    expect(
      verdict({
        url: 'https://www.reddit.com/r/Scams/comments/x1/',
        title: 'Got a call from "Norvane support", they emptied my account',
        snippet: 'They said they were from Norvane and had me install a remote access app. I lost £2,000.',
      }),
    ).toMatchObject({ isThreat: true, category: 'fraud', severity: 'critical' });
    expect(verdict({ url: 'https://www.reddit.com/r/norvane/comments/x2/', title: 'Norvane charged me twice this month', snippet: 'I paid my bill and they took it again. Anyone else?' })).toMatchObject({
      isThreat: false,
    });
  });

  it('a victim who typed card details into the scheme’s page is filed as phishing', () => {
    expect(
      verdict({
        url: 'https://www.reddit.com/r/travel/comments/x3/',
        title: "Text from 'Norvane' said my tariff refund was ready",
        snippet: 'I entered my card details on their refund page and was charged €640 the next day.',
      }),
    ).toMatchObject({ isThreat: true, category: 'phishing', severity: 'critical' });
  });

  it("a regulator's warning about a firm using the name is fraud; press about scams that use the brand is not a threat", () => {
    expect(
      verdict({ url: 'https://www.cnmv.es/portal/advertencias/norvane-inversiones', title: 'Advertencia: Norvane Inversiones', snippet: 'Entidad no autorizada para prestar servicios de inversión.' }),
    ).toMatchObject({ isThreat: true, category: 'fraud' });
    expect(
      verdict({
        source: 'rss',
        url: 'https://news.example/fake-delivery-texts',
        title: 'Fake delivery texts: the new scam aimed at Norvane customers',
        snippet: 'Scammers ask for a redelivery fee. Here is how to recognise them.',
      }),
    ).toMatchObject({ isThreat: false });
  });

  it('an attack announced in the attacker’s voice is a threat of the "other" kind', () => {
    expect(verdict({ url: 'https://x.com/siegecrew/status/1', title: 'siegecrew on X', snippet: 'Tomorrow at noon we take the Norvane customer portal offline. #OpNorvane' })).toMatchObject({
      isThreat: true,
      category: 'other',
      severity: 'high',
    });
  });
});

describe('where it is hosted', () => {
  it('the brand’s goods listed on a marketplace that is not a partner are trademark; a second-hand sale by a person is not', () => {
    expect(verdict({ url: 'https://www.ebay.co.uk/itm/1234', title: 'Norvane smart plug – lot of 10 – wholesale', snippet: 'Free shipping. £59.00' })).toMatchObject({
      isThreat: true,
      category: 'trademark',
      severity: 'medium',
    });
    expect(verdict({ url: 'https://www.vinted.fr/items/123', title: 'Radiateur Norvane peu servi', snippet: 'Vendu par une particulière, 20 €' })).toMatchObject({ isThreat: false });
  });

  it('a ransomware leak-site tracker listing the organization is a critical data leak', () => {
    expect(
      verdict({ url: 'https://ransomware.live/id/Tm9ydmFuZQ', title: 'Norvane Energy – Akira – ransomware.live', snippet: 'Group: akira. We are ready to upload 210 GB of corporate data.' }),
    ).toMatchObject({ isThreat: true, category: 'data_leak', severity: 'critical' });
  });

  it('credentials written out in a paste are a critical leak; placeholders in a tutorial are not', () => {
    expect(verdict({ url: 'https://pastebin.com/Qm7rT2vA', title: 'norvane prod billing', snippet: 'host: billing-db01.norvane.internal user: svc_billing pass: Winter2024!Nv' })).toMatchObject({
      isThreat: true,
      category: 'data_leak',
      severity: 'critical',
    });
    expect(verdict({ url: 'https://dev.example/norvane-api-tutorial', title: 'Calling the Norvane API from Python', snippet: 'Set NORVANE_API_KEY=YOUR_API_KEY and password: ******** first.' })).toMatchObject({
      isThreat: false,
    });
  });

  it('a business trading under the name is trademark; a restaurant whose name merely begins with it is not', () => {
    expect(verdict({ url: 'https://norvanesolar.example/', title: 'Norvane Solar Ltd – Solar panels in Kent', snippet: 'We install solar panels and batteries. Free quote.' })).toMatchObject({
      isThreat: true,
      category: 'trademark',
      severity: 'low',
    });
    expect(verdict({ url: 'https://norvanello.example/', title: 'Restaurante Norvanello – Cocina casera', snippet: 'Menú del día 12 €. Norvane clients welcome.' })).toMatchObject({ isThreat: false });
  });

  it('intent over identity: an account named after the brand that runs a giveaway is fraud', () => {
    expect(
      verdict({ url: 'https://www.instagram.com/norvane.sorteos/', title: 'Norvane Sorteos (@norvane.sorteos)', snippet: '¡Has ganado un radiador! Paga solo los gastos de envío (2,95 €) en el enlace.' }),
    ).toMatchObject({ isThreat: true, category: 'fraud' });
  });
});

describe('whom an incident is about, in five languages', () => {
  it.each([
    ['en', 'Norvane to cut 600 jobs as demand falls'],
    ['es', 'Norvane, condenada a pagar 3 millones a sus clientes'],
    ['fr', 'Panne géante chez Norvane : des milliers de foyers privés de chauffage'],
    ['de', 'Norvane ruft 12.000 Heizlüfter wegen Brandgefahr zurück'],
    ['pt', 'Anacom aplica coima de 3 milhões à Norvane por cobranças indevidas'],
  ])('%s: "%s" is negative press', (_lang, title) => {
    expect(verdict({ source: 'rss', url: 'https://news.example/story', title })).toMatchObject({ isThreat: true, category: 'negative_press' });
  });

  it('the same words about another entity that shares the name, or a firm cleared beside a fined rival, are not', () => {
    expect(verdict({ source: 'rss', url: 'https://news.example/rovers', title: 'Norvane Rovers fined £2,000 after crowd trouble' })).toMatchObject({ isThreat: false });
    expect(verdict({ source: 'rss', url: 'https://news.example/caspel', title: 'Caspel fined £4m; Norvane among firms cleared by regulator' })).toMatchObject({ isThreat: false });
  });
});
