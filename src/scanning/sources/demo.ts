import { createHash } from 'node:crypto';
import type { ThreatCategory } from '../../db/schema/enums.ts';
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

/** One kind of demo finding, and how the categories file it (null: not a threat). */
export interface DemoTemplate {
  category: ThreatCategory | null;
  render: (term: string, s: string, n: number) => RawFinding;
}

/** Threats, one or more of every category, as the rules and the categories see them. */
export const DEMO_THREATS: readonly DemoTemplate[] = [
  {
    category: 'phishing',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://${s}-login-verify.xyz/account/signin?session=${n}`,
      title: `${term} account verification required`,
      snippet: `Your ${term} account has been suspended. Verify your identity and enter your password to restore access.`,
    }),
  },
  {
    category: 'phishing',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://secure-${s}.top/wallet/update-${n}`,
      title: `Update your ${term} payment details`,
      snippet: `Urgent: confirm your credit card and password within 24 hours or your ${term} account will be closed.`,
    }),
  },
  {
    category: 'data_leak',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://paste.example.net/raw/${s}-${n}`,
      title: `${term} customer database dump`,
      snippet: `Leaked ${term} credentials: 48,000 emails and passwords from a breach, full dump available.`,
    }),
  },
  {
    category: 'fraud',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://giveaway-${s}.click/claim/${n}`,
      title: `Official ${term} crypto giveaway`,
      snippet: `${term} is giving away free crypto to the first 1,000 wallets. Send 0.1 BTC to verify and receive 1 BTC.`,
    }),
  },
  {
    category: 'impersonation',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://social.example.com/@${s}_support_${n}`,
      title: `${term} Support (official)`,
      snippet: `Official ${term} customer support account. DM us your login and password for fast help.`,
    }),
  },
  {
    category: 'trademark',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://cheap-${s}-outlet.shop/item/${n}`,
      title: `Discount ${term} replica products`,
      snippet: `Counterfeit ${term} products at 90% off: replica and knockoff items shipped worldwide.`,
    }),
  },
  {
    // Press that attributes an incident to the organization is a threat to it (negative press).
    category: 'negative_press',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://news.example.com/tech/${s}-lawsuit-${n}`,
      title: `${term} faces lawsuit over outage`,
      snippet: `Customers filed a lawsuit against ${term} after a week-long outage; regulators opened an investigation.`,
    }),
  },
  {
    category: 'other',
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://forum.example.net/t/${s}-pro-keygen-${n}`,
      title: `${term} Pro cracked + keygen`,
      snippet: `License check removed from ${term} Pro, working keygen included. Download from the mirror below.`,
    }),
  },
];

/** What a brand's name also turns up that is no threat: business news, reviews, community help, advice, another company's incident. */
export const DEMO_BENIGN: readonly DemoTemplate[] = [
  {
    category: null,
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://news.example.com/business/${s}-quarterly-results-${n}`,
      title: `${term} reports quarterly results`,
      snippet: `${term} announced results in line with expectations and reaffirmed its outlook.`,
    }),
  },
  {
    category: null,
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://blog.example.org/reviews/${s}-${n}`,
      title: `Hands-on review: ${term}`,
      snippet: `We spent two weeks with ${term}. Here is what we liked and what could be better.`,
    }),
  },
  {
    category: null,
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://forum.example.net/t/${s}-tips-${n}`,
      title: `Tips for getting started with ${term}`,
      snippet: `A community thread collecting tips and tricks for new ${term} users.`,
    }),
  },
  {
    category: null,
    render: (term, s, n) => ({
      source: 'demo',
      url: `https://security.example.org/blog/spot-fake-${s}-emails-${n}`,
      title: `How to spot fake ${term} emails`,
      snippet: `Researchers explain the signs of phishing messages that imitate ${term}, and how to report them.`,
    }),
  },
  {
    category: null,
    render: (term, _s, n) => ({
      source: 'demo',
      url: `https://news.example.com/security/globex-breach-${n}`,
      title: 'Globex confirms data breach affecting 2 million customers',
      snippet: `Globex said attackers stole customer records. Rivals such as ${term} were not affected.`,
    }),
  },
];

/**
 * Realistic synthetic findings for the monitor's terms, offline. The same seed always yields the
 * same findings; about half are threats of every category, half are what a brand's name also turns
 * up (news, reviews, community help, advice, other companies' incidents). With `leadsWithThreat`
 * the first one is a threat whatever the draw.
 */
export function demoFindings(terms: readonly string[], seed: string, count: number, options: { leadsWithThreat?: boolean } = {}): RawFinding[] {
  const next = random(seed);
  const findings: RawFinding[] = [];
  for (let i = 0; i < count; i += 1) {
    const term = terms[Math.floor(next() * terms.length)] ?? 'Acme';
    const isMalicious = next() < 0.5 || (i === 0 && options.leadsWithThreat === true);
    const pool = isMalicious ? DEMO_THREATS : DEMO_BENIGN;
    const template = pool[Math.floor(next() * pool.length)]!;
    findings.push(template.render(term, slug(term), Math.floor(next() * 1_000_000)));
  }
  return findings;
}

/**
 * Like a real search, half of each scan's results were there last time (seeded by the monitor
 * alone, so they are recognized as seen and not analyzed again) and half are new (seeded by scan).
 * The new half always holds a threat: a demo scan, the first one above all, never comes back empty
 * (one in 64 did), so "Scan now" in a demo always has something to show.
 */
export const demoSource: Source = {
  kind: 'demo',
  async fetch({ monitor, seed, config }) {
    const recurring = Math.floor(config.demoFindingsPerScan / 2);
    return [
      ...demoFindings(monitor.terms, `${monitor.id}:recurring`, recurring),
      ...demoFindings(monitor.terms, seed, config.demoFindingsPerScan - recurring, { leadsWithThreat: true }),
    ];
  },
};
