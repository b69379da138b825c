import { and, asc, count, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.ts';
import { invitations, memberships, organizations, users } from '../db/schema/index.ts';
import { roles, type Role } from '../db/schema/enums.ts';
import { ConflictError, ForbiddenError, LastOwnerError, NotFoundError } from './errors.ts';
import { emailSchema } from './accounts.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import { hasRole, type Viewer } from './viewer.ts';

export type MembershipRow = typeof memberships.$inferSelect;
export type UserRow = typeof users.$inferSelect;

const memberOrdering: Ordering = {
  name: 'members.joined',
  direction: 'asc',
  keys: [
    { column: memberships.createdAt, type: 'timestamptz' },
    { column: memberships.id, type: 'uuid' },
  ],
};

/** The organization's members, longest-standing first. */
export function listMembers(db: DbOrTx, viewer: Viewer, args: PageArgs): Promise<Page<MembershipRow>> {
  return paginate(args, memberOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ membership: memberships, cursor })
      .from(memberships)
      .where(and(eq(memberships.organizationId, viewer.organizationId), seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.membership, cursor: row.cursor }))),
  );
}

export async function countMembers(db: DbOrTx, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ value: count() }).from(memberships).where(eq(memberships.organizationId, viewer.organizationId));
  return row!.value;
}

/** Memberships by id for `node(id)`, never across organizations. */
export function loadMemberships(db: DbOrTx, organizationId: string, ids: readonly string[]): Promise<MembershipRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), inArray(memberships.id, [...ids])));
}

/** Which of `userIds` the viewer may look up by ID: themselves, and members of their organization. */
export async function visibleUserIds(db: DbOrTx, viewer: Viewer, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, viewer.organizationId), inArray(memberships.userId, [...userIds])));
  const visible = new Set(rows.map((row) => row.userId));
  if (viewer.userId && userIds.includes(viewer.userId)) visible.add(viewer.userId);
  return visible;
}

export async function loadUsers(db: DbOrTx, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(users).where(inArray(users.id, [...ids]));
}

/** Only owners may hand out, take away or touch the owner role. */
function assertMayManageRole(viewer: Viewer, role: Role): void {
  if (role === 'owner' && viewer.role !== 'owner') throw new ForbiddenError('Only an owner can manage owners');
}

const inviteMemberSchema = z.object({ email: emailSchema, role: z.enum(roles) });

/** How long an invitation waits for its answer. */
export const INVITATION_TTL_DAYS = 14;

/**
 * Invites an email address to the viewer's organization with a role. Nothing else happens until the
 * person with that email accepts; whether the address has an account is never looked up here, so
 * the answer cannot tell anyone. Inviting the same address again renews the invitation.
 */
export async function inviteMember(db: DbOrTx, viewer: Viewer, input: z.input<typeof inviteMemberSchema>): Promise<InvitationRow> {
  const data = parseInput(inviteMemberSchema, input);
  assertMayManageRole(viewer, data.role);
  const expiresAt = sql`now() + make_interval(days => ${INVITATION_TTL_DAYS})`;
  const invitedByUserId = viewer.userId ?? viewer.keyCreatorUserId ?? null;
  const [invitation] = await db
    .insert(invitations)
    .values({ organizationId: viewer.organizationId, email: data.email, role: data.role, invitedByUserId, expiresAt })
    .onConflictDoUpdate({
      target: [invitations.organizationId, invitations.email],
      set: { role: data.role, invitedByUserId, expiresAt, createdAt: sql`now()` },
    })
    .returning();
  return invitation!;
}

/** The signed-in user's email, as a subquery: invitations are addressed to it. */
function viewerEmail(viewer: Viewer) {
  return sql`(select ${users.email} from ${users} where ${users.id} = ${viewer.userId})`;
}

/** Invitations addressed to the viewer and still open; none for API keys, which have no email. */
function isOpenInvitationFor(viewer: Viewer, id?: string) {
  if (!viewer.userId) return sql`false`;
  return and(id ? eq(invitations.id, id) : undefined, sql`${invitations.email} = ${viewerEmail(viewer)}`, sql`${invitations.expiresAt} > now()`)!;
}

/**
 * Accepts an invitation addressed to the signed-in user: the membership is created with the role it
 * offers and the invitation is gone. Anyone else (even in the inviting organization) gets NOT_FOUND.
 */
export async function acceptInvitation(db: Db, viewer: Viewer, invitationId: string): Promise<MembershipRow> {
  return db.transaction(async (tx) => {
    const [invitation] = await tx.delete(invitations).where(isOpenInvitationFor(viewer, invitationId)).returning();
    if (!invitation) throw new NotFoundError('Invitation', invitationId);
    const [membership] = await tx
      .insert(memberships)
      .values({ organizationId: invitation.organizationId, userId: viewer.userId!, role: invitation.role })
      .onConflictDoNothing()
      .returning();
    if (!membership) throw new ConflictError('You are already a member of this organization');
    return membership;
  });
}

