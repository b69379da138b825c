import { describe, expect, it } from 'vitest';
import { judgeWithRules } from '../../src/scanning/analyzers/rules.ts';
import { hostParts, skeleton, unicodeHost } from '../../src/scanning/detection/domains.ts';
import { findSecrets } from '../../src/scanning/detection/secrets.ts';
import { compileSubject, type CandidateFinding, type JudgeSubject } from '../../src/scanning/detection/subject.ts';
import { splitDomain } from '../../src/scanning/sources/permutations.ts';
import { EMPTY_PROFILE, type BrandProfile } from '../../src/services/brand-profile-shape.ts';
import { canonicalizeUrl } from '../../src/scanning/canonical.ts';
import { editDistance } from '../../src/scanning/matching.ts';

function subject(overrides: Partial<Omit<JudgeSubject, 'profile'>> & { profile?: Partial<BrandProfile> } = {}): JudgeSubject {
  return {
    organizationId: '00000000-0000-0000-0000-000000000001',
    organizationName: 'Acme',
    monitor: { name: 'Acme brand', kind: 'brand', terms: ['acme'], excludeTerms: [], ...overrides.monitor },
    ownDomains: overrides.ownDomains ?? ['acme.com'],
    profile: { ...EMPTY_PROFILE, ...overrides.profile },
  };
}

function judge(finding: Partial<CandidateFinding> & { url: string }, of: JudgeSubject = subject()) {
  const candidate: CandidateFinding = { source: 'google', title: '', snippet: '', contentHash: 'x', ...finding, url: canonicalizeUrl(finding.url) ?? finding.url };
  return judgeWithRules(candidate, compileSubject(of));
}

function flagged(outcome: ReturnType<typeof judge>) {
  if (outcome.isSuppressed) return { isThreat: false, reason: outcome.reason };
  return { isThreat: outcome.verdict.isThreat, category: outcome.verdict.category, severity: outcome.verdict.severity, reason: outcome.verdict.rationale };
}

