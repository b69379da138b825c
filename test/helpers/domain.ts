import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { alerts, monitors } from '../../src/db/schema/index.ts';
import {
  AlertDetailDocument,
  AlertTitlesDocument,
  MonitorDocument,
  MonitorNamesDocument,
  type AlertTitlesQueryVariables,
  type MonitorNamesQueryVariables,
} from '../generated/graphql.ts';
import { rawId } from './fixtures.ts';
import type { GraphQLResponse, TestServer } from './server.ts';

/** The data of a response that must have succeeded; fails with the errors otherwise. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors ?? response)}`);
  return response.data;
}

/** Narrows a result union to the member a test expects, failing with the whole value when it is another. */
export function expectMember<T extends { __typename: string }, N extends T['__typename']>(value: T, typename: N): Extract<T, { __typename: N }> {
  expect(value, JSON.stringify(value)).toMatchObject({ __typename: typename });
  return value as Extract<T, { __typename: N }>;
}

/** The `extensions.code` of every error a response carries. */
export function errorCodes(response: GraphQLResponse<unknown>): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

export async function monitorNames(server: TestServer, token: string, variables: MonitorNamesQueryVariables = {}): Promise<string[]> {
  const data = dataOf(await server.gql(MonitorNamesDocument, { first: 100, ...variables }, { token }));
  return data.monitors.edges.map((edge) => edge.node.name);
}

export async function alertTitles(server: TestServer, token: string, variables: AlertTitlesQueryVariables = {}): Promise<string[]> {
  const data = dataOf(await server.gql(AlertTitlesDocument, { first: 100, ...variables }, { token }));
  return data.alerts.edges.map((edge) => edge.node.title);
}

export async function readMonitor(server: TestServer, token: string, id: string) {
  return dataOf(await server.gql(MonitorDocument, { id }, { token })).monitor;
}

export async function readAlert(server: TestServer, token: string, id: string) {
  return dataOf(await server.gql(AlertDetailDocument, { id }, { token })).alert;
}

/**
 * The API never lets a client set these times; the scanner and the clock do. Tests that need
 * alerts spread over days, or an overdue monitor, set them directly.
 */
export async function setAlertCreatedAt(server: TestServer, alertGlobalId: string, createdAt: Date): Promise<void> {
  await server.database.db.update(alerts).set({ createdAt, firstSeenAt: createdAt, lastSeenAt: createdAt }).where(eq(alerts.id, rawId(alertGlobalId)));
}

export async function setMonitorNextScanAt(server: TestServer, monitorGlobalId: string, nextScanAt: Date): Promise<void> {
  await server.database.db.update(monitors).set({ nextScanAt }).where(eq(monitors.id, rawId(monitorGlobalId)));
}

interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export interface Walk<T> {
  /** Nodes in list order, whichever way the walk went. */
  nodes: T[];
  pages: Connection<T>['pageInfo'][];
}

/**
 * Follows a connection page by page (forward with `endCursor`, backward with `startCursor`) until
 * the list says there is nothing more; `between` runs after each page, before the next is fetched.
 */
export async function walkConnection<T>(
  direction: 'forward' | 'backward',
  fetchPage: (cursor: string | null) => Promise<Connection<T>>,
  between: (pageIndex: number) => Promise<void> = async () => {},
): Promise<Walk<T>> {
  const pages: Connection<T>['pageInfo'][] = [];
  const chunks: T[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i += 1) {
    const page = await fetchPage(cursor);
    pages.push(page.pageInfo);
    chunks.push(page.edges.map((edge) => edge.node));
    const hasMore = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!hasMore) break;
    cursor = direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor;
    await between(i);
  }
  if (direction === 'backward') chunks.reverse();
  return { nodes: chunks.flat(), pages };
}
