import { sql } from 'drizzle-orm';
import { check, customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './accounts.ts';
import { inList } from './enums.ts';

/** The sections of a brand profile, one entry kind each. */
export const profileEntryKinds = ['name', 'domain', 'product', 'person', 'handle', 'app', 'partner', 'platform'] as const;
export type ProfileEntryKind = (typeof profileEntryKinds)[number];

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * One entry of an organization's brand profile (an official name, a product, an executive, …).
 * Entries are rows, not one document, so the scan can retrieve only those that match a batch of
 * findings (full-text search on `search`) when the whole profile would not fit the prompt.
 */
export const brandProfileEntries = pgTable(
  'brand_profile_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text().$type<ProfileEntryKind>().notNull(),
    /** Order within its section, as the admin wrote it. */
    position: integer().notNull(),
    /** The entry as the profile's JSON shape has it: a string, or an object (person, handle, …). */
    value: jsonb().notNull(),
    /** The words the entry is found by: its names, handle, domain or URL split into words. */
    searchText: text().notNull(),
    search: tsvector().generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, search_text)`),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('brand_profile_entries_org_kind_idx').on(t.organizationId, t.kind, t.position),
    index('brand_profile_entries_search_idx').using('gin', t.search),
    check('brand_profile_entries_kind_check', sql.raw(`kind IN (${inList(profileEntryKinds)})`)),
  ],
);
