import { ConflictError } from '../../services/errors.ts';
import {
  countSilences,
  createSilence,
  deleteSilence,
  expireSilence,
  listSilences,
  loadSilences,
  type SilenceRow,
} from '../../services/silences.ts';
import {
  createSuppressionRule,
  deleteSuppressionRule,
  listMonitorsSuppressionRules,
  listSuppressionRules,
  loadSuppressionRules,
  type SuppressionRuleRow,
} from '../../services/suppression-rules.ts';
import { builder } from '../builder.ts';
import { connectionType, loadGroupPage, toConnection } from '../connection.ts';
import { AlertCategoryEnum, SeverityEnum, SuppressionRuleKindEnum } from '../enums.ts';
import { authErrorsWithNotFound, resultOf } from '../errors.ts';
import { encodeGlobalId, onlyUuids, parseGlobalId, parseGlobalIds } from '../ids.ts';
import { User } from './accounts.ts';
import { Alert } from './alerts.ts';
import { Monitor } from './monitors.ts';

/*
 * Noise control: snoozing alerts, silences that mute matching alerts for a period, and suppression
 * rules (learned from false positives or written by hand) that drop findings before analysis.
 */

export const Silence = builder.loadableNode('Silence', {
  description:
    'Mutes alerts matching every condition it gives, from `startsAt` to `endsAt`: they are stored and marked silenced, but not pushed to subscribers, webhooks or digests.',
  id: { resolve: (s: SilenceRow) => s.id },
  load: (ids: string[], context) =>
    context.viewer ? loadSilences(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (s) => s.id,
  fields: (t) => ({
    monitor: t.field({ type: Monitor, nullable: true, description: 'Only alerts of this monitor; null: any monitor.', resolve: (s) => s.monitorId }),
    category: t.field({ type: AlertCategoryEnum, nullable: true, description: 'Only alerts of this category; null: any.', resolve: (s) => s.category }),
    minSeverity: t.field({ type: SeverityEnum, nullable: true, description: 'Only alerts at least this severe; null: any.', resolve: (s) => s.minSeverity }),
    text: t.exposeString('text', { nullable: true, description: 'Only alerts whose title, summary or URL contains this, case-insensitively.' }),
    comment: t.exposeString('comment', { nullable: true, description: 'Why, for the rest of the team.' }),
    startsAt: t.expose('startsAt', { type: 'DateTime', description: 'When it takes effect.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: 'When it stops (or stopped) taking effect.' }),
    isActive: t.boolean({ description: 'In effect right now.', resolve: (s) => s.startsAt <= new Date() && s.endsAt > new Date() }),
    createdBy: t.field({ type: User, nullable: true, description: 'Who created it; null for an API key or a removed account.', resolve: (s) => s.createdByUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

export const SuppressionRule = builder.loadableNode('SuppressionRule', {
  description:
    'Drops later findings of its monitor that match, before analysis; they show the rule as their reason in `Scan.suppressedFindings`.',
  id: { resolve: (r: SuppressionRuleRow) => r.id },
  load: (ids: string[], context) =>
    context.viewer ? loadSuppressionRules(context.db, context.viewer.organizationId, onlyUuids(ids)) : Promise.resolve([]),
  sort: (r) => r.id,
  fields: (t) => ({
    monitor: t.field({ type: Monitor, description: 'The monitor whose findings it drops.', resolve: (r) => r.monitorId }),
    kind: t.field({ type: SuppressionRuleKindEnum, description: 'How it recognises a finding.', resolve: (r) => r.kind }),
    pattern: t.exposeString('pattern', { description: 'A host name (DOMAIN) or a URL with `*` wildcards (URL_PATTERN).' }),
    sourceAlert: t.field({
      type: Alert,
      nullable: true,
      description: 'The alert marked false positive that taught this rule; null for rules written by hand.',
      resolve: (r) => r.sourceAlertId,
    }),
    createdBy: t.field({ type: User, nullable: true, description: 'Who created it; null for an API key or a removed account.', resolve: (r) => r.createdByUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

const SilenceConnection = connectionType(Silence, 'Silence', {
  description: 'A page of silences.',
  totalCount: 'How many silences the list holds, on every page together.',
});
const SuppressionRuleConnection = connectionType(SuppressionRule, 'SuppressionRule', { description: 'A page of suppression rules.' });

builder.objectFields(Alert, (t) => ({
  snoozedUntil: t.expose('snoozedUntil', {
    type: 'DateTime',
    nullable: true,
    description: 'While SNOOZED: until when. If the threat is seen again after that, the alert returns to NEW.',
  }),
  isSilenced: t.boolean({
    description: 'A silence matched its latest firing: stored, but not pushed or notified.',
    resolve: (a) => a.silencedAt !== null,
  }),
  silence: t.field({
    type: Silence,
    nullable: true,
    description: 'The silence that muted its latest firing, unless since deleted.',
    resolve: (a) => a.silenceId,
  }),
}));

builder.objectField(Monitor, 'suppressionRules', (t) =>
  t.connection(
    {
      type: SuppressionRule,
      description: 'Rules that drop this monitor’s findings, oldest first.',
      resolve: async (monitor, args, context) =>
        toConnection(
          await loadGroupPage(context, 'Monitor.suppressionRules', args, monitor.id, (ids) =>
            listMonitorsSuppressionRules(context.db, context.viewer!.organizationId, ids, args),
          ),
        ),
    },
    SuppressionRuleConnection,
  ),
);

builder.queryFields((t) => ({
  silences: t.connection(
    {
      type: Silence,
      description: 'Silences in effect or upcoming, ending soonest first; with `isExpired: true`, those that ended, latest first.',
      authScopes: { member: true },
      args: {
        isExpired: t.arg.boolean({ required: false, defaultValue: false, description: 'List silences that have ended instead of current ones.' }),
      },
      resolve: async (_root, args, context) => {
        const options = { isExpired: args.isExpired ?? false };
        return toConnection(await listSilences(context.db, context.viewer!, options, args), () => countSilences(context.db, context.viewer!, options));
      },
    },
    SilenceConnection,
  ),
  suppressionRules: t.connection(
    {
      type: SuppressionRule,
      description: 'The organization’s suppression rules (of some monitors only, if given), oldest first.',
      authScopes: { member: true },
      args: { monitorIds: t.arg.idList({ required: false, description: 'Only rules of these monitors (global IDs).' }) },
      resolve: async (_root, args, context) =>
        toConnection(
          await listSuppressionRules(
            context.db,
            context.viewer!.organizationId,
            args.monitorIds ? parseGlobalIds(args.monitorIds, 'Monitor', ['monitorIds']) : null,
            args,
          ),
        ),
    },
    SuppressionRuleConnection,
  ),
}));

const CreateSilenceInput = builder.inputType('CreateSilenceInput', {
  description: 'A new silence: at least one of monitorId, category, minSeverity and text.',
  fields: (t) => ({
    monitorId: t.id({ required: false, description: 'Only alerts of this monitor (global ID).' }),
    category: t.field({ type: AlertCategoryEnum, required: false, description: 'Only alerts of this category.' }),
    minSeverity: t.field({ type: SeverityEnum, required: false, description: 'Only alerts at least this severe.' }),
    text: t.string({ required: false, description: 'Case-insensitive substring of the title, summary or URL.' }),
    comment: t.string({ required: false, description: 'Why, for the rest of the team.' }),
    startsAt: t.field({ type: 'DateTime', required: false, description: 'Default: now.' }),
    endsAt: t.field({ type: 'DateTime', required: true, description: 'At most 366 days after the start.' }),
  }),
});

const CreateSuppressionRuleInput = builder.inputType('CreateSuppressionRuleInput', {
  description: 'A new suppression rule.',
  fields: (t) => ({
    monitorId: t.id({ required: true, description: 'Global ID of the monitor whose findings it drops.' }),
    kind: t.field({ type: SuppressionRuleKindEnum, required: true, description: 'How it recognises a finding.' }),
    pattern: t.string({ required: true, description: 'A host name (DOMAIN) or an http(s) URL with `*` wildcards (URL_PATTERN).' }),
  }),
});

const ExpireSilenceInput = builder.inputType('ExpireSilenceInput', {
  description: 'The silence to end.',
  fields: (t) => ({ silenceId: t.id({ required: true, description: 'Global ID of the silence.' }) }),
});
const DeleteSilenceInput = builder.inputType('DeleteSilenceInput', {
  description: 'The silence to delete.',
  fields: (t) => ({ silenceId: t.id({ required: true, description: 'Global ID of the silence.' }) }),
});
const DeleteSuppressionRuleInput = builder.inputType('DeleteSuppressionRuleInput', {
  description: 'The rule to delete.',
  fields: (t) => ({ suppressionRuleId: t.id({ required: true, description: 'Global ID of the suppression rule.' }) }),
});

function silencePayload(name: string, description: string) {
  return builder.objectRef<{ silence: SilenceRow }>(name).implement({
    description,
    fields: (t) => ({ silence: t.field({ type: Silence, description: 'The silence.', resolve: (p) => p.silence }) }),
  });
}

const DeleteSilencePayload = builder.objectRef<{ silence: SilenceRow }>('DeleteSilencePayload').implement({
  description: 'What was deleted.',
  fields: (t) => ({
    deletedSilenceId: t.id({ description: 'Global ID of the silence that no longer exists.', resolve: (p) => encodeGlobalId('Silence', p.silence.id) }),
  }),
});
const CreateSuppressionRulePayload = builder.objectRef<{ suppressionRule: SuppressionRuleRow }>('CreateSuppressionRulePayload').implement({
  description: 'The new rule.',
  fields: (t) => ({ suppressionRule: t.field({ type: SuppressionRule, description: 'The rule created.', resolve: (p) => p.suppressionRule }) }),
});
const DeleteSuppressionRulePayload = builder.objectRef<{ suppressionRule: SuppressionRuleRow }>('DeleteSuppressionRulePayload').implement({
  description: 'What was deleted.',
  fields: (t) => ({
    deletedSuppressionRuleId: t.id({
      description: 'Global ID of the rule that no longer exists.',
      resolve: (p) => encodeGlobalId('SuppressionRule', p.suppressionRule.id),
    }),
  }),
});

builder.mutationFields((t) => ({
  createSilence: t.field({
    type: silencePayload('CreateSilencePayload', 'The new silence.'),
    description: 'Mutes matching alerts for a period. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('createSilence', authErrorsWithNotFound),
    args: { input: t.arg({ type: CreateSilenceInput, required: true, description: 'The silence to create.' }) },
    resolve: async (_root, { input }, context) => ({
      silence: await createSilence(context.db, context.viewer!, {
        ...input,
        monitorId: input.monitorId ? parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']) : null,
      }),
    }),
  }),
  expireSilence: t.field({
    type: silencePayload('ExpireSilencePayload', 'The silence, now ended.'),
    description: 'Ends a silence now (an upcoming one never starts); it stays listed as expired. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('expireSilence', authErrorsWithNotFound),
    args: { input: t.arg({ type: ExpireSilenceInput, required: true, description: 'The silence to end.' }) },
    resolve: async (_root, { input }, context) => ({
      silence: await expireSilence(context.db, context.viewer!, parseGlobalId(input.silenceId, 'Silence', ['input', 'silenceId'])),
    }),
  }),
  deleteSilence: t.field({
    type: DeleteSilencePayload,
    description: 'Deletes a silence. Alerts it muted stay marked silenced. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('deleteSilence', authErrorsWithNotFound),
    args: { input: t.arg({ type: DeleteSilenceInput, required: true, description: 'The silence to delete.' }) },
    resolve: async (_root, { input }, context) => ({
      silence: await deleteSilence(context.db, context.viewer!, parseGlobalId(input.silenceId, 'Silence', ['input', 'silenceId'])),
    }),
  }),
  createSuppressionRule: t.field({
    type: CreateSuppressionRulePayload,
    description: 'Adds a rule that drops matching findings of a monitor. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('createSuppressionRule', [...authErrorsWithNotFound, ConflictError]),
    args: { input: t.arg({ type: CreateSuppressionRuleInput, required: true, description: 'The rule to create.' }) },
    resolve: async (_root, { input }, context) => ({
      suppressionRule: await createSuppressionRule(context.db, context.viewer!, {
        ...input,
        monitorId: parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']),
      }),
    }),
  }),
  deleteSuppressionRule: t.field({
    type: DeleteSuppressionRulePayload,
    description: 'Removes a rule; findings it dropped keep their reason. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: resultOf('deleteSuppressionRule', authErrorsWithNotFound),
    args: { input: t.arg({ type: DeleteSuppressionRuleInput, required: true, description: 'The rule to delete.' }) },
    resolve: async (_root, { input }, context) => ({
      suppressionRule: await deleteSuppressionRule(
        context.db,
        context.viewer!,
        parseGlobalId(input.suppressionRuleId, 'SuppressionRule', ['input', 'suppressionRuleId']),
      ),
    }),
  }),
}));
