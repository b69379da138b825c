import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { creditLedger, organizations } from '../db/schema/index.ts';
import { planFor } from './plans.ts';

export function creditPeriod(date = new Date()): string {
  return date.toISOString().slice(0, 7);
}

/**
 * Grants the plan's monthly credits for `period` once: the unique (organization, period) grant
 * index turns a retried or concurrent grant into a no-op. Returns whether credits were granted.
 */
export async function grantMonthlyCredits(tx: DbOrTx, organizationId: string, period = creditPeriod()): Promise<boolean> {
  const [org] = await tx
    .select({ plan: organizations.plan })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
    .for('update');
  if (!org) return false;
  const amount = planFor(org.plan).monthlyCredits;
  const [existing] = await tx
    .select({ id: creditLedger.id })
    .from(creditLedger)
    .where(and(eq(creditLedger.organizationId, organizationId), eq(creditLedger.reason, 'grant'), eq(creditLedger.period, period)));
  if (existing) return false;
  const [updated] = await tx
    .update(organizations)
    .set({ creditBalance: sql`${organizations.creditBalance} + ${amount}` })
    .where(eq(organizations.id, organizationId))
    .returning({ balance: organizations.creditBalance });
  await tx.insert(creditLedger).values({
    organizationId,
    delta: amount,
    balanceAfter: updated!.balance,
    reason: 'grant',
    period,
  });
  return true;
}
