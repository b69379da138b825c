import { JSONResolver } from 'graphql-scalars';
import { AuthenticationError, ForbiddenError, NotFoundError, PlanLimitExceededError, ValidationError } from '../../services/errors.ts';
import { exportMonitors, importMonitors } from '../../services/monitor-transfer.ts';
import type { MonitorRow } from '../../services/monitors.ts';
import { builder } from '../builder.ts';
import { Monitor } from './monitors.ts';

builder.addScalarType('JSON', JSONResolver);

const ImportedMonitors = builder.objectRef<{ created: MonitorRow[]; updated: MonitorRow[] }>('ImportedMonitors').implement({
  fields: (t) => ({
    created: t.field({ type: [Monitor], resolve: (r) => r.created }),
    updated: t.field({ type: [Monitor], description: 'Existing monitors (matched by name) brought in line with the document.', resolve: (r) => r.updated }),
  }),
});

builder.queryField('exportMonitors', (t) =>
  t.field({
    type: 'JSON',
    description: 'Your monitors as a JSON document (`{ version, monitors }`) that importMonitors accepts.',
    authScopes: { member: true },
    resolve: (_root, _args, context) => exportMonitors(context.db, context.viewer!),
  }),
);

builder.mutationField('importMonitors', (t) =>
  t.field({
    type: ImportedMonitors,
    description: 'Creates or updates monitors from an exported document, matched by name; all or nothing; re-importing is a no-op.',
    authScopes: { role: 'admin' },
    errors: { types: [AuthenticationError, ForbiddenError, ValidationError, NotFoundError, PlanLimitExceededError] },
    args: { document: t.arg({ type: 'JSON', required: true }) },
    resolve: (_root, args, context) => importMonitors(context.db, context.viewer!, args.document),
  }),
);
