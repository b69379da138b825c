import fs from 'node:fs';
import { encodeGlobalId } from '../../src/lib/global-id.ts';
import type { SoakOrganization } from './database.ts';

/** The HTTP operations of the load, each checked as a client would: status, `errors`, typed error results, shape. */
export const OPERATION_KINDS = ['alertsPage', 'alertStats', 'monitors', 'updateAlertStatus', 'addAlertNote'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/**
 * The mix, one slot per dispatched operation, repeated: 40% alerts pages, 20% monitor lists, 10%
 * statistics, 20% status changes, 10% notes. Alert-creating writes run on their own clock.
 */
export const MIX: readonly OperationKind[] = [
  'alertsPage',
  'monitors',
  'updateAlertStatus',
  'alertsPage',
  'alertStats',
  'alertsPage',
  'addAlertNote',
  'monitors',
  'updateAlertStatus',
  'alertsPage',
];

const ALERTS_PAGE = fs.readFileSync(new URL('../operations/alerts-page.graphql', import.meta.url), 'utf8');
const ALERT_STATS = `query SoakAlertStats($range: StatsRange!) {
  alertStats(range: $range, bucket: DAY) {
    total
    bySeverity { severity count }
    byStatus { status count }
    series { start total }
    meanTimeToAcknowledgeSeconds
    topMonitors { count monitor { id name } }
  }
}`;
const MONITORS = `query SoakMonitors {
  monitors(first: 20) { edges { node { id name kind status nextScanAt } } pageInfo { hasNextPage } }
}`;
const UPDATE_ALERT_STATUS = `mutation SoakUpdateAlertStatus($ids: [ID!]!, $status: AlertStatus!) {
  updateAlertStatus(input: { alertIds: $ids, status: $status }) {
    __typename
    ... on UpdateAlertStatusPayload { alerts { id status acknowledgedAt } }
    ... on Error { message code }
  }
}`;
const ADD_ALERT_NOTE = `mutation SoakAddAlertNote($alertId: ID!, $body: String!) {
  addAlertNote(input: { alertId: $alertId, body: $body }) {
    __typename
    ... on AddAlertNotePayload { alertNote { id body } }
    ... on Error { message code }
  }
}`;

/** Why an operation counts as failed: non-2xx, no answer (timeout, reset), GraphQL `errors`, a typed error result, or a wrong answer. */
export type Failure = { kind: 'http' | 'network' | 'graphql' | 'typed' | 'shape'; detail: string };

export interface OperationOutcome {
  failure?: Failure;
}

const REQUEST_TIMEOUT_MS = 30_000;

type Body = { data?: Record<string, unknown> | null; errors?: unknown[] };

async function post(url: string, apiKey: string, query: string, operationName: string, variables: Record<string, unknown>): Promise<{ body?: Body; failure?: Failure }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, operationName, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    return { failure: { kind: 'network', detail: `${operationName}: ${(error as Error).message}` } };
  }
  if (response.status < 200 || response.status >= 300) return { failure: { kind: 'http', detail: `${operationName}: HTTP ${response.status} ${text.slice(0, 500)}` } };
  let body: Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    return { failure: { kind: 'shape', detail: `${operationName}: not JSON: ${text.slice(0, 200)}` } };
  }
  if (body.errors?.length) return { failure: { kind: 'graphql', detail: `${operationName}: ${JSON.stringify(body.errors).slice(0, 500)}` } };
  if (!body.data) return { failure: { kind: 'shape', detail: `${operationName}: no data` } };
  return { body };
}

const shape = (detail: string): OperationOutcome => ({ failure: { kind: 'shape', detail } });

type ToggleAlert = SoakOrganization['toggleAlerts'][number];

/** Per organization, the toggle alerts not being changed right now: one mutation per alert at a time, so every toggle is a valid transition. */
export class ToggleQueue {
  private readonly free: ToggleAlert[][];
  /** Notes go to these alerts in turn; a note is valid on any alert at any time. */
  private readonly all: ToggleAlert[][];
  private noteCursor = 0;

