import { createHash } from 'node:crypto';
import type { MonitorKind, SourceKind } from '../../db/schema/enums.ts';
import type { BrandProfile } from '../../services/brand-profile-shape.ts';
import { foldText } from '../matching.ts';
import { words } from './vocabulary.ts';
import { brandDomains, hostParts, skeleton, unicodeHost, type BrandDomains } from './domains.ts';

/** Whom a batch of findings is judged for: the organization, its profile, and the monitor. */
export interface JudgeSubject {
  organizationId: string;
  organizationName: string;
  monitor: { name: string; kind: MonitorKind | string; terms: readonly string[]; excludeTerms: readonly string[] };
  ownDomains: readonly string[];
  profile: BrandProfile;
}

/** A finding as the judge sees it. */
export interface CandidateFinding {
  source: SourceKind;
  url: string;
  title: string;
  snippet: string;
  contentHash: string;
}

interface Name {
  /** As written, for explanations. */
  text: string;
  /** Folded for matching. */
  folded: string;
  /** Folded, letters and digits only (`acmebank` for "Acme Bank"). */
  compact: string;
  /** Its confusable skeleton. */
  skeleton: string;
  /** `term`, or the profile entry it comes from (`product: Acme Pay`). */
  origin: string;
  /** Short names must stand as words; long ones may be run together (`acmebank` in a URL). */
  isWordOnly: boolean;
  /** An executive or other public person of the organization. */
  isPerson: boolean;
}

/** A subject prepared once per process and content: folded names, official hosts and platforms, brand labels. */
export interface CompiledSubject {
  names: readonly Name[];
  excluded: readonly { text: string; folded: string }[];
  brand: BrandDomains;
  partners: ReadonlyMap<string, string>;
  /** Official pages on third-party platforms: `host/path` prefixes, lowercased. */
  platforms: readonly { prefix: string; description: string }[];
  /** Official handles (folded, without `@`) and the hosts of their platforms. */
  handles: ReadonlyMap<string, readonly string[]>;
  /** Official app ids (`com.acmebank.mobile`). */
  appIds: ReadonlySet<string>;
  /** The organization's own names (not people's), as words: `["acme", "bank"]`. */
  brandNameWords: readonly (readonly string[])[];
  /** Every name, people's included, as words. */
  nameWords: readonly (readonly string[])[];
  /** Every word of every name. */
  ownWords: ReadonlySet<string>;
  /** The organization's names as such (terms, its name, profile names), not its products or handles, as words. */
  organizationNameWords: readonly (readonly string[])[];
  /** The first word of each of them: a title without one holds none of the names. */
  organizationFirstWords: ReadonlySet<string>;
  /** Names an incident can be attributed to (the organization's, its products', its executives'), as words. */
  attributionNames: readonly (readonly string[])[];
  /** The first word of each of them. */
  attributionFirstWords: ReadonlySet<string>;
  /** Hashtags of an operation against the brand (`opacme`), as words. */
  operationTags: ReadonlySet<string>;
  /** Whether folded text puts one of the brand's names in quotes (`a text from 'Acme'`): said to be the brand, and doubted. */
  quotesBrand(folded: string): boolean;
  /** Verdicts depend on all of this: cached LLM verdicts are keyed by it. */
  fingerprint(): string;
}

/** Where each social platform's profiles live; an unknown platform is matched by its name in the host. */
const PLATFORM_HOSTS: Record<string, readonly string[]> = {
  x: ['x.com', 'twitter.com'],
  twitter: ['x.com', 'twitter.com'],
  instagram: ['instagram.com'],
  facebook: ['facebook.com', 'fb.com'],
  linkedin: ['linkedin.com'],
  youtube: ['youtube.com'],
  tiktok: ['tiktok.com'],
  github: ['github.com'],
  telegram: ['t.me', 'telegram.me'],
  threads: ['threads.net', 'threads.com'],
  reddit: ['reddit.com'],
  discord: ['discord.gg', 'discord.com'],
  twitch: ['twitch.tv'],
  bluesky: ['bsky.app'],
  mastodon: ['mastodon.social'],
  pinterest: ['pinterest.com'],
};

/** Each official handle with the hosts of every platform it is listed on (one handle may be official on several). */
function officialHandles(handles: BrandProfile['handles']): Map<string, string[]> {
  const byHandle = new Map<string, string[]>();
  for (const { platform, handle } of handles) {
    const key = handleKey(handle.split('/').at(-1) ?? handle);
    byHandle.set(key, [...(byHandle.get(key) ?? []), ...(PLATFORM_HOSTS[platform] ?? [platform])]);
  }
  return byHandle;
}

/** A handle as platforms compare it: case-insensitive, but every other character counts (`acme_` is not `acme`). */
export const handleKey = (value: string) => foldText(value.trim().replace(/^@/, ''));

