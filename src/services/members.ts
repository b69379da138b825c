import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.ts';
import { memberships, users } from '../db/schema/index.ts';
import { roles, type Role } from '../db/schema/enums.ts';
import { ConflictError, ForbiddenError, LastOwnerError, NotFoundError, ValidationError } from './errors.ts';
import { emailSchema } from './accounts.ts';
import { paginate, type Ordering, type Page, type PageArgs } from './pagination.ts';
import { parseInput } from './validation.ts';
import type { Viewer } from './viewer.ts';

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

const addMemberSchema = z.object({ email: emailSchema, role: z.enum(roles) });

/** Adds an existing Vigil user to the viewer's organization. */
export async function addMember(db: DbOrTx, viewer: Viewer, input: z.input<typeof addMemberSchema>): Promise<MembershipRow> {
  const data = parseInput(addMemberSchema, input);
  assertMayManageRole(viewer, data.role);
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, data.email));
  if (!user) throw ValidationError.single(['input', 'email'], 'No Vigil user has this email; ask them to sign up first');
  const [membership] = await db
    .insert(memberships)
    .values({ organizationId: viewer.organizationId, userId: user.id, role: data.role })
    .onConflictDoNothing()
    .returning();
  if (!membership) throw new ConflictError('This user is already a member of the organization');
  return membership;
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
