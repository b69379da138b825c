import { listLedger, loadLedgerEntries, setOrganizationOpenAiKey, type LedgerRow } from '../../services/usage.ts';
import { usageForPeriod } from '../../services/stats.ts';
import { creditPeriod } from '../../services/credits.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { connectionType, toConnection } from '../connection.ts';
import { authErrors, resultOf } from '../errors.ts';
import { onlyIntegerIds } from '../ids.ts';
import { Organization } from './accounts.ts';
import { Scan } from './scans.ts';

type OrganizationRow = typeof Organization.$inferType;

const LedgerReasonEnum = builder.enumType('LedgerReason', {
  description: 'Why the credit balance changed.',
  values: {
    GRANT: { value: 'grant', description: 'The monthly grant of the plan.' },
    SCAN: { value: 'scan', description: 'A scan was charged.' },
    REFUND: { value: 'refund', description: 'A failed scan was refunded.' },
    ADJUSTMENT: { value: 'adjustment', description: 'A manual correction.' },
  } as const,
});

const LedgerEntry = builder.loadableNode('LedgerEntry', {
  description: 'One change of the credit balance. The ledger is append-only.',
  id: { resolve: (e: LedgerRow) => String(e.id) },
  load: (ids: string[], context) =>
    context.viewer ? loadLedgerEntries(context.db, context.viewer.organizationId, onlyIntegerIds(ids)) : Promise.resolve([]),
  sort: (e) => String(e.id),
  fields: (t) => ({
    delta: t.exposeInt('delta', { description: 'Credits added (positive) or spent (negative).' }),
    balanceAfter: t.exposeInt('balanceAfter', { description: 'The balance right after this change.' }),
    reason: t.field({ type: LedgerReasonEnum, description: 'Why it changed.', resolve: (e) => e.reason }),
    period: t.exposeString('period', { nullable: true, description: 'For grants: the month granted, e.g. `2026-11`.' }),
    scan: t.field({ type: Scan, nullable: true, description: 'For charges and refunds: the scan, while it exists.', resolve: (e) => e.scanId }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it changed.' }),
  }),
});

const LedgerEntryConnection = connectionType(LedgerEntry, 'LedgerEntry', { description: 'A page of the credit ledger.' });

/** One query per request for the period figures, however many of them are selected. */
const periodCache = new WeakMap<object, Map<string, ReturnType<typeof usageForPeriod>>>();
function periodUsage(period: string, context: Context) {
  let cache = periodCache.get(context);
  if (!cache) periodCache.set(context, (cache = new Map()));
  let result = cache.get(period);
  if (!result) cache.set(period, (result = usageForPeriod(context.db, context.viewer!, period)));
  return result;
}

const Usage = builder.objectRef<{ balance: number; period: string }>('Usage').implement({
  description: 'Scan credits: what is left and how it was spent; scans, tokens and cost of one month.',
  fields: (t) => ({
    creditBalance: t.exposeInt('balance', { description: 'Scan credits left now.' }),
    period: t.exposeString('period', { description: 'The month the figures below cover, e.g. `2026-11` (UTC).' }),
    scans: t.int({ description: 'Scans run in the month.', resolve: async (u, _args, context) => (await periodUsage(u.period, context)).scans }),
    promptTokens: t.int({ description: 'LLM prompt tokens spent in the month.', resolve: async (u, _args, context) => (await periodUsage(u.period, context)).promptTokens }),
    completionTokens: t.int({
      description: 'LLM completion tokens spent in the month.',
      resolve: async (u, _args, context) => (await periodUsage(u.period, context)).completionTokens,
    }),
    costUsd: t.float({ description: 'What the LLM calls of the month cost, in US dollars.', resolve: async (u, _args, context) => (await periodUsage(u.period, context)).costUsd }),
    creditsSpent: t.int({ description: 'Credits spent in the month, net of refunds.', resolve: async (u, _args, context) => (await periodUsage(u.period, context)).creditsSpent }),
    ledger: t.connection(
      {
        type: LedgerEntry,
        description: 'Every change of the credit balance, newest first (not only this month’s).',
        resolve: async (_usage, args, context) => toConnection(await listLedger(context.db, context.viewer!, args)),
      },
      LedgerEntryConnection,
    ),
  }),
});

builder.queryField('usage', (t) =>
  t.field({
    type: Usage,
    description: 'Credits and spending of your organization.',
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

const SetOpenAiKeyInput = builder.inputType('SetOpenAiKeyInput', {
  description: 'The organization’s own OpenAI key, or null to remove it.',
  fields: (t) => ({ apiKey: t.string({ required: false, description: 'An OpenAI API key (20 to 500 characters); null removes the stored one.' }) }),
});

const SetOpenAiKeyPayload = builder.objectRef<{ organization: OrganizationRow }>('SetOpenAiKeyPayload').implement({
  description: 'The organization with its new setting.',
  fields: (t) => ({ organization: t.field({ type: Organization, description: 'Your organization; see `hasOpenAiKey`.', resolve: (p) => p.organization }) }),
});

builder.mutationField('setOpenAiKey', (t) =>
  t.field({
    type: SetOpenAiKeyPayload,
    description: "Sets the organization's own OpenAI key (stored encrypted, used instead of the server's), or removes it with null. Owners and admins.",
    authScopes: { role: 'admin' },
    errors: resultOf('setOpenAiKey', authErrors),
    args: { input: t.arg({ type: SetOpenAiKeyInput, required: true, description: 'The key.' }) },
    resolve: async (_root, { input }, context) => {
      await setOrganizationOpenAiKey(context.db, context.viewer!, context.settings.encryptionKey, input.apiKey ?? null);
      const loader = Organization.getDataloader(context);
      loader.clear(context.viewer!.organizationId);
      return { organization: await loader.load(context.viewer!.organizationId) };
    },
  }),
);
