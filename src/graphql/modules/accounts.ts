import { eq } from 'drizzle-orm';
import { organizations, users } from '../../db/schema/index.ts';
import { logIn, logOut, refreshSession, signUp, type Session } from '../../services/accounts.ts';
import {
  ConflictError,
  InvalidCredentialsError,
  InvalidTokenError,
  ValidationError,
} from '../../services/errors.ts';
import { loadUsers } from '../../services/members.ts';
import { planFor } from '../../services/plans.ts';
import type { Viewer } from '../../services/viewer.ts';
import { builder } from '../builder.ts';
import { PlanEnum, RoleEnum } from '../enums.ts';

type UserRow = typeof users.$inferSelect;
type OrganizationRow = typeof organizations.$inferSelect;

export const User = builder.loadableObject('User', {
  description: 'A person with a Vigil account.',
  load: (ids: string[], context) => loadUsers(context.db, ids),
  sort: (user) => user.id,
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    name: t.exposeString('name'),
  }),
});

const PlanLimits = builder.objectRef<ReturnType<typeof planFor>>('PlanLimits').implement({
  description: "What the organization's plan allows.",
  fields: (t) => ({
    maxMonitors: t.exposeInt('maxMonitors'),
    minIntervalMinutes: t.exposeInt('minIntervalMinutes'),
    retentionDays: t.exposeInt('retentionDays'),
    monthlyCredits: t.exposeInt('monthlyCredits'),
    sources: t.stringList({ resolve: (plan) => [...plan.sources] }),
  }),
});

export const Organization = builder.loadableObject('Organization', {
  description: 'A tenant: every monitor, alert and key belongs to exactly one.',
  load: (ids: string[], context) =>
    // Only the caller's own organization can ever be loaded.
    context.viewer && ids.includes(context.viewer.organizationId)
      ? context.db.select().from(organizations).where(eq(organizations.id, context.viewer.organizationId))
      : Promise.resolve([] as OrganizationRow[]),
  sort: (org) => org.id,
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    plan: t.field({ type: PlanEnum, resolve: (org) => org.plan }),
    limits: t.field({ type: PlanLimits, resolve: (org) => planFor(org.plan) }),
    creditBalance: t.exposeInt('creditBalance', { description: 'Scan credits left.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The caller: a signed-in user or an API key, acting in one organization.',
  fields: (t) => ({
    user: t.field({ type: User, nullable: true, description: 'Null when calling with an API key.', resolve: (v) => v.userId }),
    organization: t.field({ type: Organization, resolve: (v) => v.organizationId }),
    role: t.field({ type: RoleEnum, resolve: (v) => v.role }),
    isApiKey: t.boolean({ resolve: (v) => v.apiKeyId !== null }),
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

const AuthPayload = builder.objectRef<Session>('AuthPayload').implement({
  description: 'A new session. Keep the refresh token secret; it is shown only here.',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { description: 'Send as `Authorization: Bearer …`; short-lived.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime' }),
    refreshToken: t.exposeString('refreshToken', { description: 'Single use: `refreshSession` returns a new one.' }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', { type: 'DateTime' }),
    user: t.field({ type: User, resolve: (s) => s.userId }),
    // The caller has no viewer yet (this request signed them in), so load the organization directly.
    organization: t.field({
      type: Organization,
      resolve: async (s, _args, context) => {
        const [org] = await context.db.select().from(organizations).where(eq(organizations.id, s.organizationId));
        return org!;
      },
    }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true, description: 'At least 10 characters.' }),
    name: t.string({ required: true }),
    organizationName: t.string({ required: true }),
  }),
});

const LogInInput = builder.inputType('LogInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    organizationId: t.id({ required: false, description: 'Which organization to sign in to; defaults to the first joined.' }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    description: 'Creates an account and a new organization on the free plan, with you as owner.',
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const session = await signUp(context.db, context.auth, input);
      return session;
    },
  }),
  logIn: t.field({
    type: AuthPayload,
    errors: { types: [ValidationError, InvalidCredentialsError] },
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const session = await logIn(context.db, context.auth, {
        email: input.email,
        password: input.password,
        organizationId: input.organizationId ?? undefined,
      });
      return session;
    },
  }),
  refreshSession: t.field({
    type: AuthPayload,
    description: 'Trades a refresh token for a new session. Reusing a spent token revokes the whole session.',
    errors: { types: [InvalidTokenError] },
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: async (_root, { refreshToken }, context) => {
      const session = await refreshSession(context.db, context.auth, refreshToken);
      return session;
    },
  }),
  logOut: t.boolean({
    description: 'Revokes the session of this refresh token. Always true: an unknown token has nothing to revoke.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: async (_root, { refreshToken }, context) => {
      await logOut(context.db, refreshToken);
      return true;
    },
  }),
}));
