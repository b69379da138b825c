import type { SourceKind } from '../../db/schema/enums.ts';
import { certificateSource } from './crtsh.ts';
import { demoSource } from './demo.ts';
import { googleSource } from './google.ts';
import { hackerNewsSource } from './hackernews.ts';
import { rssSource } from './rss.ts';
import type { Source } from './types.ts';

export const SOURCES: Record<SourceKind, Source> = {
  google: googleSource,
  rss: rssSource,
  hackernews: hackerNewsSource,
  certstream: certificateSource,
  demo: demoSource,
};
