import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.ts';
import { memberships, organizations, refreshTokens, users } from '../db/schema/index.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { randomToken, sha256, type TokenSigner } from '../auth/tokens.ts';
import { ConflictError, InvalidCredentialsError, InvalidTokenError } from './errors.ts';
import { grantMonthlyCredits } from './credits.ts';
import { parseInput } from './validation.ts';

export interface AuthDeps {
  signer: TokenSigner;
  refreshTokenTtlDays: number;
}

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  userId: string;
  organizationId: string;
}

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'))
  .transform((email) => email.toLowerCase());

const passwordSchema = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters');

const signUpSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  organizationName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
});

export type SignUpInput = z.input<typeof signUpSchema>;

/** Creates a user, an organization on the free plan with this month's credits, and the owner membership. */
export async function signUp(db: Db, deps: AuthDeps, input: SignUpInput): Promise<Session> {
  const data = parseInput(signUpSchema, input);
  const passwordHash = await hashPassword(data.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: data.email, name: data.name, passwordHash })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (!user) throw new ConflictError('An account with this email already exists');
    const [org] = await tx.insert(organizations).values({ name: data.organizationName }).returning({ id: organizations.id });
    await tx.insert(memberships).values({ organizationId: org!.id, userId: user.id, role: 'owner' });
    await grantMonthlyCredits(tx, org!.id);
    return issueSession(tx, deps, user.id, org!.id, randomUUID());
  });
}

const logInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
  organizationId: z.uuid('must be an organization id').optional(),
});

export type LogInInput = z.input<typeof logInSchema>;

export async function logIn(db: Db, deps: AuthDeps, input: LogInInput): Promise<Session> {
  const data = parseInput(logInSchema, input);
  const [user] = await db.select().from(users).where(eq(users.email, data.email));
  if (!user) {
    await burnPasswordCheck(data.password);
    throw new InvalidCredentialsError();
  }
  if (!(await verifyPassword(user.passwordHash, data.password))) throw new InvalidCredentialsError();
  // A user in several organizations signs in to the one asked for, or the one they joined first.
  const [membership] = await db
    .select({ organizationId: memberships.organizationId })
    .from(memberships)
    .where(
      and(
        eq(memberships.userId, user.id),
        data.organizationId ? eq(memberships.organizationId, data.organizationId) : undefined,
      ),
    )
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!membership) throw new InvalidCredentialsError('You are not a member of that organization');
  return db.transaction((tx) => issueSession(tx, deps, user.id, membership.organizationId, randomUUID()));
}

export type RefreshOutcome = { ok: true; session: Session } | { ok: false; error: InvalidTokenError };

/**
 * Rotates a refresh token. A token that was already used means someone else holds a copy, so the
 * whole family (every token descended from that login) is revoked. The revocation must commit, so
 * the failure is returned rather than thrown out of the transaction.
 */
export async function refreshSession(db: Db, deps: AuthDeps, refreshToken: string): Promise<Session> {
  const outcome = await db.transaction(async (tx): Promise<RefreshOutcome> => {
    const [row] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refreshToken)))
      .for('update');
    if (!row || row.revokedAt) return { ok: false, error: new InvalidTokenError() };
    if (row.usedAt) {
      await revokeFamily(tx, row.familyId);
      return { ok: false, error: new InvalidTokenError('This refresh token was already used; the session has been revoked') };
    }
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, error: new InvalidTokenError('The refresh token has expired') };
    const [membership] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.userId, row.userId), eq(memberships.organizationId, row.organizationId)));
    if (!membership) {
      await revokeFamily(tx, row.familyId);
      return { ok: false, error: new InvalidTokenError('You are no longer a member of this organization') };
    }
    await tx.update(refreshTokens).set({ usedAt: new Date() }).where(eq(refreshTokens.id, row.id));
    return { ok: true, session: await issueSession(tx, deps, row.userId, row.organizationId, row.familyId) };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.session;
}

/** Revokes the session the refresh token belongs to. Unknown tokens are not an error: the session is gone either way. */
export async function logOut(db: DbOrTx, refreshToken: string): Promise<void> {
  const [row] = await db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, sha256(refreshToken)));
  if (row) await revokeFamily(db, row.familyId);
}

async function revokeFamily(db: DbOrTx, familyId: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

async function issueSession(
  db: DbOrTx,
  deps: AuthDeps,
  userId: string,
  organizationId: string,
  familyId: string,
): Promise<Session> {
  const refreshToken = randomToken(32);
  const refreshTokenExpiresAt = new Date(Date.now() + deps.refreshTokenTtlDays * 86_400_000);
  await db.insert(refreshTokens).values({
    familyId,
    userId,
    organizationId,
    tokenHash: sha256(refreshToken),
    expiresAt: refreshTokenExpiresAt,
  });
  const access = await deps.signer.sign({ userId, organizationId, sessionId: familyId });
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    refreshTokenExpiresAt,
    userId,
    organizationId,
  };
}
