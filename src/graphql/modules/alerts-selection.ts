import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { AlertKey, AlertPageColumns, MonitorKey } from '../../services/alert-pages.ts';

/**
 * What an `alerts` connection's selection needs from the database, looked ahead from the query:
 * the alert columns its fields read, the monitor's when every field asked of the monitor is one of
 * its columns (then it is joined into the page's statement), and whether any cursor is asked for.
 * Null when the selection holds a field this table does not know — a field another module added —
 * and the page is read whole, the general way.
 */

/** The columns each Alert field's resolver reads (`id` is always read). */
const ALERT_FIELDS: Record<string, readonly AlertKey[]> = {
  __typename: [],
  id: [],
  monitor: ['monitorId'],
  title: ['title'],
  summary: ['summary'],
  url: ['url'],
  source: ['source'],
  category: ['category'],
  severity: ['severity'],
  confidence: ['confidence'],
  rationale: ['rationale'],
  isUnverified: ['isUnverified'],
  status: ['status'],
  occurrences: ['occurrences'],
  fingerprint: ['fingerprint'],
  firstSeenAt: ['firstSeenAt'],
  lastSeenAt: ['lastSeenAt'],
  acknowledgedAt: ['acknowledgedAt'],
  acknowledgedBy: ['acknowledgedByUserId'],
  resolvedAt: ['resolvedAt'],
  resolvedBy: ['resolvedByUserId'],
  createdAt: ['createdAt'],
  // Nested connections load by the alert's id.
  history: [],
  notes: [],
};

/** Monitor fields that are its columns as they are; any other field loads the monitor whole. */
const MONITOR_FIELDS: Record<string, readonly MonitorKey[]> = {
  __typename: [],
  id: [],
  name: ['name'],
  kind: ['kind'],
  terms: ['terms'],
  excludeTerms: ['excludeTerms'],
  sources: ['sources'],
  feedUrls: ['feedUrls'],
  frequency: ['frequency'],
  intervalMinutes: ['intervalMinutes'],
  status: ['status'],
  nextScanAt: ['nextScanAt'],
  lastScanAt: ['lastScanAt'],
  lastError: ['lastError'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};

const PAGE_INFO_FIELDS = new Set(['__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']);

type Fragments = GraphQLResolveInfo['fragments'];

/** The fields under `nodes`, by name (aliases merged, fragments spread), of every node given. */
function subfields(nodes: readonly FieldNode[], fragments: Fragments): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const collect = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const list = fields.get(selection.name.value);
        if (list) list.push(selection);
        else fields.set(selection.name.value, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else {
        collect(fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of nodes) collect(node.selectionSet);
  return fields;
}

export function alertPageColumns(info: GraphQLResolveInfo): AlertPageColumns | null {
  const { fragments } = info;
  const alertNodes: FieldNode[] = [];
  let cursors = false;
  for (const [name, nodes] of subfields(info.fieldNodes, fragments)) {
    if (name === 'nodes') alertNodes.push(...nodes);
    else if (name === 'edges') {
      for (const [edgeField, edgeNodes] of subfields(nodes, fragments)) {
        if (edgeField === 'node') alertNodes.push(...edgeNodes);
        else if (edgeField === 'cursor') cursors = true;
        else if (edgeField !== '__typename') return null;
      }
    } else if (name === 'pageInfo') {
      for (const pageInfoField of subfields(nodes, fragments).keys()) {
        if (!PAGE_INFO_FIELDS.has(pageInfoField)) return null;
        if (pageInfoField === 'startCursor' || pageInfoField === 'endCursor') cursors = true;
      }
    } else if (name !== '__typename') return null;
  }

  const alert = new Set<AlertKey>(['id']);
  let monitor: Set<MonitorKey> | null = null;
  let isMonitorJoinable = true;
  for (const [name, nodes] of subfields(alertNodes, fragments)) {
    const keys = ALERT_FIELDS[name];
    if (!keys) return null;
    for (const key of keys) alert.add(key);
    if (name !== 'monitor') continue;
    monitor ??= new Set<MonitorKey>(['id']);
    for (const monitorField of subfields(nodes, fragments).keys()) {
      const monitorKeys = MONITOR_FIELDS[monitorField];
      if (!monitorKeys) isMonitorJoinable = false;
      else for (const key of monitorKeys) monitor.add(key);
    }
  }
  return { alert: [...alert], monitor: monitor && isMonitorJoinable ? [...monitor] : null, cursors };
}
