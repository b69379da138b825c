import { parseFeed } from '@rowanmanning/feed-parser';
import { z } from 'zod';
import { FetchError, safeFetch } from '../http.ts';
import { stripHtml, truncate, type RawFinding, type Source } from './types.ts';

const jsonFeedSchema = z.object({
  version: z.string().startsWith('https://jsonfeed.org/version/'),
  items: z.array(
    z.object({
      url: z.string().nullish(),
      external_url: z.string().nullish(),
      title: z.string().nullish(),
      summary: z.string().nullish(),
      content_text: z.string().nullish(),
      content_html: z.string().nullish(),
    }),
  ),
});

interface Entry {
  url: string | null | undefined;
  title: string | null | undefined;
  text: string | null | undefined;
}

/**
 * The XML parser under feed-parser reads a document cut off mid-way (a dropped connection, a
 * generator that crashed) without complaint and returns the entries before the cut, so a broken feed
 * would look like a quiet one. A document whose root element is never closed is refused instead;
 * everything else the parser tolerates (stray `&`, sloppy nesting) still is.
 */
function assertRootClosed(body: string): void {
  const prologueless = body.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, '');
  const root = /<([A-Za-z_][\w.:-]*)[\s/>]/.exec(prologueless);
  if (!root || /^<[^>]*\/>\s*$/.test(prologueless.slice(root.index).trim())) return;
  const name = root[1]!.replace(/[.]/g, '\\.');
  if (!new RegExp(`</${name}\\s*>`).test(prologueless)) throw new Error(`the document ends before its <${root[1]}> element is closed (truncated)`);
}

/** RSS 0.9x/1.0/2.0 and Atom through @rowanmanning/feed-parser (lenient with real-world feeds), JSON Feed 1.x by schema. */
export function parseAnyFeed(body: string, contentType: string): Entry[] {
  const trimmed = body.trimStart();
  if (contentType.includes('json') || trimmed.startsWith('{')) {
    const feed = jsonFeedSchema.parse(JSON.parse(trimmed));
    return feed.items.map((item) => ({
      url: item.url ?? item.external_url,
      title: item.title,
      text: item.summary ?? item.content_text ?? stripHtml(item.content_html),
    }));
  }
  assertRootClosed(body);
  const feed = parseFeed(body);
  return feed.items.map((item) => ({ url: item.url, title: item.title, text: item.description ?? item.content }));
}

/**
 * Reads every feed URL of the monitor. Every entry becomes a finding: whether it mentions the
 * brand (a term, a profile name, a look-alike host) and whether an exclusion applies is decided
 * once, by the scan's deterministic filters (`decide.ts`), where the drop is recorded with its
 * reason. One broken feed fails only itself: its error is reported, the other feeds still count.
 */
export const rssSource: Source = {
  kind: 'rss',
  async fetch({ monitor, fetchOptions, warn }) {
    const findings: RawFinding[] = [];
    const errors: string[] = [];
    for (const feedUrl of monitor.feedUrls) {
      try {
        const response = await safeFetch(feedUrl, fetchOptions);
        if (response.status < 200 || response.status >= 300) throw new FetchError(feedUrl, `HTTP ${response.status}`);
        let entries: Entry[];
        try {
          entries = parseAnyFeed(response.body, response.contentType);
        } catch (error) {
          throw new FetchError(feedUrl, `not a readable RSS, Atom or JSON feed: ${(error as Error).message}`);
        }
        for (const entry of entries) {
          if (!entry.url) continue;
          const title = truncate(stripHtml(entry.title) || entry.url, 500);
          const snippet = truncate(stripHtml(entry.text), 2_000);
          findings.push({ source: 'rss', url: entry.url, title, snippet });
        }
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    if (errors.length > 0 && errors.length === monitor.feedUrls.length) throw new Error(errors.join('; '));
    for (const error of errors) warn(error);
    return findings;
  },
};
