import { eq } from 'drizzle-orm';
import { organizations, users } from '../../db/schema/index.ts';
import { logIn, logOut, refreshSession, signUp, type Session } from '../../services/accounts.ts';
import { ConflictError, InvalidCredentialsError, InvalidTokenError, ValidationError } from '../../services/errors.ts';
import { loadUsers } from '../../services/members.ts';
import { limitsFor, type Plan } from '../../services/plans.ts';
import type { Viewer } from '../../services/viewer.ts';
import { builder } from '../builder.ts';
import { bounded } from '../connection.ts';
import { PlanEnum, RoleEnum, SourceEnum } from '../enums.ts';
import { resultOf } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';

type UserRow = typeof users.$inferSelect;
type OrganizationRow = typeof organizations.$inferSelect;

/**
 * Users are loaded by the IDs other rows of your organization hold (an alert's acknowledger, a
 * note's author), so this loader is not scoped; `node(id)` checks membership first (modules/node.ts).
 */
export const User = builder.loadableNode('User', {
  description:
    'A person with a Vigil account. Through `node(id:)` only you and members of your organization resolve; elsewhere a user appears where your organization’s data names them.',
  id: { resolve: (u: UserRow) => u.id },
  load: (ids: string[], context) => loadUsers(context.db, ids),
  sort: (user) => user.id,
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Sign-in email, lowercase.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
  }),
});

const PlanLimits = builder.objectRef<Plan>('PlanLimits').implement({
  description: "What the organization's plan allows.",
  fields: (t) => ({
    maxMonitors: t.exposeInt('maxMonitors', { description: 'How many monitors the organization may have.' }),
    minIntervalMinutes: t.exposeInt('minIntervalMinutes', { description: 'The shortest scan interval a monitor may use, in minutes.' }),
    retentionDays: t.exposeInt('retentionDays', { description: 'Days alerts are kept after they were last seen.' }),
    monthlyCredits: t.exposeInt('monthlyCredits', { description: 'Scan credits granted at the start of each month (UTC).' }),
    sources: t.field({
      type: [SourceEnum],
      description: 'The sources monitors may use. At most one of each `Source`.',
      ...bounded(5),
      resolve: (limits) => [...limits.sources],
    }),
  }),
});

export const Organization = builder.loadableNode('Organization', {
  description: 'A tenant: every monitor, alert and key belongs to exactly one.',
  id: { resolve: (o: OrganizationRow) => o.id },
  load: (ids: string[], context) =>
    // Only the caller's own organization can ever be loaded.
    context.viewer && ids.includes(context.viewer.organizationId)
      ? context.db.select().from(organizations).where(eq(organizations.id, context.viewer.organizationId))
      : Promise.resolve([] as OrganizationRow[]),
  sort: (org) => org.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    plan: t.field({ type: PlanEnum, description: 'The subscription plan.', resolve: (org) => org.plan }),
    limits: t.field({ type: PlanLimits, description: 'What the plan allows this organization.', resolve: (org) => limitsFor(org) }),
    creditBalance: t.exposeInt('creditBalance', { description: 'Scan credits left.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

export const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The caller: a signed-in user or an API key, acting in one organization.',
  fields: (t) => ({
    user: t.field({ type: User, nullable: true, description: 'The signed-in user; null when calling with an API key.', resolve: (v) => v.userId }),
    organization: t.field({ type: Organization, description: 'The organization the credentials act in.', resolve: (v) => v.organizationId }),
    role: t.field({ type: RoleEnum, description: 'The member’s role now, or the API key’s role.', resolve: (v) => v.role }),
    isApiKey: t.boolean({ description: 'Whether the credentials are an API key.', resolve: (v) => v.apiKeyId !== null }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: 'Who is calling; null when not signed in.',
    resolve: (_root, _args, context) => context.viewer,
  }),
);

const SessionRef = builder.objectRef<Session>('Session').implement({
  description: 'A new session. Keep the refresh token secret; it is shown only here.',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { description: 'Send as `Authorization: Bearer …`; short-lived.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime', description: 'When the access token stops working.' }),
    refreshToken: t.exposeString('refreshToken', { description: 'Single use: `refreshSession` trades it for a new session.' }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', { type: 'DateTime', description: 'When the refresh token stops working.' }),
    user: t.field({ type: User, description: 'Who signed in.', resolve: (s) => s.userId }),
    // The caller has no viewer yet (this request signed them in), so load the organization directly.
    organization: t.field({
      type: Organization,
      description: 'The organization the session acts in.',
      resolve: async (s, _args, context) => {
        const [org] = await context.db.select().from(organizations).where(eq(organizations.id, s.organizationId));
        return org!;
      },
    }),
  }),
});

function sessionPayload(name: string, description: string) {
  return builder.objectRef<{ session: Session }>(name).implement({
    description,
    fields: (t) => ({ session: t.field({ type: SessionRef, description: 'The new session.', resolve: (p) => p.session }) }),
  });
}

const SignUpInput = builder.inputType('SignUpInput', {
  description: 'A new account, and the organization it will own.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Sign-in email; letter case is ignored.' }),
    password: t.string({ required: true, description: 'At least 10 characters, at most 256.' }),
    name: t.string({ required: true, description: 'Your display name, at most 200 characters.' }),
    organizationName: t.string({ required: true, description: 'Name of the new organization, at most 200 characters.' }),
  }),
});

