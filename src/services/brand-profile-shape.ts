import { z } from 'zod';

/** Third-party platforms an organization runs official pages on. */
export const platformKinds = ['hiring', 'status', 'helpdesk', 'shop', 'social', 'docs', 'other'] as const;
export type PlatformKind = (typeof platformKinds)[number];

const name = z.string().trim().min(1).max(200);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(253)
  .regex(/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u, 'must be a domain name like example.com');

/**
 * What an organization knows about itself: its official names, domains, products, public people,
 * social handles and apps, legitimate partners, and third-party platforms it uses. The rules treat
 * official assets as not threats; the LLM receives the entries relevant to each batch.
 */
/** The most entries each section holds: edits beyond it are refused, and the API documents it. */
export const PROFILE_SECTION_LIMITS = {
  names: 50,
  domains: 100,
  products: 200,
  people: 200,
  handles: 200,
  apps: 100,
  partners: 200,
  platforms: 100,
} as const;

const sections = {
  names: z.array(name).max(PROFILE_SECTION_LIMITS.names),
  domains: z.array(domain).max(PROFILE_SECTION_LIMITS.domains),
  products: z.array(name).max(PROFILE_SECTION_LIMITS.products),
  people: z.array(z.object({ name, role: z.string().trim().max(200).nullish() })).max(PROFILE_SECTION_LIMITS.people),
  handles: z
    .array(z.object({ platform: z.string().trim().toLowerCase().min(1).max(50), handle: z.string().trim().min(1).max(200) }))
    .max(PROFILE_SECTION_LIMITS.handles),
  apps: z
    .array(z.object({ store: z.string().trim().toLowerCase().min(1).max(50), name, id: z.string().trim().max(300).nullish() }))
    .max(PROFILE_SECTION_LIMITS.apps),
  partners: z.array(z.object({ name, domain: domain.nullish() })).max(PROFILE_SECTION_LIMITS.partners),
  platforms: z
    .array(z.object({ kind: z.enum(platformKinds), url: z.url({ protocol: /^https?$/ }).max(2_000) }))
    .max(PROFILE_SECTION_LIMITS.platforms),
};

export const brandProfileSchema = z.object({
  names: sections.names.default([]),
  domains: sections.domains.default([]),
  products: sections.products.default([]),
  people: sections.people.default([]),
  handles: sections.handles.default([]),
  apps: sections.apps.default([]),
  partners: sections.partners.default([]),
  platforms: sections.platforms.default([]),
});

/** Some sections of a profile: what an edit replaces, or what a data set gives. */
export const brandProfileSectionsSchema = z.object(sections).partial();

export type BrandProfile = z.infer<typeof brandProfileSchema>;

export const EMPTY_PROFILE: BrandProfile = { names: [], domains: [], products: [], people: [], handles: [], apps: [], partners: [], platforms: [] };

/** A profile with every section present, from a partial one (missing sections are empty). */
export function completeProfile(partial: Partial<BrandProfile> | undefined): BrandProfile {
  return { ...EMPTY_PROFILE, ...partial };
}
