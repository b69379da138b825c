import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { brandProfileEntries, type ProfileEntryKind } from '../db/schema/index.ts';
import { brandProfileSectionsSchema, EMPTY_PROFILE, type BrandProfile } from './brand-profile-shape.ts';
import { ForbiddenError } from './errors.ts';
import { parseInput } from './validation.ts';
import { hasRole, type Viewer } from './viewer.ts';

export { EMPTY_PROFILE, type BrandProfile } from './brand-profile-shape.ts';

type Section = keyof BrandProfile;

/** Each profile section and the entry kind its rows carry. */
const SECTIONS: Record<Section, ProfileEntryKind> = {
  names: 'name',
  domains: 'domain',
  products: 'product',
  people: 'person',
  handles: 'handle',
  apps: 'app',
  partners: 'partner',
  platforms: 'platform',
};
const SECTION_OF = Object.fromEntries(Object.entries(SECTIONS).map(([section, kind]) => [kind, section])) as Record<ProfileEntryKind, Section>;

type Entry<S extends Section> = BrandProfile[S][number];

/** The words an entry is found by: every name, handle, domain and URL part, split on punctuation. */
function searchTextOf(value: unknown): string {
  const parts = typeof value === 'string' ? [value] : Object.values(value as Record<string, unknown>).filter((v): v is string => typeof v === 'string');
  return parts.flatMap((part) => [part, part.replace(/[^\p{L}\p{N}]+/gu, ' ')]).join(' ').toLowerCase();
}

/** How an entry reads in an explanation or a prompt: `product: Acme Pay`, `person: Jane Roe (CEO)`. */
export function describeProfileEntry(kind: ProfileEntryKind, value: unknown): string {
  if (typeof value === 'string') return `${kind}: ${value}`;
  const v = value as Record<string, string | null | undefined>;
  switch (kind) {
    case 'person':
      return `person: ${v.name}${v.role ? ` (${v.role})` : ''}`;
    case 'handle':
      return `handle: ${v.handle} on ${v.platform}`;
    case 'app':
      return `app: ${v.name} (${v.store}${v.id ? ` ${v.id}` : ''})`;
    case 'partner':
      return `partner: ${v.name}${v.domain ? ` (${v.domain})` : ''}`;
    case 'platform':
      return `platform (${v.kind}): ${v.url}`;
    default:
      return `${kind}: ${JSON.stringify(value)}`;
  }
}

export function profileFromRows(rows: readonly { kind: ProfileEntryKind; value: unknown }[]): BrandProfile {
  const profile: BrandProfile = { names: [], domains: [], products: [], people: [], handles: [], apps: [], partners: [], platforms: [] };
  for (const row of rows) (profile[SECTION_OF[row.kind]] as unknown[]).push(row.value);
  return profile;
}

/** The organization's brand profile; every section present, empty when nothing was entered. */
export async function loadBrandProfile(db: DbOrTx, organizationId: string): Promise<BrandProfile> {
  const rows = await db
    .select({ kind: brandProfileEntries.kind, value: brandProfileEntries.value })
    .from(brandProfileEntries)
    .where(eq(brandProfileEntries.organizationId, organizationId))
    .orderBy(asc(brandProfileEntries.kind), asc(brandProfileEntries.position));
  return profileFromRows(rows);
}

/** Profiles of several organizations at once (for the GraphQL loader), in the order asked. */
export async function loadBrandProfiles(db: DbOrTx, organizationIds: readonly string[]): Promise<(BrandProfile & { organizationId: string })[]> {
  if (organizationIds.length === 0) return [];
  const rows = await db
    .select({ organizationId: brandProfileEntries.organizationId, kind: brandProfileEntries.kind, value: brandProfileEntries.value })
    .from(brandProfileEntries)
    .where(inArray(brandProfileEntries.organizationId, [...organizationIds]))
    .orderBy(asc(brandProfileEntries.kind), asc(brandProfileEntries.position));
  return organizationIds.map((organizationId) => ({ organizationId, ...profileFromRows(rows.filter((r) => r.organizationId === organizationId)) }));
}

/**
 * Replaces the sections the input gives (a missing section is left as it is; an empty list clears
 * it), in the caller's transaction. No role check: for the seed, the harness and `updateBrandProfile`.
 */
export async function writeBrandProfile(db: DbOrTx, organizationId: string, sections: Partial<BrandProfile>): Promise<void> {
  const given = (Object.keys(SECTIONS) as Section[]).filter((section) => sections[section] !== undefined);
  if (given.length === 0) return;
  await db
    .delete(brandProfileEntries)
    .where(and(eq(brandProfileEntries.organizationId, organizationId), inArray(brandProfileEntries.kind, given.map((s) => SECTIONS[s]))));
  const rows = given.flatMap((section) =>
    (sections[section] as Entry<typeof section>[]).map((value, position) => ({
      organizationId,
      kind: SECTIONS[section],
      position,
      value,
      searchText: searchTextOf(value),
    })),
  );
  if (rows.length > 0) await db.insert(brandProfileEntries).values(rows);
}

/**
 * What an admin changes from the API: the sections given replace the organization's own (never
 * another's: the viewer's organization is the only one reachable). Admins and owners only.
 */
export async function updateBrandProfile(db: DbOrTx, viewer: Viewer, input: Partial<Record<Section, unknown>>): Promise<BrandProfile & { organizationId: string }> {
  if (!hasRole(viewer, 'admin')) throw new ForbiddenError('Only admins and owners can edit the brand profile');
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== null));
  const sections = parseInput(brandProfileSectionsSchema, given) as Partial<BrandProfile>;
  const run = async (tx: DbOrTx) => {
    // One profile edit at a time per organization: two concurrent edits of a section must not interleave.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('brand_profile'), hashtext(${viewer.organizationId}))`);
    await writeBrandProfile(tx, viewer.organizationId, sections);
    return { organizationId: viewer.organizationId, ...(await loadBrandProfile(tx, viewer.organizationId)) };
  };
  return 'transaction' in db ? db.transaction(run) : run(db);
}

/** A profile entry that matched a batch of findings, as the prompt and explanations show it. */
export interface RetrievedEntry {
  kind: ProfileEntryKind;
  value: unknown;
  description: string;
}

/**
 * The profile entries that share words with `text` (the findings of one LLM batch), best match
 * first: PostgreSQL full-text search over each entry's words. Used when the whole profile does not
 * fit the prompt budget.
 */
export async function retrieveProfileEntries(db: DbOrTx, organizationId: string, text: string, limit: number): Promise<RetrievedEntry[]> {
  const words = [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word.length >= 3))].slice(0, 300);
  if (words.length === 0) return [];
  // Each word is quoted as a lexeme, so nothing in the findings can be read as tsquery syntax.
  const query = words.map((word) => `'${word.replaceAll("'", "''")}'`).join(' | ');
  const rows = await db
    .select({ kind: brandProfileEntries.kind, value: brandProfileEntries.value })
    .from(brandProfileEntries)
    .where(and(eq(brandProfileEntries.organizationId, organizationId), sql`${brandProfileEntries.search} @@ to_tsquery('simple', ${query})`))
    .orderBy(sql`ts_rank(${brandProfileEntries.search}, to_tsquery('simple', ${query})) desc`, asc(brandProfileEntries.kind), asc(brandProfileEntries.position))
    .limit(limit);
  return rows.map((row) => ({ ...row, description: describeProfileEntry(row.kind, row.value) }));
}

export function profileIsEmpty(profile: BrandProfile): boolean {
  return Object.values(profile).every((section) => section.length === 0);
}