  constructor(organizations: SoakOrganization[]) {
    this.free = organizations.map((o) => [...o.toggleAlerts]);
    this.all = organizations.map((o) => [...o.toggleAlerts]);
  }

  take(organizationIndex: number): ToggleAlert | undefined {
    return this.free[organizationIndex]!.shift();
  }

  giveBack(organizationIndex: number, alert: ToggleAlert): void {
    this.free[organizationIndex]!.push(alert);
  }

  nextNoteTarget(organizationIndex: number): ToggleAlert {
    const list = this.all[organizationIndex]!;
    return list[this.noteCursor++ % list.length]!;
  }
}

export async function runOperation(kind: OperationKind, url: string, organization: SoakOrganization, organizationIndex: number, toggles: ToggleQueue, sequence: number): Promise<OperationOutcome> {
  const key = organization.loadApiKey;
  switch (kind) {
    case 'alertsPage': {
      const { body, failure } = await post(url, key, ALERTS_PAGE, 'BenchAlertsPage', { first: 50 });
      if (failure) return { failure };
      const nodes = (body!.data!.alerts as { nodes: { monitor?: { name?: string } }[] }).nodes;
      if (nodes.length !== 50) return shape(`alertsPage: ${nodes.length} alerts instead of 50`);
      if (nodes.some((node) => !node.monitor?.name)) return shape('alertsPage: an alert without its monitor');
      return {};
    }
    case 'alertStats': {
      const until = new Date();
      const since = new Date(until.getTime() - 30 * 86_400_000);
      const { body, failure } = await post(url, key, ALERT_STATS, 'SoakAlertStats', { range: { since: since.toISOString(), until: until.toISOString() } });
      if (failure) return { failure };
      const stats = body!.data!.alertStats as { total?: number } | null;
      if (typeof stats?.total !== 'number' || stats.total <= 0) return shape(`alertStats: total ${stats?.total}`);
      return {};
    }
    case 'monitors': {
      const { body, failure } = await post(url, key, MONITORS, 'SoakMonitors', {});
      if (failure) return { failure };
      const edges = (body!.data!.monitors as { edges: unknown[] }).edges;
      if (edges.length !== Math.min(20, organization.monitorIds.length)) return shape(`monitors: ${edges.length} edges`);
      return {};
    }
    case 'updateAlertStatus': {
      const alert = toggles.take(organizationIndex);
      if (!alert) return shape('updateAlertStatus: every toggle alert of the organization was busy');
      const status = alert.status === 'new' ? 'ACKNOWLEDGED' : 'NEW';
      const { body, failure } = await post(url, key, UPDATE_ALERT_STATUS, 'SoakUpdateAlertStatus', { ids: [encodeGlobalId('Alert', alert.id)], status });
      // After a failure the alert's status is unknown: it leaves the queue.
      if (failure) return { failure };
      const result = body!.data!.updateAlertStatus as { __typename: string; message?: string; alerts?: { status: string }[] };
      if (result.__typename !== 'UpdateAlertStatusPayload') return { failure: { kind: 'typed', detail: `updateAlertStatus: ${result.__typename}: ${result.message}` } };
      if (result.alerts?.[0]?.status !== status) return shape(`updateAlertStatus: status ${result.alerts?.[0]?.status}, expected ${status}`);
      toggles.giveBack(organizationIndex, { id: alert.id, status: status === 'NEW' ? 'new' : 'acknowledged' });
      return {};
    }
    case 'addAlertNote': {
      const alert = toggles.nextNoteTarget(organizationIndex);
      const text = `Soak note ${sequence}: checked the look-alike domain, still live.`;
      const { body, failure } = await post(url, key, ADD_ALERT_NOTE, 'SoakAddAlertNote', { alertId: encodeGlobalId('Alert', alert.id), body: text });
      if (failure) return { failure };
      const result = body!.data!.addAlertNote as { __typename: string; message?: string; alertNote?: { body: string } };
      if (result.__typename !== 'AddAlertNotePayload') return { failure: { kind: 'typed', detail: `addAlertNote: ${result.__typename}: ${result.message}` } };
      if (result.alertNote?.body !== text) return shape('addAlertNote: the note came back different');
      return {};
    }
  }
}
