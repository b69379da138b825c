import type { memberships } from '../../db/schema/index.ts';
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  LastOwnerError,
  NotFoundError,
  ValidationError,
} from '../../services/errors.ts';
import { addMember, changeMemberRole, listMembers, removeMember } from '../../services/members.ts';
import { builder } from '../builder.ts';
import { RoleEnum } from '../enums.ts';
import { parseGlobalId } from '../ids.ts';
import { Organization, User } from './accounts.ts';

type MembershipRow = typeof memberships.$inferSelect;

export const Membership = builder.node(builder.objectRef<MembershipRow>('Membership'), {
  description: "A user's role in the organization.",
  id: { resolve: (m) => m.id },
  // Memberships are reachable only through `organization.members`, never by bare ID.
  loadOne: () => null,
  fields: (t) => ({
    user: t.field({ type: User, resolve: (m) => m.userId }),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role }),
    isDigestOptedIn: t.exposeBoolean('isDigestOptedIn'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(Organization, 'members', (t) =>
  t.field({
    type: [Membership],
    description: 'Everyone in the organization.',
    authScopes: { member: true },
    resolve: (_org, _args, context) => listMembers(context.db, context.viewer!),
  }),
);

const memberErrors = [AuthenticationError, ForbiddenError, ValidationError, NotFoundError] as const;

builder.mutationFields((t) => ({
  addMember: t.field({
    type: Membership,
    description: 'Adds an existing Vigil user, by email, to your organization. Owners and admins only; only owners add owners.',
    authScopes: { role: 'admin' },
    errors: { types: [...memberErrors, ConflictError] },
    args: { email: t.arg.string({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: (_root, args, context) => addMember(context.db, context.viewer!, args),
  }),
  changeMemberRole: t.field({
    type: Membership,
    authScopes: { role: 'admin' },
    errors: { types: [...memberErrors, LastOwnerError] },
    args: { id: t.arg.id({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: (_root, args, context) =>
      changeMemberRole(context.db, context.viewer!, parseGlobalId(args.id, 'Membership', ['id']), args.role),
  }),
  removeMember: t.field({
    type: Membership,
    description: 'Removes someone from the organization; the last owner cannot be removed.',
    authScopes: { role: 'admin' },
    errors: { types: [...memberErrors, LastOwnerError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => removeMember(context.db, context.viewer!, parseGlobalId(args.id, 'Membership', ['id'])),
  }),
}));
