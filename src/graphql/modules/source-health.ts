import { loadSourceHealth, type SourceHealthView } from '../../services/source-health.ts';
import { builder } from '../builder.ts';
import { bounded } from '../connection.ts';
import { SourceEnum } from '../enums.ts';
import { Monitor } from './monitors.ts';

const SourceHealth = builder.objectRef<SourceHealthView>('SourceHealth').implement({
  description:
    'How one source of a monitor is doing. A source that fails several scans in a row, or stays silent far longer than usual, is unhealthy and raises a SOURCE_HEALTH alert until it recovers.',
  fields: (t) => ({
    source: t.field({ type: SourceEnum, description: 'The source.', resolve: (h) => h.source }),
    isHealthy: t.boolean({ description: 'False while `problem` is set.', resolve: (h) => h.problem === null }),
    problem: t.exposeString('problem', { nullable: true, description: 'Why the source is unhealthy right now (failing or silent), or null.' }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'Scans in a row in which the source failed; 0 after a success.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The error of its most recent failure, also after it recovered.' }),
    lastSuccessAt: t.expose('lastSuccessAt', { type: 'DateTime', nullable: true, description: 'When it last answered, with or without results.' }),
    lastResultsAt: t.expose('lastResultsAt', { type: 'DateTime', nullable: true, description: 'When it last returned any results.' }),
    meanResultGapSeconds: t.exposeFloat('meanResultGapSeconds', {
      nullable: true,
      description: 'The usual time between scans in which it returned results; null until it has returned results twice.',
    }),
  }),
});

builder.objectField(Monitor, 'sourceHealth', (t) =>
  t.loadableGroup({
    type: SourceHealth,
    description: "Each of the monitor's sources, in order, with how it has been doing; a source not scanned yet is healthy. One per source, so at most 5.",
    ...bounded(5),
    load: (monitorIds: string[], context) => loadSourceHealth(context.db, context.viewer!.organizationId, monitorIds),
    group: (health) => health.monitorId,
    resolve: (monitor) => monitor.id,
  }),
);
