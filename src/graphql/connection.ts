import DataLoader from 'dataloader';
import type { ObjectRef } from '@pothos/core';
import type { Page, PageArgs } from '../services/pagination.ts';
import { builder } from './builder.ts';

/** What a connection field resolves to: the page, and for connections that offer it a lazy count. */
export interface ConnectionValue<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Runs only when `totalCount` is selected. */
  totalCount?: () => Promise<number>;
}

/** Shapes a keyset page as a Relay connection. */
export function toConnection<T>(page: Page<T>, totalCount?: () => Promise<number>): ConnectionValue<T> {
  return {
    edges: page.nodes.map((node, i) => ({ node, cursor: page.cursors[i]! })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors.at(-1) ?? null,
    },
    totalCount,
  };
}

/**
 * `<Type>Connection` and `<Type>Edge` for a node type, shared by every field that lists it. With
 * `totalCount`, the connection offers the count (only where one cheap statement answers it, and a
 * field returning it must pass the counter to `toConnection`); without, its description says so.
 */
type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer S> ? S : never;

export function connectionType<T>(
  node: ObjectRef<SchemaTypesOf<typeof builder>, T>,
  typename: string,
  options: { description: string; totalCount?: string },
) {
  return builder.connectionObject(
    {
      type: node as never,
      name: `${typename}Connection`,
      description: options.totalCount
        ? options.description
        : `${options.description} It has no \`totalCount\`: counting would cost more than a page; page through instead.`,
      fields: ((t: PothosSchemaTypes.ObjectFieldBuilder<SchemaTypesOf<typeof builder>, ConnectionValue<T>>) =>
        options.totalCount
          ? {
              totalCount: t.int({
                description: options.totalCount,
                resolve: async (connection) => {
                  const count = connection.totalCount;
                  if (!count) throw new Error(`${typename}Connection.totalCount: the field did not pass a counter`);
                  return count();
                },
              }),
            }
          : {}) as never,
    },
    { name: `${typename}Edge`, description: `One ${typename} in a page of a \`${typename}Connection\`, with its cursor.` },
  );
}

const groupLoaders = new WeakMap<object, Map<string, DataLoader<string, Page<unknown>>>>();

/**
 * The page of a nested connection for one parent, batched with the same page of every other parent
 * resolved in this request (the notes of each alert on a page: one statement, not one per alert).
 */
export function loadGroupPage<T>(
  context: object,
  key: string,
  args: PageArgs,
  parentId: string,
  load: (parentIds: string[]) => Promise<Map<string, Page<T>>>,
): Promise<Page<T>> {
  let loaders = groupLoaders.get(context);
  if (!loaders) groupLoaders.set(context, (loaders = new Map()));
  const loaderKey = `${key}:${JSON.stringify([args.first ?? null, args.after ?? null, args.last ?? null, args.before ?? null])}`;
  let loader = loaders.get(loaderKey);
  if (!loader) {
    loader = new DataLoader<string, Page<unknown>>(async (ids) => {
      const pages = await load([...ids]);
      return ids.map((id) => pages.get(id) ?? { nodes: [], cursors: [], hasNextPage: false, hasPreviousPage: false });
    });
    loaders.set(loaderKey, loader);
  }
  return loader.load(parentId) as Promise<Page<T>>;
}

/**
 * For a list field that is not a connection: the most items it can ever return, enforced by its
 * resolver (or by the validation of what it lists). The rate limiter charges it (see
 * `src/http/rate-limit.ts`), and the schema test fails for an object list without it.
 */
export function bounded(maxItems: number): { extensions: { maxItems: number } } {
  return { extensions: { maxItems } };
}