describe('look-alike domains', () => {
  const CYRILLIC_A = '\u0430';
  const domainMonitor = subject({ monitor: { name: 'acme.com look-alikes', kind: 'domain', terms: ['acme.com'], excludeTerms: [] } });

  it(`a Cyrillic-letter look-alike (${CYRILLIC_A}cme.com) is decoded, folded and flagged as phishing`, () => {
    const url = `https://${CYRILLIC_A}cme.com/login`;
    expect(new URL(url).hostname).toMatch(/^xn--/);
    expect(unicodeHost(new URL(url).hostname)).toBe(`${CYRILLIC_A}cme.com`);
    expect(skeleton(`${CYRILLIC_A}cme`)).toBe(skeleton('acme'));
    const outcome = flagged(judge({ url, title: 'Acme — sign in', snippet: 'Enter your password to continue' }, domainMonitor));
    expect(outcome).toMatchObject({ isThreat: true, category: 'phishing', severity: 'critical' });
    expect(outcome.reason).toContain('homoglyph');
  });

  it('its punycode certificate name, as the logs carry it, is flagged as phishing too', () => {
    const name = new URL(`https://${CYRILLIC_A}cme.com/`).hostname;
    const outcome = flagged(
      judge(
        { source: 'certstream', url: `https://${name}/`, title: `Certificate issued for look-alike domain ${name}`, snippet: `A TLS certificate for ${name}, resembling acme.com, appeared in certificate transparency logs (issuer: R3).` },
        domainMonitor,
      ),
    );
    expect(outcome).toMatchObject({ isThreat: true, category: 'phishing', severity: 'high' });
  });

  it('a certificate listed on a log site is judged on its names, not on the log site', () => {
    const outcome = flagged(judge({ source: 'certstream', url: 'https://crt.sh/?id=123456', title: 'crt.sh certificate', snippet: 'Subject: acme-secure-login.com; SANs: acme-secure-login.com, www.acme-secure-login.com' }, domainMonitor));
    expect(outcome).toMatchObject({ isThreat: true, category: 'phishing' });
  });

  it('two neighbouring letters swapped count as one edit, as typosquatting tools count them', () => {
    expect(editDistance('velnuor', 'velunor', 2)).toBe(1);
    expect(editDistance('acmebnak', 'acmebank', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    const bankMonitor = subject({ monitor: { name: 'acmebank.com look-alikes', kind: 'domain', terms: ['acmebank.com'], excludeTerms: [] }, ownDomains: ['acmebank.com'] });
    const outcome = flagged(judge({ source: 'certstream', url: 'https://acmebnak.com/', title: 'Certificate issued for look-alike domain acmebnak.com', snippet: 'SANs: acmebnak.com' }, bankMonitor));
    expect(outcome).toMatchObject({ isThreat: true, category: 'phishing' });
    expect(outcome.reason).toContain('typo');
  });

  it('registrable domains come from the Public Suffix List: x.github.io and shop.acme.co.uk split correctly', () => {
    expect(splitDomain('x.github.io')).toEqual({ label: 'x', suffix: 'github.io' });
    expect(splitDomain('shop.acme.co.uk')).toEqual({ label: 'acme', suffix: 'co.uk' });
    expect(splitDomain('a.ne.jp')).toEqual({ label: 'a', suffix: 'ne.jp' });
    expect(hostParts('shop.acme.co.uk')).toMatchObject({ registrable: 'acme.co.uk', subdomain: 'shop' });
    expect(hostParts('acme.github.io')).toMatchObject({ registrable: 'acme.github.io', label: 'acme' });
  });

  it('intent decides over the host: a giveaway on a look-alike is fraud, a parked look-alike for sale is trademark', () => {
    expect(flagged(judge({ url: 'https://acme-rewards.xyz/', title: 'Acme airdrop', snippet: 'Claim your free tokens: connect your wallet' }))).toMatchObject({ isThreat: true, category: 'fraud' });
    expect(flagged(judge({ url: 'https://acme-store.net/', title: 'acme-store.net', snippet: 'This domain is for sale. Buy this domain today.' }))).toMatchObject({ isThreat: true, category: 'trademark' });
  });
});

describe('secret formats in leaked data', () => {
  const SECRETS = {
    'AWS access key': 'AKIA' + 'Q3EGZ7XN2LTVM4WP',
    'GitHub token': 'ghp_' + 'x7Kq2LmN9pR4sT6vW8yZ0aB3cD5eF7gH1jK3',
    'Slack token': 'xoxb-' + '2048123456-4096123456789-AbCdEfGhIjKlMnOpQrStUvWx',
    'private key': '-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA',
  };

  it.each(Object.entries(SECRETS))('recognizes a %s', (name, secret) => {
    expect(findSecrets(`config dump: ${secret}`)).toContain(name);
    const outcome = flagged(judge({ url: 'https://paste.example.net/raw/q8', title: 'acme prod config', snippet: `ACME deploy settings ${secret}` }));
    expect(outcome).toMatchObject({ isThreat: true, category: 'data_leak', severity: 'critical' });
    expect(outcome.reason).toContain(name);
  });

  it('ordinary identifiers are not secrets', () => {
    expect(findSecrets('order AKIA12 ghp_short xoxb- BEGIN PUBLIC KEY sk_live_')).toEqual([]);
  });
});

describe('what is not a threat', () => {
  const withProfile = subject({
    profile: {
      names: ['Acme'],
      domains: ['acme-cdn.net'],
      handles: [{ platform: 'x', handle: '@acmeofficial' }],
      apps: [{ store: 'google_play', name: 'Acme Mobile', id: 'com.acme.mobile' }],
      partners: [{ name: 'Shopco', domain: 'shopco.com' }],
      platforms: [
        { kind: 'hiring', url: 'https://jobs.lever.co/acme' },
        { kind: 'status', url: 'https://acme.statuspage.io' },
      ],
    },
  });

  it.each([
    ['its own domain', 'https://login.acme.com/reset', 'own domain: acme.com'],
    ['an official domain from the profile', 'https://assets.acme-cdn.net/login', 'own domain: acme-cdn.net'],
    ['a listed hiring platform page', 'https://jobs.lever.co/acme/3f2a-engineer', 'official platform (hiring): https://jobs.lever.co/acme'],
    ['a listed status page', 'https://acme.statuspage.io/incidents/42', 'official platform (status): https://acme.statuspage.io'],
    ['its official handle', 'https://x.com/AcmeOfficial/status/1', 'official handle: @acmeofficial on x.com'],
    ['its official app', 'https://play.google.com/store/apps/details?id=com.acme.mobile', 'official app: com.acme.mobile'],
    ['a partner', 'https://shopco.com/brands/acme', 'partner domain: shopco.com (Shopco)'],
  ])('%s is suppressed by the filters, whatever it says', (_label, url, reason) => {
    expect(flagged(judge({ url, title: 'Acme login — verify your account', snippet: 'Sign in with your Acme password; outage and lawsuit news' }, withProfile))).toEqual({ isThreat: false, reason });
  });

  it('the brand on an unlisted hiring platform path is judged, not silently trusted', () => {
    expect(judge({ url: 'https://jobs.lever.co/acme-careers-portal/1', title: 'Acme — careers', snippet: 'Apply now' }, withProfile).isSuppressed).toBe(false);
  });

  it('an article about a breach at another company that mentions the brand is not flagged', () => {
    const outcome = flagged(
      judge({
        source: 'rss',
        url: 'https://news.example.com/globex-breach',
        title: 'Globex confirms data breach affecting 2 million customers',
        snippet: 'Globex said attackers stole customer records. Rivals such as Acme were not affected.',
      }),
    );
    expect(outcome.isThreat).toBe(false);
  });

  it('the same breach attributed to the organization is negative press', () => {
    expect(flagged(judge({ source: 'rss', url: 'https://news.example.com/acme-breach', title: 'Acme confirms data breach affecting 2 million customers', snippet: 'Regulators opened an investigation into Acme.' }))).toMatchObject({
      isThreat: true,
      category: 'negative_press',
      severity: 'high',
    });
  });

  it('an executive named in the profile counts as a mention, and a fake profile of them is impersonation', () => {
    const withCeo = subject({ profile: { people: [{ name: 'Jane Roe', role: 'CEO' }] } });
    expect(flagged(judge({ url: 'https://social.example/janeroe_ceo', title: 'Jane Roe (@janeroe_ceo)', snippet: 'Official account. DM me for investment tips' }, withCeo))).toMatchObject({ isThreat: true });
    expect(flagged(judge({ url: 'https://news.example.com/weather', title: 'Storm warning', snippet: 'Heavy rain expected' }, withCeo))).toMatchObject({ isThreat: false, reason: expect.stringContaining('mentions none') });
  });
});
