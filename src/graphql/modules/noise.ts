import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../services/errors.ts';
import { createSilence, deleteSilence, expireSilence, listSilences, loadSilences, type SilenceRow } from '../../services/silences.ts';
import {
  createSuppressionRule,
  deleteSuppressionRule,
  listSuppressionRules,
  loadSuppressionRules,
  type SuppressionRuleRow,
} from '../../services/suppression-rules.ts';
import { builder } from '../builder.ts';
import { AlertCategoryEnum, SeverityEnum, SuppressionRuleKindEnum } from '../enums.ts';
import { onlyUuids, parseGlobalId, parseGlobalIds } from '../ids.ts';
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
    category: t.field({ type: AlertCategoryEnum, nullable: true, resolve: (s) => s.category }),
    minSeverity: t.field({ type: SeverityEnum, nullable: true, description: 'Only alerts at least this severe.', resolve: (s) => s.minSeverity }),
    text: t.exposeString('text', { nullable: true, description: 'Only alerts whose title, summary or URL contains this, case-insensitively.' }),
    comment: t.exposeString('comment', { nullable: true }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    isActive: t.boolean({ description: 'In effect right now.', resolve: (s) => s.startsAt <= new Date() && s.endsAt > new Date() }),
    createdBy: t.field({ type: User, nullable: true, resolve: (s) => s.createdByUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
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
    monitor: t.field({ type: Monitor, resolve: (r) => r.monitorId }),
    kind: t.field({ type: SuppressionRuleKindEnum, resolve: (r) => r.kind }),
    pattern: t.exposeString('pattern'),
    sourceAlert: t.field({
      type: Alert,
      nullable: true,
      description: 'The alert marked false positive that taught this rule; null for rules written by hand.',
      resolve: (r) => r.sourceAlertId,
    }),
    createdBy: t.field({ type: User, nullable: true, resolve: (r) => r.createdByUserId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

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
  t.loadableGroup({
    type: SuppressionRule,
    description: 'Rules that drop this monitor’s findings, oldest first.',
    load: (monitorIds: string[], context) => listSuppressionRules(context.db, context.viewer!.organizationId, monitorIds),
    group: (rule) => (rule as SuppressionRuleRow).monitorId,
    resolve: (monitor) => monitor.id,
  }),
);

builder.queryFields((t) => ({
  silences: t.field({
    type: [Silence],
    description: 'Active and upcoming silences, ending soonest first; with `includeExpired`, also the 100 most recently ended.',
    authScopes: { member: true },
    args: { includeExpired: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, context) => listSilences(context.db, context.viewer!, { includeExpired: args.includeExpired ?? false }),
  }),
  suppressionRules: t.field({
    type: [SuppressionRule],
    description: 'The organization’s suppression rules (of some monitors only, if given), oldest first.',
    authScopes: { member: true },
    args: { monitorIds: t.arg.idList({ required: false }) },
    resolve: (_root, args, context) =>
      listSuppressionRules(
        context.db,
        context.viewer!.organizationId,
        args.monitorIds ? parseGlobalIds(args.monitorIds, 'Monitor', ['monitorIds']) : null,
      ),
  }),
}));

const CreateSilenceInput = builder.inputType('CreateSilenceInput', {
  description: 'At least one of monitorId, category, minSeverity and text.',
  fields: (t) => ({
    monitorId: t.id({ required: false }),
    category: t.field({ type: AlertCategoryEnum, required: false }),
    minSeverity: t.field({ type: SeverityEnum, required: false }),
    text: t.string({ required: false, description: 'Case-insensitive substring of the title, summary or URL.' }),
    comment: t.string({ required: false, description: 'Why, for the rest of the team.' }),
    startsAt: t.field({ type: 'DateTime', required: false, description: 'Default: now.' }),
    endsAt: t.field({ type: 'DateTime', required: true, description: 'At most 366 days after the start.' }),
  }),
});

const CreateSuppressionRuleInput = builder.inputType('CreateSuppressionRuleInput', {
  fields: (t) => ({
    monitorId: t.id({ required: true }),
    kind: t.field({ type: SuppressionRuleKindEnum, required: true }),
    pattern: t.string({ required: true, description: 'A host name (DOMAIN) or an http(s) URL with `*` wildcards (URL_PATTERN).' }),
  }),
});

const noiseErrors = [AuthenticationError, ForbiddenError, ValidationError, NotFoundError] as const;

builder.mutationFields((t) => ({
  createSilence: t.field({
    type: Silence,
    description: 'Mutes matching alerts for a period. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: { types: [...noiseErrors] },
    args: { input: t.arg({ type: CreateSilenceInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createSilence(context.db, context.viewer!, {
        ...input,
        monitorId: input.monitorId ? parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']) : null,
      }),
  }),
  expireSilence: t.field({
    type: Silence,
    description: 'Ends a silence now (an upcoming one never starts); it stays listed as expired.',
    authScopes: { role: 'analyst' },
    errors: { types: [...noiseErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => expireSilence(context.db, context.viewer!, parseGlobalId(id, 'Silence', ['id'])),
  }),
  deleteSilence: t.field({
    type: Silence,
    description: 'Deletes a silence. Alerts it muted stay marked silenced. Returns what was deleted.',
    authScopes: { role: 'analyst' },
    errors: { types: [...noiseErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deleteSilence(context.db, context.viewer!, parseGlobalId(id, 'Silence', ['id'])),
  }),
  createSuppressionRule: t.field({
    type: SuppressionRule,
    description: 'Adds a rule that drops matching findings of a monitor. Analysts and above.',
    authScopes: { role: 'analyst' },
    errors: { types: [...noiseErrors, ConflictError] },
    args: { input: t.arg({ type: CreateSuppressionRuleInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createSuppressionRule(context.db, context.viewer!, {
        ...input,
        monitorId: parseGlobalId(input.monitorId, 'Monitor', ['input', 'monitorId']),
      }),
  }),
  deleteSuppressionRule: t.field({
    type: SuppressionRule,
    description: 'Removes a rule; findings it dropped keep their reason. Returns what was deleted.',
    authScopes: { role: 'analyst' },
    errors: { types: [...noiseErrors] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deleteSuppressionRule(context.db, context.viewer!, parseGlobalId(id, 'SuppressionRule', ['id'])),
  }),
}));
