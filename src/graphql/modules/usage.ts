import { encodeGlobalID } from '@pothos/plugin-relay';
import { AuthenticationError, ForbiddenError, ValidationError } from '../../services/errors.ts';
import { listLedger, setOrganizationOpenAiKey, type LedgerRow } from '../../services/usage.ts';
import { usageForPeriod } from '../../services/stats.ts';
import { creditPeriod } from '../../services/credits.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { toConnection } from '../connection.ts';
import { Organization } from './accounts.ts';

const LedgerReasonEnum = builder.enumType('LedgerReason', {
  values: { GRANT: { value: 'grant' }, SCAN: { value: 'scan' }, REFUND: { value: 'refund' }, ADJUSTMENT: { value: 'adjustment' } } as const,
});

const LedgerEntry = builder.objectRef<LedgerRow>('LedgerEntry').implement({
  description: 'One change of the credit balance. The ledger is append-only.',
  fields: (t) => ({
    delta: t.exposeInt('delta', { description: 'Credits added (positive) or spent (negative).' }),
    balanceAfter: t.exposeInt('balanceAfter'),
    reason: t.field({ type: LedgerReasonEnum, resolve: (e) => e.reason }),
    period: t.exposeString('period', { nullable: true, description: 'For grants: the month granted, e.g. `2026-11`.' }),
    scanId: t.id({ nullable: true, resolve: (e) => (e.scanId ? encodeGlobalID('Scan', e.scanId) : null) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const LedgerConnection = builder.connectionObject({ type: LedgerEntry, name: 'LedgerConnection' });

const Usage = builder.objectRef<{ balance: number; period: string }>('Usage').implement({
  description: 'Scan credits: what is left and how it was spent; scans, tokens and cost of one month.',
  fields: (t) => ({
    creditBalance: t.exposeInt('balance'),
    period: t.exposeString('period', { description: 'The month the figures below cover, e.g. `2026-11` (UTC).' }),
    scans: t.int({ resolve: async (u, _args, context) => (await periodUsage(u.period, context)).scans }),
    promptTokens: t.int({ resolve: async (u, _args, context) => (await periodUsage(u.period, context)).promptTokens }),
    completionTokens: t.int({ resolve: async (u, _args, context) => (await periodUsage(u.period, context)).completionTokens }),
    costUsd: t.float({ resolve: async (u, _args, context) => (await periodUsage(u.period, context)).costUsd }),
    creditsSpent: t.int({ description: 'Net of refunds.', resolve: async (u, _args, context) => (await periodUsage(u.period, context)).creditsSpent }),
    ledger: t.field({
      type: LedgerConnection,
      args: { first: t.arg.int(), after: t.arg.string(), last: t.arg.int(), before: t.arg.string() },
      resolve: async (_usage, args, context) => toConnection(await listLedger(context.db, context.viewer!, args)),
    }),
  }),
});

/** One query per request for the period figures, however many of them are selected. */
const periodCache = new WeakMap<object, Map<string, ReturnType<typeof usageForPeriod>>>();
function periodUsage(period: string, context: Context) {
  let cache = periodCache.get(context);
  if (!cache) periodCache.set(context, (cache = new Map()));
  let result = cache.get(period);
  if (!result) cache.set(period, (result = usageForPeriod(context.db, context.viewer!, period)));
  return result;
}

builder.queryField('usage', (t) =>
  t.field({
    type: Usage,
    authScopes: { member: true },
    args: { period: t.arg.string({ required: false, description: 'A month as YYYY-MM; defaults to the current one.' }) },
    resolve: async (_root, args, context) => {
      const org = await Organization.getDataloader(context).load(context.viewer!.organizationId);
      return { balance: org.creditBalance, period: args.period ?? creditPeriod() };
    },
  }),
);

builder.objectField(Organization, 'hasOpenAiKey', (t) =>
  t.boolean({
    description: 'Whether the organization uses its own OpenAI key. The key itself is never returned.',
    resolve: (org) => org.openaiKeyEncrypted !== null,
  }),
);

builder.mutationField('setOpenAiKey', (t) =>
  t.field({
    type: Organization,
    description: "Sets the organization's own OpenAI key (stored encrypted, used instead of the server's), or removes it with null.",
    authScopes: { role: 'admin' },
    errors: { types: [AuthenticationError, ForbiddenError, ValidationError] },
    args: { apiKey: t.arg.string({ required: false }) },
    resolve: async (_root, args, context) => {
      await setOrganizationOpenAiKey(context.db, context.viewer!, context.settings.encryptionKey, args.apiKey ?? null);
      const loader = Organization.getDataloader(context);
      loader.clear(context.viewer!.organizationId);
      return loader.load(context.viewer!.organizationId);
    },
  }),
);
