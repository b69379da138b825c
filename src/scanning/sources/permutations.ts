import { unicodeHost, hostParts } from '../detection/domains.ts';

const TLD_SWAPS = ['com', 'net', 'org', 'co', 'io', 'app', 'info', 'xyz', 'top', 'online', 'site', 'shop', 'support', 'live'];
const ADDED_WORDS = ['login', 'secure', 'account', 'verify', 'support', 'help', 'online', 'auth', 'wallet', 'pay'];
/** Digits registrars accept that pass for letters (`0` for `o`); Unicode homoglyphs are caught by skeletons instead. */
const DIGIT_GLYPHS: Record<string, string> = { o: '0', l: '1', i: '1', e: '3', a: '4', s: '5', t: '7', b: '8', g: '9' };
const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'qs', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k',
  m: 'n', n: 'bm', o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'x',
};

/**
 * Splits a domain into the label to permute and its public suffix, with the Public Suffix List
 * (tldts): `shop.acme.co.uk` → `acme` + `co.uk`, `x.github.io` → `x` + `github.io`.
 */
export function splitDomain(domain: string): { label: string; suffix: string } {
  const { label, suffix } = hostParts(unicodeHost(domain).replace(/^www\./, ''));
  return { label, suffix: suffix || 'com' };
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
    for (const glyph of DIGIT_GLYPHS[label[i]!] ?? '') labels.add(label.slice(0, i) + glyph + label.slice(i + 1));
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