const compact = (value: string) => foldText(value).replace(/[^\p{L}\p{N}]/gu, '');

function urlPrefix(url: string): string {
  try {
    const parsed = new URL(url);
    return `${unicodeHost(parsed.hostname).replace(/^www\./, '')}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

/**
 * Compiled subjects by content. A worker scans the same monitors again and again, so each
 * organization-monitor-profile combination is compiled once per process, not once per scan.
 * Bounded: the least recently used are dropped.
 */
const compiledSubjects = new Map<string, CompiledSubject>();
const COMPILED_SUBJECTS_KEPT = 256;

/** Forgets every compiled subject (the rules benchmark measures compiling cold with it). */
export function forgetCompiledSubjects(): void {
  compiledSubjects.clear();
}

export function compileSubject(subject: JudgeSubject): CompiledSubject {
  const { profile, monitor } = subject;
  const key = JSON.stringify([subject.organizationId, subject.organizationName, monitor.kind, monitor.terms, monitor.excludeTerms, subject.ownDomains, profile]);
  const known = compiledSubjects.get(key);
  if (known) {
    compiledSubjects.delete(key);
    compiledSubjects.set(key, known);
    return known;
  }
  const compiled = compile(subject);
  compiledSubjects.set(key, compiled);
  if (compiledSubjects.size > COMPILED_SUBJECTS_KEPT) compiledSubjects.delete(compiledSubjects.keys().next().value!);
  return compiled;
}

function compile(subject: JudgeSubject): CompiledSubject {
  const { profile, monitor } = subject;
  const names: Name[] = [];
  const add = (text: string, origin: string, isPerson = false) => {
    const folded = foldText(text).trim();
    if (folded.length < 2 || names.some((n) => n.folded === folded)) return;
    names.push({ text, folded, compact: compact(folded), skeleton: skeleton(folded), origin, isWordOnly: folded.length < 5 || isPerson, isPerson });
  };
  for (const term of monitor.terms) add(term, 'term', monitor.kind === 'person');
  add(subject.organizationName.replace(/\s*\((?:demo|test)\)\s*$/i, ''), 'organization');
  for (const name of profile.names) add(name, `name: ${name}`);
  for (const product of profile.products) add(product, `product: ${product}`);
  for (const person of profile.people) add(person.name, `person: ${person.name}${person.role ? ` (${person.role})` : ''}`, true);
  for (const handle of profile.handles) add(handle.handle.replace(/^@/, ''), `handle: ${handle.handle} on ${handle.platform}`);
  for (const app of profile.apps) add(app.name, `app: ${app.name}`);

  const officialDomains = [...subject.ownDomains, ...profile.domains, ...monitor.terms.filter((t) => /^[^\s]+\.[^\s]+$/.test(t) && monitor.kind === 'domain')];
  const brandNames = [...monitor.terms.filter((t) => !t.includes('.')), ...profile.names, subject.organizationName];
  const brand = brandDomains(officialDomains, brandNames);
  const partners = new Map<string, string>();
  for (const partner of profile.partners) if (partner.domain) partners.set(hostParts(unicodeHost(partner.domain)).registrable, partner.name);
  let fingerprint: string | undefined;
  const brandNameWords = names.filter((n) => !n.isPerson).map((n) => words(n.folded));
  const attributionNames = names.filter((n) => !n.isPerson || n.origin === 'term' || n.origin.startsWith('person')).map((n) => words(n.folded)).filter((name) => name.length > 0);
  const operationNames = brand.labels.map((l) => `op${l.label}`);
  let quoted: RegExp | undefined;
  const organizationNameWords = names.filter((n) => !n.isPerson && (n.origin === 'term' || n.origin === 'organization' || n.origin.startsWith('name: '))).map((n) => words(n.folded)).filter((name) => name.length > 0);
  return {
    names,
    excluded: monitor.excludeTerms.map((text) => ({ text, folded: foldText(text) })),
    brand,
    partners,
    platforms: profile.platforms.map((p) => ({ prefix: urlPrefix(p.url), description: `platform (${p.kind}): ${p.url}` })),
    handles: officialHandles(profile.handles),
    appIds: new Set(profile.apps.flatMap((a) => (a.id ? [a.id.toLowerCase()] : []))),
    brandNameWords,
    nameWords: names.map((n) => words(n.folded)),
    ownWords: new Set(names.flatMap((n) => words(n.folded))),
    operationTags: new Set(operationNames),
    attributionNames,
    attributionFirstWords: new Set(attributionNames.map((name) => name[0]!)),
    organizationNameWords,
    organizationFirstWords: new Set(organizationNameWords.map((name) => name[0]!)),
    quotesBrand: (folded) => {
      if (brandNameWords.length === 0 || !/[‘'"“«„]/.test(folded)) return false;
      // The name alone or with a few words ("'Acme'", "\"Acme support\"", "« service client Acme »").
      quoted ??= new RegExp(`[‘'"“«„]\\s?(?:[\\p{L}\\p{N}]+\\s){0,3}(?:${names.filter((n) => !n.isPerson).map((n) => escapeRegExp(n.folded)).join('|')})(?:\\s[\\p{L}\\p{N}]+){0,3}\\s?[’'"”»]`, 'u');
      return quoted.test(folded);
    },
    fingerprint: () =>
      (fingerprint ??= createHash('sha256')
        .update(JSON.stringify([subject.organizationName, monitor.kind, [...monitor.terms].sort(), [...monitor.excludeTerms].sort(), [...subject.ownDomains].sort(), profile]))
        .digest('hex')),
  };
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD_BOUNDARY = (folded: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(folded).replace(/\s+/g, '[\\s._-]+')}(?![\\p{L}\\p{N}])`, 'u');
const boundaryCache = new Map<string, RegExp>();

function mentions(read: ReadFinding, name: Name): boolean {
  if (name.isWordOnly) {
    let pattern = boundaryCache.get(name.folded);
    if (!pattern) {
      pattern = WORD_BOUNDARY(name.folded);
      if (boundaryCache.size < 10_000) boundaryCache.set(name.folded, pattern);
    }
    return pattern.test(read.folded);
  }
  return read.folded.includes(name.folded) || read.compactText().includes(name.compact);
}

import type { ReadFinding } from './reading.ts';

export { readFinding, type ReadFinding } from './reading.ts';

export type Filtered = { reason: string; matchedTerm: string | null } | undefined;

/**
 * The deterministic filters, the only ones allowed to drop a finding before the judge: the
 * organization's own or official domains, partners, official pages on third-party platforms,
 * official handles and apps; excluded terms; and no mention of the brand at all.
 */
export function filterFinding(finding: CandidateFinding, read: ReadFinding, compiled: CompiledSubject): Filtered | { matchedTerm: string; isPerson: boolean } {
  const { registrable } = read.urlParts;
  if (compiled.brand.official.has(registrable)) return { reason: `own domain: ${registrable}`, matchedTerm: null };
  const partner = compiled.partners.get(registrable);
  if (partner) return { reason: `partner domain: ${registrable} (${partner})`, matchedTerm: null };
  if (compiled.platforms.length > 0) {
    const prefix = `${read.urlHost.replace(/^www\./, '')}/${read.pathSegments.join('/')}`.toLowerCase().replace(/\/$/, '');
    const platform = compiled.platforms.find((p) => prefix === p.prefix || prefix.startsWith(`${p.prefix}/`));
    if (platform) return { reason: `official ${platform.description}`, matchedTerm: null };
  }
  const officialAccount = compiled.handles.size > 0 || compiled.appIds.size > 0 ? officialAccountOf(finding.url, read, compiled) : undefined;
  if (officialAccount) return { reason: officialAccount, matchedTerm: null };
  const excluded = compiled.excluded.find((term) => read.folded.includes(term.folded));
  if (excluded) return { reason: `excluded term: "${excluded.text}"`, matchedTerm: null };
  const named =
    compiled.names.find((name) => mentions(read, name)) ??
    compiled.names.find((name) => read.skeletonText()?.includes(name.skeleton));
  if (named) return { matchedTerm: named.origin === 'term' ? named.text : named.origin, isPerson: named.isPerson };
  const lookAlike = read.lookAlike ?? read.textLookAlike();
  if (lookAlike) return { matchedTerm: `look-alike of ${lookAlike.brand}: ${lookAlike.host}`, isPerson: false };
  return { reason: 'mentions none of the monitored terms, profile names or look-alike domains', matchedTerm: null };
}

const APP_STORE_HOSTS = new Set(['play.google.com', 'apps.apple.com', 'itunes.apple.com', 'appgallery.huawei.com', 'www.amazon.com', 'apps.microsoft.com']);


/** An official app's store page or an official handle's profile. */
function officialAccountOf(url: string, read: ReadFinding, compiled: CompiledSubject): string | undefined {
  const host = read.urlHost;
  if (APP_STORE_HOSTS.has(host)) {
    const id = (new URL(url).searchParams.get('id') ?? read.pathSegments.at(-1) ?? '').toLowerCase();
    if (compiled.appIds.has(id)) return `official app: ${id}`;
  }
  // Only the first two segments can name a profile.
  const segments = read.pathSegments.slice(0, 2).map(handleKey);
  const handle = ['company', 'in', 'channel', 'c', 'user', 'u', 'r'].includes(segments[0] ?? '') ? segments[1] : segments[0];
  const platformHosts = handle ? compiled.handles.get(handle) : undefined;
  const { registrable } = read.urlParts;
  if (handle && platformHosts?.some((platform) => registrable === platform || host === platform || registrable.startsWith(`${platform}.`))) return `official handle: @${handle} on ${host}`;
  return undefined;
}
