import { createHash } from 'node:crypto';

/** Query parameters that identify a campaign or a click, not a page. */
const TRACKING_PARAMETERS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'mc_cid', 'mc_eid', 'igshid', 'yclid',
  '_hsenc', '_hsmi', 'ref', 'ref_src', 'spm', 'si', 'oly_enc_id', 'oly_anon_id', 'vero_id', '__s',
]);

/**
 * One URL per page: lowercase scheme and host, no default port, no fragment, no tracking
 * parameters, remaining parameters sorted, no trailing slash (except the root).
 * Returns null for anything that is not an http(s) URL.
 */
export function canonicalizeUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  url.hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  if ((url.protocol === 'http:' && url.port === '80') || (url.protocol === 'https:' && url.port === '443')) url.port = '';
  const kept = [...url.searchParams.entries()].filter(([key]) => !key.toLowerCase().startsWith('utm_') && !TRACKING_PARAMETERS.has(key.toLowerCase()));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  url.search = new URLSearchParams(kept).toString();
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '');
  return url.toString();
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** What the analyzer judges: the same words on any URL give the same verdict, so they share a cache entry. */
export function contentHash(title: string, snippet: string, url: string): string {
  const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return sha256Hex(`${normalize(title)}\n${normalize(snippet)}\n${url}`);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}
