import { ConflictError, LastOwnerError } from '../../services/errors.ts';
import {
  addMember,
  changeMemberRole,
  countMembers,
  listMembers,
  loadMemberships,
  removeMember,
  type MembershipRow,
} from '../../services/members.ts';
import { builder } from '../builder.ts';
import { connectionType, toConnection } from '../connection.ts';
import { RoleEnum } from '../enums.ts';
import { authErrorsWithNotFound, resultOf } from '../errors.ts';
import { encodeGlobalId, onlyUuids, parseGlobalId } from '../ids.ts';
import { Organization, User } from './accounts.ts';

export const Membership = builder.loadableNode('Membership', {
  description: "A user's place in the organization: their role and their own settings.",
  id: { resolve: (m: MembershipRow) => m.id },
  load: (ids: string[], context) =>
    context.viewer ? loadMemberships(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (m) => m.id,
  fields: (t) => ({
    user: t.field({ type: User, description: 'The member.', resolve: (m) => m.userId }),
    role: t.field({ type: RoleEnum, description: 'What the member may do.', resolve: (m) => m.role }),
    isDigestOptedIn: t.exposeBoolean('isDigestOptedIn', { description: 'Whether the member gets the daily digest email.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the member joined.' }),
  }),
});

const MembershipConnection = connectionType(Membership, 'Membership', {
  description: 'A page of members.',
  totalCount: 'How many members the organization has.',
});

builder.objectField(Organization, 'members', (t) =>
  t.connection(
    {
      type: Membership,
      description: 'Everyone in the organization, longest-standing first.',
      authScopes: { member: true },
      resolve: async (_org, args, context) =>
        toConnection(await listMembers(context.db, context.viewer!, args), () => countMembers(context.db, context.viewer!)),
    },
    MembershipConnection,
  ),
);

const AddMemberInput = builder.inputType('AddMemberInput', {
  description: 'Who to add, with which role.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Email of an existing Vigil account.' }),
    role: t.field({ type: RoleEnum, required: true, description: 'Their role; only owners add owners.' }),
  }),
});
const ChangeMemberRoleInput = builder.inputType('ChangeMemberRoleInput', {
  description: 'A member and their new role.',
  fields: (t) => ({
    membershipId: t.id({ required: true, description: 'Global ID of the membership.' }),
    role: t.field({ type: RoleEnum, required: true, description: 'The new role; only owners give or take the owner role.' }),
  }),
});
const RemoveMemberInput = builder.inputType('RemoveMemberInput', {
  description: 'The member to remove.',
  fields: (t) => ({ membershipId: t.id({ required: true, description: 'Global ID of the membership.' }) }),
});

function membershipPayload(name: string, description: string) {
  return builder.objectRef<{ membership: MembershipRow }>(name).implement({
    description,
    fields: (t) => ({ membership: t.field({ type: Membership, description: 'The membership.', resolve: (p) => p.membership }) }),
  });
}

const RemoveMemberPayload = builder.objectRef<{ membership: MembershipRow }>('RemoveMemberPayload').implement({
  description: 'Who was removed.',
  fields: (t) => ({
    removedMembershipId: t.id({ description: 'Global ID of the membership that no longer exists.', resolve: (p) => encodeGlobalId('Membership', p.membership.id) }),
    user: t.field({ type: User, description: 'The user who was removed (their account remains).', resolve: (p) => p.membership.userId }),
  }),
});

builder.mutationFields((t) => ({
  addMember: t.field({
    type: membershipPayload('AddMemberPayload', 'The new membership.'),
    description: 'Adds an existing Vigil user, by email, to your organization. Owners and admins only; only owners add owners.',
    authScopes: { role: 'admin' },
    errors: resultOf('addMember', [...authErrorsWithNotFound, ConflictError]),
    args: { input: t.arg({ type: AddMemberInput, required: true, description: 'Who to add.' }) },
    resolve: async (_root, { input }, context) => ({ membership: await addMember(context.db, context.viewer!, input) }),
  }),
  changeMemberRole: t.field({
    type: membershipPayload('ChangeMemberRolePayload', 'The membership with its new role.'),
    description: 'Changes a member’s role. Owners and admins; the last owner stays an owner.',
    authScopes: { role: 'admin' },
    errors: resultOf('changeMemberRole', [...authErrorsWithNotFound, LastOwnerError]),
    args: { input: t.arg({ type: ChangeMemberRoleInput, required: true, description: 'The member and role.' }) },
    resolve: async (_root, { input }, context) => ({
      membership: await changeMemberRole(context.db, context.viewer!, parseGlobalId(input.membershipId, 'Membership', ['input', 'membershipId']), input.role),
    }),
  }),
  removeMember: t.field({
    type: RemoveMemberPayload,
    description: 'Removes someone from the organization; the last owner cannot be removed.',
    authScopes: { role: 'admin' },
    errors: resultOf('removeMember', [...authErrorsWithNotFound, LastOwnerError]),
    args: { input: t.arg({ type: RemoveMemberInput, required: true, description: 'The member to remove.' }) },
    resolve: async (_root, { input }, context) => ({
      membership: await removeMember(context.db, context.viewer!, parseGlobalId(input.membershipId, 'Membership', ['input', 'membershipId'])),
    }),
  }),
}));