const LogInInput = builder.inputType('LogInInput', {
  description: 'Credentials, and optionally which of your organizations to act in.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Sign-in email; letter case is ignored.' }),
    password: t.string({ required: true, description: 'The password.' }),
    organizationId: t.id({ required: false, description: 'Global ID of the organization to sign in to; defaults to the first one joined.' }),
  }),
});

const RefreshSessionInput = builder.inputType('RefreshSessionInput', {
  description: 'The refresh token to trade.',
  fields: (t) => ({ refreshToken: t.string({ required: true, description: 'The refresh token of the current session.' }) }),
});

const LogOutInput = builder.inputType('LogOutInput', {
  description: 'Which session to end.',
  fields: (t) => ({ refreshToken: t.string({ required: true, description: 'The refresh token of the session to end (spent or not).' }) }),
});

const LogOutPayload = builder.objectRef<{ isLoggedOut: true }>('LogOutPayload').implement({
  description: 'The session is over.',
  fields: (t) => ({
    isLoggedOut: t.exposeBoolean('isLoggedOut', {
      description: 'Always true: the session of the token is revoked, and an unknown token has nothing left to revoke.',
    }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: sessionPayload('SignUpPayload', 'The new account’s first session.'),
    description: 'Creates an account and a new organization on the free plan, with you as owner.',
    errors: resultOf('signUp', [ValidationError, ConflictError]),
    args: { input: t.arg({ type: SignUpInput, required: true, description: 'The account to create.' }) },
    resolve: async (_root, { input }, context) => ({ session: await signUp(context.db, context.auth, input) }),
  }),
  logIn: t.field({
    type: sessionPayload('LogInPayload', 'The new session.'),
    description: 'Signs in with email and password.',
    errors: resultOf('logIn', [ValidationError, InvalidCredentialsError]),
    args: { input: t.arg({ type: LogInInput, required: true, description: 'The credentials.' }) },
    resolve: async (_root, { input }, context) => ({
      session: await logIn(context.db, context.auth, {
        email: input.email,
        password: input.password,
        organizationId: input.organizationId == null ? undefined : parseGlobalId(input.organizationId, 'Organization', ['input', 'organizationId']),
      }),
    }),
  }),
  refreshSession: t.field({
    type: sessionPayload('RefreshSessionPayload', 'The session that replaces the old one.'),
    description: 'Trades a refresh token for a new session. Reusing a spent token revokes the whole session.',
    errors: resultOf('refreshSession', [InvalidTokenError]),
    args: { input: t.arg({ type: RefreshSessionInput, required: true, description: 'The token to trade.' }) },
    resolve: async (_root, { input }, context) => ({ session: await refreshSession(context.db, context.auth, input.refreshToken) }),
  }),
  logOut: t.field({
    type: LogOutPayload,
    description: 'Revokes the session a refresh token belongs to. Its access tokens run out on their own within minutes.',
    errors: resultOf('logOut', []),
    args: { input: t.arg({ type: LogOutInput, required: true, description: 'The session to end.' }) },
    resolve: async (_root, { input }, context) => {
      await logOut(context.db, input.refreshToken);
      return { isLoggedOut: true as const };
    },
  }),
}));
