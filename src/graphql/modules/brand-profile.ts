import { platformKinds, PROFILE_SECTION_LIMITS as LIMITS } from '../../services/brand-profile-shape.ts';
import { loadBrandProfiles, updateBrandProfile, type BrandProfile } from '../../services/brand-profile.ts';
import { builder } from '../builder.ts';
import { bounded } from '../connection.ts';
import { authErrors, resultOf } from '../errors.ts';
import { onlyUuids } from '../ids.ts';
import { Organization } from './accounts.ts';

/*
 * The brand profile: what an organization knows about itself. The rules treat its official assets
 * as not threats and count its people for impersonation; the LLM receives the entries relevant to
 * each batch. Members read it; admins and owners edit it. Each section holds at most
 * PROFILE_SECTION_LIMITS entries (edits beyond are refused), which its list field declares.
 */

type ProfileShape = BrandProfile & { organizationId: string };

const PlatformKindEnum = builder.enumType('PlatformKind', {
  description: 'What an official page on a third-party platform is for.',
  values: {
    HIRING: { value: 'hiring', description: 'Job listings (an applicant tracking system).' },
    STATUS: { value: 'status', description: 'A status page.' },
    HELPDESK: { value: 'helpdesk', description: 'A help center or support desk.' },
    SHOP: { value: 'shop', description: 'A store on a marketplace or shop platform.' },
    SOCIAL: { value: 'social', description: 'A community or social page.' },
    DOCS: { value: 'docs', description: 'Documentation.' },
    OTHER: { value: 'other', description: 'Anything else the organization runs on a third-party platform.' },
  } as const satisfies Record<string, { value: (typeof platformKinds)[number]; description: string }>,
});

const BrandPerson = builder.objectRef<BrandProfile['people'][number]>('BrandPerson').implement({
  description: 'An executive or other public person of the organization: someone impostors may pose as.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Full name as the public knows it.' }),
    role: t.string({ nullable: true, description: 'Their role, e.g. CEO.', resolve: (p) => p.role ?? null }),
  }),
});

const BrandHandle = builder.objectRef<BrandProfile['handles'][number]>('BrandHandle').implement({
  description: 'An official social account.',
  fields: (t) => ({
    platform: t.exposeString('platform', { description: 'The platform, lowercase: `x`, `instagram`, `linkedin`, `youtube`, `tiktok`, `telegram`, …' }),
    handle: t.exposeString('handle', { description: 'The handle as shown there, e.g. `@acmebank`.' }),
  }),
});

const BrandApp = builder.objectRef<BrandProfile['apps'][number]>('BrandApp').implement({
  description: 'An official app in a store.',
  fields: (t) => ({
    store: t.exposeString('store', { description: 'The store, lowercase: `google_play`, `app_store`, …' }),
    name: t.exposeString('name', { description: 'The app’s name in the store.' }),
    appId: t.string({ nullable: true, description: 'The store’s identifier, e.g. `com.acmebank.mobile`.', resolve: (a) => a.id ?? null }),
  }),
});

const BrandPartner = builder.objectRef<BrandProfile['partners'][number]>('BrandPartner').implement({
  description: 'A legitimate partner or reseller: findings on its domain are not threats.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The partner’s name.' }),
    domain: t.string({ nullable: true, description: 'Its domain, if any.', resolve: (p) => p.domain ?? null }),
  }),
});

const BrandPlatform = builder.objectRef<BrandProfile['platforms'][number]>('BrandPlatform').implement({
  description: 'An official page on a third-party platform: findings under its URL are not threats.',
  fields: (t) => ({
    kind: t.field({ type: PlatformKindEnum, description: 'What the page is for.', resolve: (p) => p.kind }),
    url: t.exposeString('url', { description: 'The page; anything under it counts as official.' }),
  }),
});

export const BrandProfileRef = builder.loadableNode('BrandProfile', {
  description:
    'What the organization knows about itself, used by detection: official assets are not threats, its people count for impersonation, and the LLM receives the entries relevant to each batch.',
  // The profile's ID is its organization's row id under the `BrandProfile` typename.
  id: { resolve: (p: ProfileShape) => p.organizationId },
  // Only the viewer's own organization's profile exists for the viewer: any other ID resolves to null.
  load: (ids: string[], context) =>
    context.viewer ? loadBrandProfiles(context.db, onlyUuids(ids).filter((id) => id === context.viewer!.organizationId)) : Promise.resolve([]),
  sort: (p) => p.organizationId,
  fields: (t) => ({
    names: t.exposeStringList('names', { description: `Official names: full, short and former. At most ${LIMITS.names}.`, ...bounded(LIMITS.names) }),
    domains: t.exposeStringList('domains', {
      description: `Official domains, besides the organization’s own domains. At most ${LIMITS.domains}.`,
      ...bounded(LIMITS.domains),
    }),
    products: t.exposeStringList('products', { description: `Product and service names. At most ${LIMITS.products}.`, ...bounded(LIMITS.products) }),
    people: t.field({
      type: [BrandPerson],
      description: `Executives and other public people. At most ${LIMITS.people}.`,
      ...bounded(LIMITS.people),
      resolve: (p) => p.people,
    }),
    handles: t.field({ type: [BrandHandle], description: `Official social accounts. At most ${LIMITS.handles}.`, ...bounded(LIMITS.handles), resolve: (p) => p.handles }),
    apps: t.field({ type: [BrandApp], description: `Official apps. At most ${LIMITS.apps}.`, ...bounded(LIMITS.apps), resolve: (p) => p.apps }),
    partners: t.field({
      type: [BrandPartner],
      description: `Legitimate partners and resellers. At most ${LIMITS.partners}.`,
      ...bounded(LIMITS.partners),
      resolve: (p) => p.partners,
    }),
    platforms: t.field({
      type: [BrandPlatform],
      description: `Official pages on third-party platforms (hiring, status, help desk, shop…). At most ${LIMITS.platforms}.`,
      ...bounded(LIMITS.platforms),
      resolve: (p) => p.platforms,
    }),
  }),
});

