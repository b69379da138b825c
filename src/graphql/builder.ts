import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, NonNegativeIntResolver } from 'graphql-scalars';
import type { Role } from '../db/schema/enums.ts';
import { AuthenticationError, ForbiddenError } from '../services/errors.ts';
import { hasRole } from '../services/viewer.ts';
import type { Context } from './context.ts';

function upperFirst(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/**
 * The one schema builder. Plugin order matters: the errors plugin wraps scope-auth, so an
 * authorization failure on a mutation comes back as a typed `ForbiddenError` member of its union.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { member: boolean; role: Role };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    NonNegativeInt: { Input: number; Output: number };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      member: context.viewer !== null,
      role: (role: Role) => context.viewer !== null && hasRole(context.viewer, role),
    }),
    unauthorizedError: (_parent, context) =>
      context.viewer ? new ForbiddenError() : new AuthenticationError(),
  },
  errors: {
    defaultTypes: [],
    defaultResultOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Success` },
    defaultUnionOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Result` },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('NonNegativeInt', NonNegativeIntResolver);

builder.queryType({});
builder.mutationType({});