/** Declines (deletes) an invitation addressed to the signed-in user. */
export async function declineInvitation(db: DbOrTx, viewer: Viewer, invitationId: string): Promise<InvitationRow> {
  const [invitation] = await db.delete(invitations).where(isOpenInvitationFor(viewer, invitationId)).returning();
  if (!invitation) throw new NotFoundError('Invitation', invitationId);
  return invitation;
}

export type InvitationRow = typeof invitations.$inferSelect;

const invitationOrdering: Ordering = {
  name: 'invitations.newest',
  direction: 'desc',
  keys: [
    { column: invitations.createdAt, type: 'timestamptz' },
    { column: invitations.id, type: 'uuid' },
  ],
};

function pageOfInvitations(db: DbOrTx, where: SQL, args: PageArgs): Promise<Page<InvitationRow>> {
  return paginate(args, invitationOrdering, ({ seek, orderBy, limit, cursor }) =>
    db
      .select({ invitation: invitations, cursor })
      .from(invitations)
      .where(and(where, seek))
      .orderBy(...orderBy)
      .limit(limit)
      .then((rows) => rows.map((row) => ({ ...row.invitation, cursor: row.cursor }))),
  );
}

/** Open invitations addressed to the signed-in user, from any organization, newest first. */
export function listInvitationsForViewer(db: DbOrTx, viewer: Viewer, args: PageArgs): Promise<Page<InvitationRow>> {
  return pageOfInvitations(db, isOpenInvitationFor(viewer), args);
}

/** The viewer's organization's open invitations, newest first (owners and admins). */
export function listOrganizationInvitations(db: DbOrTx, viewer: Viewer, args: PageArgs): Promise<Page<InvitationRow>> {
  return pageOfInvitations(db, and(eq(invitations.organizationId, viewer.organizationId), sql`${invitations.expiresAt} > now()`)!, args);
}

/** Invitations by id for `node(id)`: the invitee's own, or their organization's for owners and admins. */
export function loadInvitations(db: DbOrTx, viewer: Viewer, ids: readonly string[]): Promise<InvitationRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const isAdmin = hasRole(viewer, 'admin');
  return db
    .select()
    .from(invitations)
    .where(and(inArray(invitations.id, [...ids]), or(isOpenInvitationFor(viewer), isAdmin ? eq(invitations.organizationId, viewer.organizationId) : undefined)));
}

/** Names of the inviting organizations, for invitees (who cannot load an organization they are not in). */
export async function organizationNames(db: DbOrTx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, [...ids]));
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function changeMemberRole(db: Db, viewer: Viewer, membershipId: string, role: Role): Promise<MembershipRow> {
  return db.transaction(async (tx) => {
    const owners = await lockOwners(tx, viewer.organizationId);
    const target = await lockMembership(tx, viewer, membershipId);
    assertMayManageRole(viewer, role);
    assertMayManageRole(viewer, target.role);
    if (target.role === 'owner' && role !== 'owner') assertAnotherOwner(owners, target.id);
    const [updated] = await tx.update(memberships).set({ role }).where(eq(memberships.id, target.id)).returning();
    return updated!;
  });
}

export async function removeMember(db: Db, viewer: Viewer, membershipId: string): Promise<MembershipRow> {
  return db.transaction(async (tx) => {
    const owners = await lockOwners(tx, viewer.organizationId);
    const target = await lockMembership(tx, viewer, membershipId);
    assertMayManageRole(viewer, target.role);
    if (target.role === 'owner') assertAnotherOwner(owners, target.id);
    await tx.delete(memberships).where(eq(memberships.id, target.id));
    return target;
  });
}

async function lockMembership(tx: DbOrTx, viewer: Viewer, membershipId: string): Promise<MembershipRow> {
  const [target] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.organizationId, viewer.organizationId)))
    .for('update');
  if (!target) throw new NotFoundError('Membership', membershipId);
  return target;
}

/**
 * Locks every owner row, in id order, before any other membership row. Taking these locks first and
 * always in the same order is what makes concurrent changes queue up instead of deadlocking (two
 * owners demoting each other would otherwise each hold the row the other needs), and the one that
 * waited then sees the other's committed change and cannot remove the last owner.
 */
async function lockOwners(tx: DbOrTx, organizationId: string): Promise<{ id: string }[]> {
  return tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, 'owner')))
    .orderBy(asc(memberships.id))
    .for('update');
}

function assertAnotherOwner(owners: readonly { id: string }[], exceptMembershipId: string): void {
  if (!owners.some((owner) => owner.id !== exceptMembershipId)) throw new LastOwnerError();
}
