import { HOMOGLYPHS } from '../matching.ts';

const TLD_SWAPS = ['com', 'net', 'org', 'co', 'io', 'app', 'info', 'xyz', 'top', 'online', 'site', 'shop', 'support', 'live'];
const ADDED_WORDS = ['login', 'secure', 'account', 'verify', 'support', 'help', 'online', 'auth', 'wallet', 'pay'];
const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'qs', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k',
  m: 'n', n: 'bm', o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'x',
};

/** Splits `shop.acme.co.uk` into the label to permute (`acme`) and the rest. Good enough for look-alikes. */
export function splitDomain(domain: string): { label: string; suffix: string } {
  const parts = domain.toLowerCase().replace(/^www\./, '').split('.');
  if (parts.length < 2) return { label: parts[0] ?? '', suffix: 'com' };
  const isTwoPartSuffix = parts.length >= 3 && ['co', 'com', 'org', 'net', 'ac', 'gov'].includes(parts.at(-2)!) && parts.at(-1)!.length === 2;
  const suffixLength = isTwoPartSuffix ? 2 : 1;
  return { label: parts.at(-suffixLength - 1)!, suffix: parts.slice(-suffixLength).join('.') };
}

/**
 * Look-alike candidates for a domain: typos (omission, repetition, transposition, keyboard
 * neighbours), homoglyphs, TLD swaps, hyphenation and added words — what dnstwist-style tools try.
 */
export function domainPermutations(domain: string, limit = 300): string[] {
  const { label, suffix } = splitDomain(domain);
  if (!label) return [];
  const labels = new Set<string>();
  for (let i = 0; i < label.length; i += 1) {
    labels.add(label.slice(0, i) + label.slice(i + 1)); // omission
    labels.add(label.slice(0, i) + label[i] + label.slice(i)); // repetition
    if (i < label.length - 1) labels.add(label.slice(0, i) + label[i + 1] + label[i] + label.slice(i + 2)); // transposition
    for (const near of KEYBOARD_NEIGHBOURS[label[i]!] ?? '') labels.add(label.slice(0, i) + near + label.slice(i + 1));
    for (const [glyph, imitated] of Object.entries(HOMOGLYPHS)) {
      if (imitated === label[i] && /^[0-9]$/.test(glyph)) labels.add(label.slice(0, i) + glyph + label.slice(i + 1));
    }
    if (i > 0) labels.add(`${label.slice(0, i)}-${label.slice(i)}`); // hyphenation
  }
  labels.add(label.replace(/m/g, 'rn'));
  labels.delete(label);
  const candidates = new Set<string>();
  for (const candidate of labels) if (candidate.length > 1) candidates.add(`${candidate}.${suffix}`);
  for (const tld of TLD_SWAPS) if (tld !== suffix) candidates.add(`${label}.${tld}`);
  for (const word of ADDED_WORDS) {
    candidates.add(`${label}-${word}.${suffix}`);
    candidates.add(`${word}-${label}.${suffix}`);
    candidates.add(`${label}${word}.${suffix}`);
  }
  return [...candidates].slice(0, limit);
}
