import { editDistance, foldText } from '../matching.ts';
import { skeleton } from './domains.ts';
import { APK_SITES } from './venues.ts';

/** A page that is someone's account, app or package on a platform, rather than a post or an article. */
export interface AccountPage {
  platform: string;
  /** The account's handle, the app's id or the package's name, folded. */
  handle: string;
  /** As written, for confusable checks (`HeIp` with a capital I passes for `Help`). */
  rawHandle: string;
  kind: 'profile' | 'app' | 'package';
}

/** Path segments that are the platform's own pages, not accounts. */
const RESERVED = new Set(['search', 'hashtag', 'explore', 'home', 'i', 'intent', 'share', 'sharer', 'ads', 'watch', 'results', 'groups', 'events', 'pages', 'p', 'reel', 'status', 'login', 'signup', 'help', 'about', 'policies', 'legal', 'settings', 'topics', 'marketplace', 'jobs']);

const first = (segments: readonly string[]) => segments[0]?.replace(/^@/, '');

/**
 * Whether a URL is an account or listing page on a social network, a code registry or an app
 * store, by the platform's URL shapes: `x.com/<handle>`, `instagram.com/<handle>`,
 * `linkedin.com/in/<name>`, `github.com/<org>[/<repo>]`, `npmjs.com/package/<name>`, an app's
 * store page. A post (`x.com/<handle>/status/…`) is someone speaking, not an account posing.
 */
export function accountPageOf(registrable: string, segments: readonly string[], search: URLSearchParams): AccountPage | undefined {
  const profile = (platform: string, handle: string | undefined): AccountPage | undefined =>
    handle && !RESERVED.has(handle.toLowerCase()) ? { platform, handle: foldText(handle), rawHandle: handle, kind: 'profile' } : undefined;
  switch (registrable) {
    case 'x.com':
    case 'twitter.com':
    case 'instagram.com':
    case 'tiktok.com':
    case 'threads.net':
    case 'threads.com':
    case 't.me':
    case 'bsky.app':
      return segments.length === 1 || (segments.length === 2 && registrable === 'bsky.app') ? profile(registrable, first(segments.slice(-1))) : undefined;
    case 'facebook.com':
    case 'fb.com':
      return segments.length === 1 ? profile(registrable, first(segments)) : undefined;
    case 'linkedin.com':
      return ['in', 'company', 'school'].includes(segments[0] ?? '') && segments.length <= 3 ? profile(registrable, segments[1]) : undefined;
    case 'youtube.com':
      if (segments.length >= 1 && segments[0]!.startsWith('@')) return profile(registrable, first(segments));
      return ['c', 'channel', 'user'].includes(segments[0] ?? '') ? profile(registrable, segments[1]) : undefined;
    case 'discord.com':
      return segments[0] === 'users' || segments[0] === 'invite' ? profile(registrable, segments[1]) : undefined;
    case 'discord.gg':
      return profile(registrable, first(segments));
    case 'reddit.com':
      return segments[0] === 'user' || segments[0] === 'u' ? profile(registrable, segments[1]) : undefined;
    case 'github.com':
    case 'gitlab.com':
      return segments.length >= 1 && segments.length <= 2 ? { ...profile(registrable, first(segments))!, kind: segments.length === 2 ? 'package' : 'profile' } : undefined;
    case 'npmjs.com':
      return segments[0] === 'package' ? { platform: registrable, handle: foldText(segments.slice(1).join('/')), rawHandle: segments.slice(1).join('/'), kind: 'package' } : undefined;
    case 'pypi.org':
      return segments[0] === 'project' ? { platform: registrable, handle: foldText(segments[1] ?? ''), rawHandle: segments[1] ?? '', kind: 'package' } : undefined;
    case 'google.com':
      return segments.join('/') === 'store/apps/details' && search.get('id') ? { platform: 'google_play', handle: search.get('id')!.toLowerCase(), rawHandle: search.get('id')!, kind: 'app' } : undefined;
    case 'apple.com':
      return segments.includes('app') ? { platform: 'app_store', handle: foldText(segments.at(-1) ?? ''), rawHandle: segments.at(-1) ?? '', kind: 'app' } : undefined;
    default:
      return APK_SITES.has(registrable) ? apkPage(registrable, segments) : undefined;
  }
}

const PACKAGE_ID = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$/i;

/** An app's page on an APK site: its package id when the URL carries one (`/acme-mobile/com.acme.mobile`), else its slug. */
function apkPage(registrable: string, segments: readonly string[]): AccountPage | undefined {
  const slugs = segments.filter((segment) => segment !== 'apk' && segment !== 'download' && !/^(?:en|es|fr|de|pt|app|android)$/.test(segment));
  const id = slugs.find((segment) => PACKAGE_ID.test(segment));
  const handle = id ?? slugs.at(-1);
  return handle ? { platform: registrable, handle: foldText(handle), rawHandle: handle, kind: 'app' } : undefined;
}

/**
 * Whether a handle imitates an official one (`official` as `handleKey` gives them): only punctuation
 * differs, the same skeleton, a small edit, or the official handle with a few characters added.
 */
export function imitatesHandle(rawHandle: string, official: Iterable<string>): string | undefined {
  const compactHandle = foldText(rawHandle).replace(/[^\p{L}\p{N}]/gu, '');
  const handleSkeleton = skeleton(rawHandle.replace(/[^\p{L}\p{N}]/gu, ''));
  const exact = foldText(rawHandle.replace(/^@/, ''));
  for (const key of official) {
    if (key === exact) continue;
    const candidate = key.replace(/[^\p{L}\p{N}]/gu, '');
    if (candidate.length < 4) continue;
    // Only punctuation differs (`acme_` for `acme`, `acme.help` for `acmehelp`).
    if (candidate === compactHandle) return key;
    if (skeleton(candidate) === handleSkeleton) return candidate;
    if (editDistance(compactHandle, candidate, 2) <= (candidate.length >= 8 ? 2 : 1)) return candidate;
    if (compactHandle.startsWith(candidate) && compactHandle.length - candidate.length <= 8) return candidate;
  }
  return undefined;
}
