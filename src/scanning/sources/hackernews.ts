import { z } from 'zod';
import { fetchJson } from '../http.ts';
import { stripHtml, truncate, type RawFinding, type Source } from './types.ts';

const responseSchema = z.object({
  hits: z.array(
    z.object({
      objectID: z.string(),
      title: z.string().nullish(),
      url: z.string().nullish(),
      story_text: z.string().nullish(),
      comment_text: z.string().nullish(),
      story_title: z.string().nullish(),
    }),
  ),
});

/** Hacker News search through Algolia's public API; one query per term, newest first. */
export const hackerNewsSource: Source = {
  kind: 'hackernews',
  async fetch({ monitor, config, fetchOptions }) {
    const findings: RawFinding[] = [];
    for (const term of monitor.terms.slice(0, 10)) {
      const url = new URL(`${config.hackerNewsBaseUrl.replace(/\/$/, '')}/search_by_date`);
      url.searchParams.set('query', term);
      url.searchParams.set('tags', '(story,comment)');
      url.searchParams.set('hitsPerPage', '30');
      const body = responseSchema.parse(await fetchJson(url.toString(), fetchOptions));
      for (const hit of body.hits) {
        const title = hit.title ?? hit.story_title ?? '';
        findings.push({
          source: 'hackernews',
          // Comments and text posts have no URL of their own: link the discussion.
          url: hit.url || `https://news.ycombinator.com/item?id=${hit.objectID}`,
          title: truncate(stripHtml(title) || 'Hacker News discussion', 500),
          snippet: truncate(stripHtml(hit.story_text ?? hit.comment_text ?? ''), 2_000),
        });
      }
    }
    return findings;
  },
};
