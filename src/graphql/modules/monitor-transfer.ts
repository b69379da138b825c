import { PlanLimitExceededError } from '../../services/errors.ts';
import { exportMonitors, importMonitors, MAX_TRANSFER_MONITORS, type ExportedMonitor } from '../../services/monitor-transfer.ts';
import type { MonitorRow } from '../../services/monitors.ts';
import { builder } from '../builder.ts';
import { bounded } from '../connection.ts';
import { FrequencyEnum, MonitorKindEnum, MonitorStatusEnum, SourceEnum } from '../enums.ts';
import { authErrorsWithNotFound, resultOf } from '../errors.ts';
import { Monitor } from './monitors.ts';

const MonitorDefinition = builder.objectRef<ExportedMonitor>('MonitorDefinition').implement({
  description: 'One monitor’s settings, as `exportMonitors` gives them and `importMonitors` takes them back (`MonitorDefinitionInput`).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name; import matches existing monitors by it, ignoring letter case.' }),
    kind: t.field({ type: MonitorKindEnum, description: 'What it watches.', resolve: (m) => m.kind }),
    terms: t.exposeStringList('terms', { description: 'A finding must mention at least one of these.' }),
    excludeTerms: t.exposeStringList('excludeTerms', { description: 'Findings mentioning any of these are suppressed.' }),
    sources: t.field({ type: [SourceEnum], description: 'Where it looks.', ...bounded(5), resolve: (m) => m.sources }),
    feedUrls: t.exposeStringList('feedUrls', { description: 'Feeds the RSS source reads.' }),
    frequency: t.field({ type: FrequencyEnum, description: 'How often it is scanned.', resolve: (m) => m.frequency }),
    intervalMinutes: t.int({ nullable: true, description: 'For INTERVAL: minutes between scans; null otherwise.', resolve: (m) => m.intervalMinutes ?? null }),
    status: t.field({ type: MonitorStatusEnum, description: 'Whether it is being scanned.', resolve: (m) => m.status }),
  }),
});

const MonitorExport = builder.objectRef<{ version: number; monitors: ExportedMonitor[] }>('MonitorExport').implement({
  description: 'Your monitors’ settings, in a shape `importMonitors` accepts back (as JSON, the same document).',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'Version of the document format; pass it back to `importMonitors`.' }),
    monitors: t.field({
      type: [MonitorDefinition],
      description: `The monitors, by name: at most ${MAX_TRANSFER_MONITORS} (the most an import takes).`,
      ...bounded(MAX_TRANSFER_MONITORS),
      resolve: (e) => e.monitors,
    }),
  }),
});

const MonitorDefinitionInput = builder.inputType('MonitorDefinitionInput', {
  description: 'One monitor to create or bring in line, matched by name.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name; an existing monitor with this name (ignoring letter case) is updated.' }),
    kind: t.field({ type: MonitorKindEnum, required: true, description: 'What it watches (used only when the monitor is created).' }),
    terms: t.stringList({ required: true, description: '1 to 50 terms; a finding must mention at least one.' }),
    excludeTerms: t.stringList({ required: false, description: 'At most 50 terms; default: none.' }),
    sources: t.field({ type: [SourceEnum], required: true, description: 'Sources the plan offers.' }),
    feedUrls: t.stringList({ required: false, description: 'Feeds for the RSS source; default: none.' }),
    frequency: t.field({ type: FrequencyEnum, required: true, description: 'How often to scan.' }),
    intervalMinutes: t.int({ required: false, description: 'Required for INTERVAL.' }),
    status: t.field({ type: MonitorStatusEnum, required: false, description: 'Default: ACTIVE.' }),
  }),
});

const ImportMonitorsInput = builder.inputType('ImportMonitorsInput', {
  description: 'A document from `exportMonitors`.',
  fields: (t) => ({
    version: t.int({ required: true, description: 'The format version, as exported (1).' }),
    monitors: t.field({ type: [MonitorDefinitionInput], required: true, description: `The monitors: at most ${MAX_TRANSFER_MONITORS}, names unique.` }),
  }),
});

const ImportMonitorsPayload = builder.objectRef<{ created: MonitorRow[]; updated: MonitorRow[] }>('ImportMonitorsPayload').implement({
  description: 'What the import changed.',
  fields: (t) => ({
    createdMonitors: t.field({
      type: [Monitor],
      description: `Monitors created, in document order (at most ${MAX_TRANSFER_MONITORS}).`,
      ...bounded(MAX_TRANSFER_MONITORS),
      resolve: (r) => r.created,
    }),
    updatedMonitors: t.field({
      type: [Monitor],
      description: `Existing monitors (matched by name) brought in line with the document, in document order (at most ${MAX_TRANSFER_MONITORS}).`,
      ...bounded(MAX_TRANSFER_MONITORS),
      resolve: (r) => r.updated,
    }),
  }),
});

builder.queryField('exportMonitors', (t) =>
  t.field({
    type: MonitorExport,
    description: 'Your monitors’ settings as a document that `importMonitors` accepts.',
    authScopes: { member: true },
    resolve: (_root, _args, context) => exportMonitors(context.db, context.viewer!),
  }),
);

builder.mutationField('importMonitors', (t) =>
  t.field({
    type: ImportMonitorsPayload,
    description: 'Creates or updates monitors from an exported document, matched by name; all or nothing; re-importing is a no-op. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('importMonitors', [...authErrorsWithNotFound, PlanLimitExceededError]),
    args: { input: t.arg({ type: ImportMonitorsInput, required: true, description: 'The document.' }) },
    resolve: (_root, { input }, context) => importMonitors(context.db, context.viewer!, input),
  }),
);
