import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './modules/accounts.ts';
import './modules/members.ts';
import './modules/api-keys.ts';
import './modules/monitors.ts';
import './modules/alerts.ts';
import './modules/scans.ts';
import './modules/usage.ts';
import './modules/live.ts';
import './modules/webhooks.ts';
import './modules/stats.ts';
import './modules/monitor-transfer.ts';
import './modules/digests.ts';
import './modules/noise.ts';
import './modules/source-health.ts';
import './modules/brand-profile.ts';
import './modules/explanations.ts';
import './modules/node.ts';

let schema: GraphQLSchema | undefined;

/** The only call to `toSchema()`: every module above registers itself on import. */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: false });
  return schema;
}

export function sortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildSchema());
}
