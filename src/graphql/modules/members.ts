import DataLoader from 'dataloader';
import { ConflictError, LastOwnerError } from '../../services/errors.ts';
import {
  acceptInvitation,
  changeMemberRole,
  declineInvitation,
  inviteMember,
  listInvitationsForViewer,
  listOrganizationInvitations,
  loadInvitations,
  organizationNames,
  type InvitationRow,
  countMembers,
  listMembers,
  loadMemberships,
  removeMember,
  type MembershipRow,
} from '../../services/members.ts';
import { builder } from '../builder.ts';
import { connectionType, toConnection } from '../connection.ts';
import { RoleEnum } from '../enums.ts';
import { authErrors, authErrorsWithNotFound, resultOf } from '../errors.ts';
import { encodeGlobalId, onlyUuids, parseGlobalId } from '../ids.ts';
import { Organization, User, ViewerRef } from './accounts.ts';

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

const organizationNameLoaders = new WeakMap<object, DataLoader<string, string>>();

/** The inviting organization's name, batched over a page of invitations. */
function organizationName(context: object & { db: Parameters<typeof organizationNames>[0] }, id: string): Promise<string> {
  let loader = organizationNameLoaders.get(context);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const names = await organizationNames(context.db, ids);
      return ids.map((key) => names.get(key) ?? '');
    });
    organizationNameLoaders.set(context, loader);
  }
  return loader.load(id);
}

export const Invitation = builder.loadableNode('Invitation', {
  description:
    'An offer to join an organization, addressed to an email. It adds nobody until the person with that email accepts it (`acceptInvitation`); accepted and declined invitations are gone.',
  id: { resolve: (i: InvitationRow) => i.id },
  load: (ids: string[], context) => (context.viewer ? loadInvitations(context.db, context.viewer, onlyUuids(ids)) : Promise.resolve([])),
  sort: (i) => i.id,
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Who is invited, lowercase.' }),
    role: t.field({ type: RoleEnum, description: 'The role the membership will have.', resolve: (i) => i.role }),
    organizationName: t.string({
      description: 'The inviting organization’s name (the invitee cannot load the organization itself before joining).',
      resolve: (i, _args, context) => organizationName(context, i.organizationId),
    }),
    invitedBy: t.field({ type: User, nullable: true, description: 'Who sent it; null if that account is gone.', resolve: (i) => i.invitedByUserId }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When it can no longer be accepted.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was sent (or last renewed).' }),
  }),
});

const InvitationConnection = connectionType(Invitation, 'Invitation', { description: 'A page of invitations.' });

builder.objectField(ViewerRef, 'invitations', (t) =>
  t.connection(
    {
      type: Invitation,
      description: 'Open invitations addressed to your email, from any organization, newest first. Empty for API keys.',
      resolve: async (viewer, args, context) => toConnection(await listInvitationsForViewer(context.db, viewer, args)),
    },
    InvitationConnection,
  ),
);

builder.objectField(Organization, 'invitations', (t) =>
  t.connection(
    {
      type: Invitation,
      description: 'Invitations of this organization still waiting for an answer, newest first. Owners and admins only.',
      authScopes: { role: 'admin' },
      resolve: async (_org, args, context) => toConnection(await listOrganizationInvitations(context.db, context.viewer!, args)),
    },
    InvitationConnection,
  ),
);

const InviteMemberInput = builder.inputType('InviteMemberInput', {
  description: 'Who to invite, with which role.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Their email; they need not have an account yet.' }),
    role: t.field({ type: RoleEnum, required: true, description: 'The role they will have; only owners invite owners.' }),
  }),
});
const InvitationAnswerInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({ invitationId: t.id({ required: true, description: 'Global ID of an invitation addressed to you (see `viewer.invitations`).' }) }),
  });
const AcceptInvitationInput = InvitationAnswerInput('AcceptInvitationInput', 'The invitation to accept.');
const DeclineInvitationInput = InvitationAnswerInput('DeclineInvitationInput', 'The invitation to decline.');

const InviteMemberPayload = builder.objectRef<{ invitation: InvitationRow }>('InviteMemberPayload').implement({
  description: 'The invitation, sent whether or not the email has an account.',
  fields: (t) => ({ invitation: t.field({ type: Invitation, description: 'The invitation.', resolve: (p) => p.invitation }) }),
});
const DeclineInvitationPayload = builder.objectRef<{ invitation: InvitationRow }>('DeclineInvitationPayload').implement({
  description: 'The declined invitation, which no longer exists.',
  fields: (t) => ({
    declinedInvitationId: t.id({ description: 'Global ID of the invitation that no longer exists.', resolve: (p) => encodeGlobalId('Invitation', p.invitation.id) }),
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
  inviteMember: t.field({
    type: InviteMemberPayload,
    description:
      'Invites someone, by email, to your organization; they join when they accept. The answer is the same whether or not the email has a Vigil account. Owners and admins only; only owners invite owners.',
    authScopes: { role: 'admin' },
    errors: resultOf('inviteMember', authErrors),
    args: { input: t.arg({ type: InviteMemberInput, required: true, description: 'Who to invite.' }) },
    resolve: async (_root, { input }, context) => ({ invitation: await inviteMember(context.db, context.viewer!, input) }),
  }),
  acceptInvitation: t.field({
    type: membershipPayload('AcceptInvitationPayload', 'Your new membership.'),
    description: 'Accepts an invitation addressed to your email: you become a member with the role it offers. Sign in to that organization with `logIn(input: { organizationId })`.',
    authScopes: { member: true },
    errors: resultOf('acceptInvitation', [...authErrorsWithNotFound, ConflictError]),
    args: { input: t.arg({ type: AcceptInvitationInput, required: true, description: 'The invitation.' }) },
    resolve: async (_root, { input }, context) => ({
      membership: await acceptInvitation(context.db, context.viewer!, parseGlobalId(input.invitationId, 'Invitation', ['input', 'invitationId'])),
    }),
  }),
  declineInvitation: t.field({
    type: DeclineInvitationPayload,
    description: 'Declines an invitation addressed to your email; it is deleted.',
    authScopes: { member: true },
    errors: resultOf('declineInvitation', authErrorsWithNotFound),
    args: { input: t.arg({ type: DeclineInvitationInput, required: true, description: 'The invitation.' }) },
    resolve: async (_root, { input }, context) => ({
      invitation: await declineInvitation(context.db, context.viewer!, parseGlobalId(input.invitationId, 'Invitation', ['input', 'invitationId'])),
    }),
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
