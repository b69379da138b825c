import { foldText } from '../matching.ts';
import { accountPageOf, type AccountPage } from './accounts.ts';
import { hostParts, hostsInText, LOOK_ALIKE_STRENGTH, lookAlikeOf, skeleton, unicodeHost, type BrandDomains, type HostParts, type LookAlike } from './domains.ts';
import type { CandidateFinding, CompiledSubject } from './subject.ts';
import { venueOf, type Venue } from './venues.ts';
import { words } from './vocabulary.ts';

/** A finding's text and hosts, read once. */
export interface ReadFinding {
  /** The URL's host, decoded, and its parts. */
  urlHost: string;
  urlParts: HostParts;
  /** The URL's path segments, decoded. */
  pathSegments: string[];
  /** Hosts judged for look-alikes: a certificate's names (from its URL and text), or the URL's host. */
  hosts: string[];
  /** Title, snippet and URL, folded. */
  folded: string;
  /** The same, letters and digits only (computed when first asked). */
  compactText(): string;
  /** The same, as words. */
  words: string[];
  /** The URL's host, folded, as words (`news`, `example`, `com`). */
  hostWords: string[];
  /** The title, folded, and as words. */
  foldedTitle: string;
  /** The snippet, folded (computed when first asked). */
  foldedSnippet(): string;
  titleWords: string[];
  /** The same with the confusable skeleton applied, when the text has non-ASCII letters (computed when first asked). */
  skeletonText(): string | null;
  lookAlike: LookAlike | undefined;
  /** The account, app or package the URL is the page of, if it is one. */
  account: AccountPage | undefined;
  /** Whether the finding is about a certificate (its names are what is judged). */
  isCertificate: boolean;
  /** What kind of site hosts it, when that says who is speaking (a marketplace, a paste site, an underground forum…). */
  venue: Venue | undefined;
  /** Look-alike hosts named in the text of a finding that is not a certificate (reporting about them). */
  textLookAlike(): LookAlike | undefined;
}

/** Sites that publish certificate-transparency logs: a finding there is about the names it lists, not the site. */
const CT_LOG_SITES = new Set(['crt.sh', 'censys.io', 'search.censys.io', 'certstream.calidog.io', 'transparencyreport.google.com', 'ui.ctsearch.entrust.com', 'sslmate.com']);

function strongest(hosts: readonly string[], brand: BrandDomains, known?: { host: string; parts: HostParts }): LookAlike | undefined {
  let best: LookAlike | undefined;
  for (const host of hosts) {
    const candidate = lookAlikeOf(host, brand, host === known?.host ? known.parts : undefined);
    if (candidate && (!best || rank(candidate) > rank(best))) best = candidate;
  }
  return best;
}

/**
 * A finding read once: its URL parsed, its text folded and split into words. Where it is hosted,
 * what it imitates and whose page it is are read when first asked: the filters drop official
 * assets (a fifth of what sources return) before anyone asks. A class, not an object of closures:
 * one shape for every finding, and nothing kept alive that no one will read.
 */
class FindingReading implements ReadFinding {
  readonly urlHost: string;
  readonly urlParts: HostParts;
  readonly pathSegments: string[];
  readonly folded: string;
  /** Intent is read from what the page says and its path, not from the site's own name (`exploit.in` is a forum). */
  readonly words: string[];
  readonly hostWords: string[];
  readonly foldedTitle: string;
  readonly #foldedRest: string;
  readonly titleWords: string[];
  readonly isCertificate: boolean;
  readonly #compiled: CompiledSubject;
  readonly #textOf: string;
  readonly #decodedPath: string;
  readonly #search: string | undefined;
  readonly #isLogSite: boolean;
  #hosts: string[] | undefined;
  #compactText: string | undefined;
  #skeletonText: string | null | undefined;
  #venue: Venue | undefined | null = null;
  #lookAlike: LookAlike | undefined | null = null;
  #account: AccountPage | undefined | null = null;
  #textLookAlike: LookAlike | undefined | null = null;