builder.objectField(Organization, 'brandProfile', (t) =>
  t.field({
    type: BrandProfileRef,
    description: 'The organization’s brand profile (empty sections until an admin fills them).',
    resolve: (organization) => (organization as { id: string }).id,
  }),
);

builder.queryField('brandProfile', (t) =>
  t.field({
    type: BrandProfileRef,
    description: 'Your organization’s brand profile. Any member.',
    authScopes: { member: true },
    resolve: (_root, _args, context) => context.viewer!.organizationId,
  }),
);

const BrandPersonInput = builder.inputType('BrandPersonInput', {
  description: 'An executive or other public person.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Full name.' }),
    role: t.string({ required: false, description: 'Role, e.g. CEO.' }),
  }),
});
const BrandHandleInput = builder.inputType('BrandHandleInput', {
  description: 'An official social account.',
  fields: (t) => ({
    platform: t.string({ required: true, description: 'The platform, e.g. `x`, `instagram`, `linkedin`.' }),
    handle: t.string({ required: true, description: 'The handle, e.g. `@acmebank`.' }),
  }),
});
const BrandAppInput = builder.inputType('BrandAppInput', {
  description: 'An official app.',
  fields: (t) => ({
    store: t.string({ required: true, description: 'The store, e.g. `google_play`, `app_store`.' }),
    name: t.string({ required: true, description: 'The app’s name.' }),
    appId: t.string({ required: false, description: 'The store’s identifier.' }),
  }),
});
const BrandPartnerInput = builder.inputType('BrandPartnerInput', {
  description: 'A legitimate partner or reseller.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Its name.' }),
    domain: t.string({ required: false, description: 'Its domain.' }),
  }),
});
const BrandPlatformInput = builder.inputType('BrandPlatformInput', {
  description: 'An official page on a third-party platform.',
  fields: (t) => ({
    kind: t.field({ type: PlatformKindEnum, required: true, description: 'What the page is for.' }),
    url: t.string({ required: true, description: 'An http(s) URL; anything under it counts as official.' }),
  }),
});

const UpdateBrandProfileInput = builder.inputType('UpdateBrandProfileInput', {
  description: 'Each section given replaces that section of the profile (an empty list clears it); sections left out stay as they are.',
  fields: (t) => ({
    names: t.stringList({ required: false, description: `Official names (at most ${LIMITS.names}).` }),
    domains: t.stringList({ required: false, description: `Official domains (at most ${LIMITS.domains}).` }),
    products: t.stringList({ required: false, description: `Product names (at most ${LIMITS.products}).` }),
    people: t.field({ type: [BrandPersonInput], required: false, description: `Public people (at most ${LIMITS.people}).` }),
    handles: t.field({ type: [BrandHandleInput], required: false, description: `Official social accounts (at most ${LIMITS.handles}).` }),
    apps: t.field({ type: [BrandAppInput], required: false, description: `Official apps (at most ${LIMITS.apps}).` }),
    partners: t.field({ type: [BrandPartnerInput], required: false, description: `Partners and resellers (at most ${LIMITS.partners}).` }),
    platforms: t.field({ type: [BrandPlatformInput], required: false, description: `Official pages on third-party platforms (at most ${LIMITS.platforms}).` }),
  }),
});

const UpdateBrandProfilePayload = builder.objectRef<{ brandProfile: ProfileShape }>('UpdateBrandProfilePayload').implement({
  description: 'The profile after the change.',
  fields: (t) => ({
    brandProfile: t.field({ type: BrandProfileRef, description: 'The whole profile as it now is.', resolve: (p) => p.brandProfile }),
  }),
});

builder.mutationField('updateBrandProfile', (t) =>
  t.field({
    type: UpdateBrandProfilePayload,
    description: 'Changes sections of your organization’s brand profile. Admins and owners.',
    authScopes: { role: 'admin' },
    errors: resultOf('updateBrandProfile', authErrors),
    args: { input: t.arg({ type: UpdateBrandProfileInput, required: true, description: 'The sections to replace.' }) },
    resolve: async (_root, { input }, context) => ({
      brandProfile: await updateBrandProfile(context.db, context.viewer!, {
        ...input,
        apps: input.apps?.map(({ appId, ...app }) => ({ ...app, id: appId })),
      }),
    }),
  }),
);
