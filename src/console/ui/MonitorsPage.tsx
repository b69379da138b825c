import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import {
  ConsoleCreateMonitorDocument,
  ConsoleMonitorsDocument,
  ConsolePauseMonitorDocument,
  ConsoleResumeMonitorDocument,
  ConsoleScanMonitorNowDocument,
  ConsoleScanProgressDocument,
  type ConsoleScanProgressSubscription,
  type Frequency,
  type MonitorKind,
  type Source,
} from '../generated/graphql.ts';
import type { LiveConnection } from './client.ts';
import { documentPayload } from './persisted.ts';
import { label, sourceLabel, when } from './labels.ts';

const KINDS: MonitorKind[] = ['BRAND', 'DOMAIN', 'PERSON', 'PRODUCT', 'KEYWORD'];
const FREQUENCIES: Frequency[] = ['HOURLY', 'DAILY', 'WEEKLY'];

type Progress = ConsoleScanProgressSubscription['scanProgress'];

function describeProgress(progress: Progress): string {
  switch (progress.phase) {
    case 'QUEUED':
      return 'Queued…';
    case 'RUNNING':
      return 'Running…';
    case 'FETCHING':
      return `Fetching ${progress.source ? sourceLabel(progress.source) : 'sources'}…`;
    case 'ANALYZING':
      return `Analyzing ${progress.done ?? 0} of ${progress.total ?? '?'} findings…`;
    case 'SUCCEEDED':
      return `Scan finished: ${progress.scan.findingsNew} new findings, ${progress.scan.alertsCreated} new alerts.`;
    case 'FAILED':
      return `Scan failed: ${progress.scan.error ?? 'unknown error'}.`;
    case 'SKIPPED':
      return `Scan skipped: ${progress.scan.error ?? 'nothing to do'}.`;
  }
}

export function MonitorsPage({ connection }: { connection: LiveConnection }) {
  const [result, refetch] = useQuery({ query: ConsoleMonitorsDocument, variables: { first: 100 } });
  const client = useClient();
  const [, pause] = useMutation(ConsolePauseMonitorDocument);
  const [, resume] = useMutation(ConsoleResumeMonitorDocument);
  const [, create] = useMutation(ConsoleCreateMonitorDocument);
  const [message, setMessage] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, string>>({});
  const stops = useRef<(() => void)[]>([]);
  useEffect(() => () => stops.current.forEach((stop) => stop()), []);

  const reload = () => refetch({ requestPolicy: 'network-only' });
  const report = (payload: { __typename: string; message?: string } | undefined, error: { message: string } | undefined, done: string) => {
    setMessage(payload && 'message' in payload && payload.message ? payload.message : payload ? done : (error?.message ?? 'That did not work.'));
    reload();
  };

  const scanNow = async (monitorId: string, name: string) => {
    const response = await client.mutation(ConsoleScanMonitorNowDocument, { input: { monitorId } }).toPromise();
    const payload = response.data?.scanMonitorNow;
    if (payload?.__typename !== 'ScanMonitorNowPayload') {
      const wait = payload?.__typename === 'ScanCooldownError' ? ` Try again in ${payload.retryAfterSeconds} s.` : '';
      setMessage(`${(payload && 'message' in payload ? payload.message : response.error?.message) ?? 'The scan could not be queued.'}${wait}`);
      return;
    }
    setMessage(`Scan of ${name} queued.`);
    setProgress((current) => ({ ...current, [monitorId]: 'Queued…' }));
    // One scan's progress; the stream ends when the scan does.
    const stop = connection.ws.subscribe<ConsoleScanProgressSubscription>(
      { ...documentPayload(ConsoleScanProgressDocument), variables: { scanId: payload.scan.id } },
      {
        next: ({ data }) => data && setProgress((current) => ({ ...current, [monitorId]: describeProgress(data.scanProgress) })),
        error: () => setProgress((current) => ({ ...current, [monitorId]: 'Lost the scan’s progress; reload to see how it ended.' })),
        complete: reload,
      },
    );
    stops.current.push(stop);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const terms = String(form.get('terms') ?? '')
      .split(',')
      .map((term) => term.trim())
      .filter(Boolean);
    const response = await create({
      input: {
        name: String(form.get('name') ?? '').trim(),
        kind: form.get('kind') as MonitorKind,
        terms,
        sources: form.getAll('sources') as Source[],
        frequency: form.get('frequency') as Frequency,
      },
    });
    const payload = response.data?.createMonitor;
    if (payload?.__typename === 'CreateMonitorPayload') formElement.reset();
    report(payload, response.error, `Created ${payload?.__typename === 'CreateMonitorPayload' ? payload.monitor.name : 'the monitor'}.`);
  };

  const monitors = result.data?.monitors.nodes ?? [];
  const sources = result.data?.viewer?.organization.limits.sources ?? [];
  return (
    <section aria-labelledby="monitors-heading">
      <h1 id="monitors-heading">Monitors</h1>
      <p role="status" className="message">
        {message}
      </p>
      {result.error && (
        <p role="alert" className="error">
          {result.error.message}
        </p>
      )}
      <ul className="monitor-list" aria-label="Monitors">
        {monitors.map((monitor) => (
          <li key={monitor.id} className="card monitor-row">
            <div>
              <h2>{monitor.name}</h2>
              <p className="meta">
                {label(monitor.kind)} · {label(monitor.status)} · {monitor.terms.join(', ')} · {monitor.sources.map(sourceLabel).join(', ')}
              </p>
              <p className="meta">
                Last scan {when(monitor.lastScanAt)} · next {monitor.status === 'PAUSED' ? '—' : when(monitor.nextScanAt)}
              </p>
              {monitor.lastError && <p className="error">Last error: {monitor.lastError}</p>}
              <p role="status" className="progress">
                {progress[monitor.id] ?? ''}
              </p>
            </div>
            <div className="actions">
              {monitor.status === 'ACTIVE' ? (
                <button type="button" aria-label={`Pause ${monitor.name}`} onClick={() => void pause({ input: { monitorId: monitor.id } }).then((r) => report(r.data?.pauseMonitor, r.error, `Paused ${monitor.name}.`))}>
                  Pause
                </button>
              ) : (
                <button type="button" aria-label={`Resume ${monitor.name}`} onClick={() => void resume({ input: { monitorId: monitor.id } }).then((r) => report(r.data?.resumeMonitor, r.error, `Resumed ${monitor.name}.`))}>
                  Resume
                </button>
              )}
              <button type="button" aria-label={`Scan ${monitor.name} now`} onClick={() => void scanNow(monitor.id, monitor.name)}>
                Scan now
              </button>
            </div>
          </li>
        ))}
      </ul>

      <form className="card stack" onSubmit={(event) => void submit(event)} aria-labelledby="create-heading">
        <h2 id="create-heading">New monitor</h2>
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue="BRAND">
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {label(kind)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Terms <span className="hint">(comma-separated)</span>
          <input name="terms" required />
        </label>
        <fieldset>
          <legend>Sources</legend>
          {sources.map((source) => (
            <label key={source} className="check">
              <input type="checkbox" name="sources" value={source} defaultChecked={source === 'DEMO'} /> {sourceLabel(source)}
            </label>
          ))}
        </fieldset>
        <label>
          Frequency
          <select name="frequency" defaultValue="DAILY">
            {FREQUENCIES.map((frequency) => (
              <option key={frequency} value={frequency}>
                {label(frequency)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create monitor
        </button>
      </form>
    </section>
  );
}
