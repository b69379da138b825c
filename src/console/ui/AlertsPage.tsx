import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { ConsoleMonitorsDocument, ConsoleUpdateAlertStatusDocument, type AlertCategory, type AlertFilter, type AlertStatus, type Severity } from '../generated/graphql.ts';
import { useAlertList } from './alert-list.ts';
import type { LiveConnection } from './client.ts';
import { CATEGORIES, label, SEVERITIES, STATUSES, when } from './labels.ts';

export function AlertsPage({ connection }: { connection: LiveConnection }) {
  const [filter, setFilter] = useState<AlertFilter>({});
  const list = useAlertList(connection, filter);
  const [monitors] = useQuery({ query: ConsoleMonitorsDocument, variables: { first: 100 } });
  const [, updateStatus] = useMutation(ConsoleUpdateAlertStatusDocument);
  const [message, setMessage] = useState<string | null>(null);

  const applyFilter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const pick = (name: string) => String(form.get(name) ?? '') || null;
    const status = pick('status') as AlertStatus | null;
    const category = pick('category') as AlertCategory | null;
    const monitorId = pick('monitor');
    setFilter({
      statuses: status ? [status] : undefined,
      minSeverity: (pick('severity') as Severity | null) ?? undefined,
      categories: category ? [category] : undefined,
      monitorIds: monitorId ? [monitorId] : undefined,
      text: pick('text')?.trim() || undefined,
    });
  };

  const acknowledge = async (alertId: string, title: string) => {
    const result = await updateStatus({ input: { alertIds: [alertId], status: 'ACKNOWLEDGED' } });
    const payload = result.data?.updateAlertStatus;
    if (payload?.__typename === 'UpdateAlertStatusPayload') {
      list.replace(payload.alerts);
      setMessage(`Acknowledged “${title}”.`);
    } else {
      setMessage((payload && 'message' in payload ? payload.message : result.error?.message) ?? 'The alert could not be acknowledged.');
    }
  };

  return (
    <section aria-labelledby="alerts-heading">
      <h1 id="alerts-heading">Alerts</h1>
      <form className="filters" onSubmit={applyFilter} aria-label="Filter alerts">
        <EnumFilter title="Status" name="status" values={STATUSES} />
        <EnumFilter title="Severity at least" name="severity" values={SEVERITIES} />
        <EnumFilter title="Category" name="category" values={CATEGORIES} />
        <label>
          Monitor
          <select name="monitor" defaultValue="">
            <option value="">Any</option>
            {monitors.data?.monitors.nodes.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Text
          <input name="text" type="search" />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      <p role="status" className="message">
        {message}
      </p>
      {list.error && (
        <p role="alert" className="error">
          {list.error}
        </p>
      )}
      {!list.isLoading && list.rows.length === 0 && !list.error && <p>No alerts match.</p>}
      <ul className="alert-list" aria-label="Alerts" aria-busy={list.isLoading}>
        {list.rows.map((alert) => (
          <li key={alert.id} className="alert-row" data-alert-id={alert.id}>
            <span className={`badge severity-${alert.severity.toLowerCase()}`}>{label(alert.severity)}</span>
            <div className="alert-main">
              <Link href={`/alerts/${encodeURIComponent(alert.id)}`} className="alert-title">
                {alert.title}
              </Link>
              <span className="meta">
                {alert.monitor.name} · {label(alert.category)} · {when(alert.createdAt)}
                {alert.occurrences > 1 ? ` · seen ${alert.occurrences}×` : ''}
              </span>
            </div>
            <span className="status" data-status={alert.status}>
              {label(alert.status)}
            </span>
            {alert.status === 'NEW' && (
              <button type="button" onClick={() => void acknowledge(alert.id, alert.title)} aria-label={`Acknowledge ${alert.title}`}>
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
      {list.hasMore && (
        <button type="button" onClick={list.loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}

/** A filter over a closed set: "Any", then each value by its label. */
function EnumFilter({ title, name, values }: { title: string; name: string; values: readonly string[] }) {
  return (
    <label>
      {title}
      <select name={name} defaultValue="">
        <option value="">Any</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {label(value)}
          </option>
        ))}
      </select>
    </label>
  );
}
