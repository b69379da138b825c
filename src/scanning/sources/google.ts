import { z } from 'zod';
import { fetchJson } from '../http.ts';
import { searchQuery, truncate, type RawFinding, type Source } from './types.ts';

const responseSchema = z.object({
  items: z
    .array(z.object({ link: z.string(), title: z.string().default(''), snippet: z.string().default('') }))
    .default([]),
  queries: z.object({ nextPage: z.array(z.object({ startIndex: z.number() })).optional() }).partial().optional(),
});

/** Google Programmable Search JSON API: `?key&cx&q&start`, 10 results a page. */
export const googleSource: Source = {
  kind: 'google',
  async fetch({ monitor, config, fetchOptions }) {
    const { apiKey, engineId, baseUrl, maxPages } = config.google;
    if (!apiKey || !engineId) throw new Error('the google source needs GOOGLE_API_KEY and GOOGLE_CSE_ID');
    const findings: RawFinding[] = [];
    let start = 1;
    for (let page = 0; page < maxPages; page += 1) {
      const url = new URL(baseUrl);
      url.searchParams.set('key', apiKey);
      url.searchParams.set('cx', engineId);
      url.searchParams.set('q', searchQuery(monitor));
      url.searchParams.set('start', String(start));
      const body = responseSchema.parse(await fetchJson(url.toString(), fetchOptions));
      for (const item of body.items) {
        findings.push({ source: 'google', url: item.link, title: truncate(item.title, 500), snippet: truncate(item.snippet, 2_000) });
      }
      const next = body.queries?.nextPage?.[0]?.startIndex;
      if (!next || body.items.length === 0) break;
      start = next;
    }
    return findings;
  },
};