  constructor(finding: CandidateFinding, compiled: CompiledSubject) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(finding.url);
    } catch {
      parsed = undefined;
    }
    this.#compiled = compiled;
    this.urlHost = unicodeHost(parsed?.hostname.toLowerCase() ?? '');
    this.#isLogSite = CT_LOG_SITES.has(this.urlHost);
    this.isCertificate = finding.source === 'certstream' || this.#isLogSite;
    this.#textOf = `${finding.title}\n${finding.snippet}`;
    // Certificates are judged on their names; other findings on their own host (a page that merely
    // names a look-alike is reporting about it).
    this.#hosts = this.isCertificate ? undefined : this.urlHost ? [this.urlHost] : [];
    const path = parsed ? `${parsed.pathname}${parsed.search}` : finding.url;
    this.#decodedPath = path.includes('%') ? safeDecode(path) : path;
    this.#search = parsed?.search;
    // Folded and split in parts (the same as the whole: a line break joins them), so the title's own words come for free.
    this.foldedTitle = foldText(finding.title);
    const foldedRest = foldText(`${finding.snippet}\n${this.#decodedPath}`);
    this.#foldedRest = foldedRest;
    const foldedHost = foldText(this.urlHost);
    this.folded = `${this.foldedTitle}\n${foldedRest}\n${foldedHost}`;
    this.titleWords = words(this.foldedTitle);
    this.words = this.titleWords.concat(words(foldedRest));
    this.hostWords = words(foldedHost);
    this.urlParts = hostParts(this.urlHost);
    this.pathSegments = (parsed?.pathname ?? '').split('/').filter(Boolean).map((segment) => (segment.includes('%') ? safeDecode(segment) : segment));
  }

  get hosts(): string[] {
    return (this.#hosts ??= [...new Set([...(this.#isLogSite || !this.urlHost ? [] : [this.urlHost]), ...hostsInText(this.#textOf)])]);
  }

  foldedSnippet(): string {
    // The snippet and the path were folded together, joined by the last line break.
    return this.#foldedRest.slice(0, this.#foldedRest.lastIndexOf('\n'));
  }

  compactText(): string {
    return (this.#compactText ??= this.words.join('') + this.hostWords.join(''));
  }

  skeletonText(): string | null {
    if (this.#skeletonText === undefined) {
      const isAscii = /^[\x00-\x7f]*$/.test(this.#textOf) && /^[\x00-\x7f]*$/.test(this.urlHost);
      this.#skeletonText = isAscii ? null : skeleton(`${this.#textOf}\n${this.urlHost}${this.#decodedPath}`);
    }
    return this.#skeletonText;
  }

  get venue(): Venue | undefined {
    if (this.#venue === null) this.#venue = this.isCertificate ? undefined : venueOf(this.urlHost, this.urlParts, this.pathSegments[0]);
    return this.#venue;
  }

  get lookAlike(): LookAlike | undefined {
    if (this.#lookAlike === null) {
      let lookAlike = strongest(this.hosts, this.#compiled.brand, { host: this.urlHost, parts: this.urlParts });
      // On free hosting a site's name is all it claims: the brand there is as telling as a lure word.
      if (lookAlike?.kind === 'brand_in_subdomain' && this.venue === 'free_hosting') lookAlike = { ...lookAlike, kind: 'lure_subdomain' };
      this.#lookAlike = lookAlike;
    }
    return this.#lookAlike;
  }

  get account(): AccountPage | undefined {
    if (this.#account === null) this.#account = this.#search !== undefined ? accountPageOf(this.urlParts.registrable, this.pathSegments, new URLSearchParams(this.#search)) : undefined;
    return this.#account;
  }

  textLookAlike(): LookAlike | undefined {
    if (this.#textLookAlike === null) this.#textLookAlike = this.isCertificate ? undefined : strongest(hostsInText(this.#textOf), this.#compiled.brand);
    return this.#textLookAlike;
  }
}

export function readFinding(finding: CandidateFinding, compiled: CompiledSubject): ReadFinding {
  return new FindingReading(finding, compiled);
}

const rank = (l: LookAlike) => LOOK_ALIKE_STRENGTH[l.kind];

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
