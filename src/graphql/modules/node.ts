import { nodeTypenames, type NodeTypename } from '../../lib/global-id.ts';
import { visibleUserIds } from '../../services/members.ts';
import { ValidationError } from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { decodeNodeId } from '../ids.ts';

const NODE_TYPENAMES: ReadonlySet<string> = new Set(nodeTypenames);

/**
 * `node(id)`: any object of the caller's organization by its global ID. Each type's loader reads
 * only the caller's organization (and its role: API keys, webhooks and deliveries need admin), so an
 * object of another organization is null, exactly like one that does not exist. Users are loaded by
 * IDs other rows hold and so are not scoped by their loader: here a user resolves only if they are
 * the caller or a member of the caller's organization.
 */
builder.queryField('node', (t) =>
  t.node({
    description: 'Any object of your organization by its global ID, or null (also for objects of other organizations).',
    args: { id: t.arg.id({ required: true, description: 'A global ID, as any `id` field returns it.' }) },
    id: async (_root, args, context) => {
      const decoded = decodeNodeId(args.id);
      if (!decoded) throw ValidationError.single(['id'], 'is not a valid ID');
      if (!context.viewer || !NODE_TYPENAMES.has(decoded.typename)) return null;
      if (decoded.typename === 'User' && !(await visibleUserIds(context.db, context.viewer, [decoded.id])).has(decoded.id)) return null;
      return { type: decoded.typename satisfies NodeTypename, id: decoded.id };
    },
  }),
);
