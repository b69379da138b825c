import { asc, gt } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/client.ts';
import { organizations } from '../../db/schema/index.ts';
import { creditPeriod, grantMonthlyCredits } from '../../services/credits.ts';

/** Cron, monthly: grants each organization its plan's credits once per month (a retry grants nothing twice). */
export function grantMonthlyCreditsTask(db: Db): Task<'credits__grant_monthly'> {
  return async (_payload, helpers) => {
    const period = creditPeriod();
    let after = '00000000-0000-0000-0000-000000000000';
    let granted = 0;
    for (;;) {
      const batch = await db.select({ id: organizations.id }).from(organizations).where(gt(organizations.id, after)).orderBy(asc(organizations.id)).limit(500);
      for (const org of batch) {
        if (await db.transaction((tx) => grantMonthlyCredits(tx, org.id, period))) granted += 1;
      }
      if (batch.length < 500) break;
      after = batch.at(-1)!.id;
    }
    helpers.logger.info(`granted ${period} credits to ${granted} organizations`);
  };
}
