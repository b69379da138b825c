import { createHash } from 'node:crypto';
import type { RawFinding, Source } from './types.ts';

/** mulberry32: a tiny, well-known PRNG; enough for reproducible demo data. */
function random(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const slug = (term: string) => term.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'brand';

type Template = (term: string, s: string, n: number) => RawFinding;

const MALICIOUS: Template[] = [
  (term, s, n) => ({
    source: 'demo',
    url: `https://${s}-login-verify.xyz/account/signin?session=${n}`,
    title: `${term} account verification required`,
    snippet: `Your ${term} account has been suspended. Verify your identity and enter your password to restore access.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://secure-${s}.top/wallet/update-${n}`,
    title: `Update your ${term} payment details`,
    snippet: `Urgent: confirm your credit card and password within 24 hours or your ${term} account will be closed.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://paste.example.net/raw/${s}-${n}`,
    title: `${term} customer database dump`,
    snippet: `Leaked ${term} credentials: 48,000 emails and passwords from a breach, full dump available.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://giveaway-${s}.click/claim/${n}`,
    title: `Official ${term} crypto giveaway`,
    snippet: `${term} is giving away free crypto to the first 1,000 wallets. Send 0.1 BTC to verify and receive 1 BTC.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://social.example.com/@${s}_support_${n}`,
    title: `${term} Support (official)`,
    snippet: `Official ${term} customer support account. DM us your login and password for fast help.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://cheap-${s}-outlet.shop/item/${n}`,
    title: `Discount ${term} replica products`,
    snippet: `Counterfeit ${term} products at 90% off: replica and knockoff items shipped worldwide.`,
  }),
];

const BENIGN: Template[] = [
  (term, s, n) => ({
    source: 'demo',
    url: `https://news.example.com/business/${s}-quarterly-results-${n}`,
    title: `${term} reports quarterly results`,
    snippet: `${term} announced results in line with expectations and reaffirmed its outlook.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://blog.example.org/reviews/${s}-${n}`,
    title: `Hands-on review: ${term}`,
    snippet: `We spent two weeks with ${term}. Here is what we liked and what could be better.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://news.example.com/tech/${s}-lawsuit-${n}`,
    title: `${term} faces lawsuit over outage`,
    snippet: `Customers filed a lawsuit against ${term} after a week-long outage; regulators opened an investigation.`,
  }),
  (term, s, n) => ({
    source: 'demo',
    url: `https://forum.example.net/t/${s}-tips-${n}`,
    title: `Tips for getting started with ${term}`,
    snippet: `A community thread collecting tips and tricks for new ${term} users.`,
  }),
];

/**
 * Realistic synthetic findings for the monitor's terms, offline. The same seed always yields the
 * same findings; a mix of benign (news, reviews) and malicious (phishing, leaks, fraud) pages.
 */
export function demoFindings(terms: readonly string[], seed: string, count: number): RawFinding[] {
  const next = random(seed);
  const findings: RawFinding[] = [];
  for (let i = 0; i < count; i += 1) {
    const term = terms[Math.floor(next() * terms.length)] ?? 'Acme';
    const isMalicious = next() < 0.5;
    const pool = isMalicious ? MALICIOUS : BENIGN;
    const template = pool[Math.floor(next() * pool.length)]!;
    findings.push(template(term, slug(term), Math.floor(next() * 1_000_000)));
  }
  return findings;
}

/**
 * Like a real search, half of each scan's results were there last time (seeded by the monitor
 * alone, so they are recognized as seen and not analyzed again) and half are new (seeded by scan).
 */
export const demoSource: Source = {
  kind: 'demo',
  async fetch({ monitor, seed, config }) {
    const recurring = Math.floor(config.demoFindingsPerScan / 2);
    return [
      ...demoFindings(monitor.terms, `${monitor.id}:recurring`, recurring),
      ...demoFindings(monitor.terms, seed, config.demoFindingsPerScan - recurring),
    ];
  },
};
