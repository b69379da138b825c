import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import type { DocumentNode } from 'graphql';
import type { Database } from '../db/client.ts';

/** One registry per process; `/metrics` serves it in the Prometheus text format. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  activeSubscriptions: Gauge;
  jobs: Counter<'task' | 'outcome'>;
  scanDuration: Histogram<'status'>;
  llmTokens: Counter<'kind'>;
  llmCostUsd: Counter;
}

/**
 * A counter labelled by `outcome`, registered once: one registry may serve several apps in a
 * process (tests), and each asks for it again.
 */
export function outcomeCounter(registry: Registry, name: string, help: string): Counter<'outcome'> {
  return (registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ?? new Counter({ name, help, labelNames: ['outcome'], registers: [registry] });
}

export function createMetrics(options: { database?: Database; subscriptions?: () => number } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_process_' });
  const metrics: Metrics = {
    registry,
    httpDuration: new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'vigil_graphql_operation_duration_seconds',
      help: 'GraphQL execution latency by operation',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({
      name: 'vigil_active_subscriptions',
      help: 'Live GraphQL subscriptions served by this process',
      registers: [registry],
      collect() {
        if (options.subscriptions) this.set(options.subscriptions());
      },
    }),
    jobs: new Counter({ name: 'vigil_jobs_total', help: 'Worker job attempts by outcome: success, retry (failed, will run again), failed (no attempts left), released (at the shutdown deadline)', labelNames: ['task', 'outcome'], registers: [registry] }),
    scanDuration: new Histogram({
      name: 'vigil_scan_duration_seconds',
      help: 'Scan duration by final status',
      labelNames: ['status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    llmTokens: new Counter({ name: 'vigil_llm_tokens_total', help: 'LLM tokens used', labelNames: ['kind'], registers: [registry] }),
    llmCostUsd: new Counter({ name: 'vigil_llm_cost_usd_total', help: 'LLM cost in USD', registers: [registry] }),
  };
  if (options.database) {
    const { sql } = options.database;
    new Gauge({
      name: 'vigil_pg_notification_queue_usage',
      help: 'Fraction of PostgreSQL’s NOTIFY queue in use (pg_notification_queue_usage); near 1 means listeners lag',
      registers: [registry],
      async collect() {
        try {
          const [row] = await sql<{ usage: number }[]>`select pg_notification_queue_usage()::float8 as usage`;
          this.set(row!.usage);
        } catch {
          // Unreachable database: /ready reports it; the gauge keeps its last value.
        }
      },
    });
  }
  return metrics;
}

/** Times every GraphQL operation by name, type and whether it returned errors. */
export function useOperationMetrics(metrics: Metrics): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const { name: operation, type } = describeOperation(args.document as DocumentNode, args.operationName);
      return {
        onExecuteDone({ result }) {
          const hasErrors = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          metrics.graphqlDuration.observe({ operation, type, outcome: hasErrors ? 'error' : 'ok' }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/** The executed operation's name (or `anonymous`) and type, from the document itself. */
export function describeOperation(document: DocumentNode, operationName: string | null | undefined): { name: string; type: string } {
  // Parsed documents are cached and reused, so the answer is too (metrics and the log both ask).
  let byName = described.get(document);
  if (!byName) described.set(document, (byName = new Map()));
  const key = operationName ?? null;
  let description = byName.get(key);
  if (!description) byName.set(key, (description = describeUncached(document, operationName)));
  return description;
}

const described = new WeakMap<DocumentNode, Map<string | null, { name: string; type: string }>>();

function describeUncached(document: DocumentNode, operationName: string | null | undefined): { name: string; type: string } {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const definition = operations.find((d) => (operationName ? d.name?.value === operationName : true));
  return { name: operationName ?? definition?.name?.value ?? 'anonymous', type: definition?.operation ?? 'unknown' };
}
