import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver } from 'graphql-scalars';
import type { Role } from '../db/schema/enums.ts';
import { encodeGlobalId } from '../lib/global-id.ts';
import { AuthenticationError, ForbiddenError, ValidationError } from '../services/errors.ts';
import { hasRole } from '../services/viewer.ts';
import type { Context } from './context.ts';
import './text-input.ts';
import { decodeNodeId } from './ids.ts';

function upperFirst(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/**
 * The one schema builder. Plugin order matters: the errors plugin wraps scope-auth, so an
 * authorization failure on a mutation comes back as a typed `ForbiddenError` member of its union.
 *
 * Conventions it sets for every module: a mutation's field returns its `<Name>Payload` object
 * directly inside a `<Name>Result` union with the typed errors it can raise (see `mutations.ts`);
 * connections are named by the modules for their node type (`AlertConnection`, `AlertEdge`), with
 * `nodes` beside `edges`; global IDs are encoded and decoded by `src/lib/global-id.ts`.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { member: boolean; role: Role };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  // textInput refuses unstorable text in any argument, inside the errors plugin (typed ValidationError).
  plugins: [ErrorsPlugin, ScopeAuthPlugin, 'textInput', RelayPlugin, DataloaderPlugin],
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
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Result` },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // `node(id)` is defined in modules/node.ts: it checks the caller and the typename first.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    encodeGlobalID: (typename, id) => encodeGlobalId(typename, String(id)),
    decodeGlobalID: (globalId) => {
      const decoded = decodeNodeId(globalId);
      if (!decoded) throw ValidationError.single(['id'], 'is not a valid ID');
      return decoded;
    },
    nodesOnConnection: { description: 'The nodes of `edges`, for clients that need no cursors.' },
    nodeTypeOptions: {
      description: 'An object with a global ID. `node(id:)` fetches any of them by that ID, within your organization.',
    },
    idFieldOptions: { description: 'Global ID: opaque, stable, and accepted by `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'More items follow `endCursor` (when paging forward with `first`).' },
    hasPreviousPageFieldOptions: { description: 'More items precede `startCursor` (when paging backward with `last`).' },
    startCursorFieldOptions: { description: 'Cursor of the first edge; null for an empty page.' },
    endCursorFieldOptions: { description: 'Cursor of the last edge; null for an empty page.' },
    edgesFieldOptions: { nullable: { list: false, items: false }, description: 'The items of this page, each with its cursor.' },
    cursorFieldOptions: { description: 'Opaque position of this edge: pass it as `after` or `before`.' },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    firstArgOptions: { description: 'Page forward: at most this many items after `after` (0 to 100; default 20).' },
    afterArgOptions: { description: 'A cursor (`endCursor`, or an edge cursor) to continue after.' },
    lastArgOptions: { description: 'Page backward: at most this many items before `before` (0 to 100).' },
    beforeArgOptions: { description: 'A cursor (`startCursor`, or an edge cursor) to continue before.' },
  },
});

// Serialized to its ISO text here rather than left a Date for JSON.stringify to convert: a Date in
// the result sends V8's JSON.stringify down its slow path (it calls toJSON), which made a page of 50
// alerts take three times as long to write. The text is the same.
builder.addScalarType('DateTime', DateTimeResolver, {
  serialize: (value) => {
    const serialized = DateTimeResolver.serialize(value) as Date | string;
    return serialized instanceof Date ? serialized.toISOString() : serialized;
  },
});

builder.queryType({ description: 'What can be read. Everything is scoped to the organization of the credentials sent.' });
builder.mutationType({
  description: 'What can be changed. Each mutation takes one `input` and answers with its payload or one of the typed errors it can raise.',
});
