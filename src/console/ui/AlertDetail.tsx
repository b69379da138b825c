import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { ConsoleAddAlertNoteDocument, ConsoleAlertDetailDocument, ConsoleAlertUpdatedDocument, ConsoleUpdateAlertStatusDocument, type AlertStatus } from '../generated/graphql.ts';
import { live, type LiveConnection } from './client.ts';
import { label, when } from './labels.ts';

const SNOOZE_HOURS = [
  { hours: 1, text: '1 hour' },
  { hours: 24, text: '1 day' },
  { hours: 24 * 7, text: '7 days' },
];

/** One alert: what it is, why Vigil raised it, what happened to it, and the triage actions. */
export function AlertDetail({ id, connection }: { id: string; connection: LiveConnection }) {
  const [result, refetch] = useQuery({ query: ConsoleAlertDetailDocument, variables: { id } });
  const refetchRef = useRef(refetch);
  refetchRef.current = refetch;
  // A colleague's triage or note shows here as it happens.
  useEffect(
    () =>
      live(connection, ConsoleAlertUpdatedDocument, () => ({}), (data) => {
        if (data.alertUpdated.alert.id === id) refetchRef.current({ requestPolicy: 'network-only' });
      }),
    [connection, id],
  );
  const [, updateStatus] = useMutation(ConsoleUpdateAlertStatusDocument);
  const [, addNote] = useMutation(ConsoleAddAlertNoteDocument);
  const [message, setMessage] = useState<string | null>(null);
  const [snoozeHours, setSnoozeHours] = useState(SNOOZE_HOURS[1]!.hours);
  const [statusNote, setStatusNote] = useState('');

  if (result.fetching && !result.data) return <p aria-busy="true">Loading…</p>;
  const alert = result.data?.alert;
  if (!alert) {
    return (
      <p role="alert">
        {result.error?.message ?? 'No such alert in this organization.'} <Link href="/alerts">Back to the alerts</Link>
      </p>
    );
  }

  const changeStatus = async (status: AlertStatus) => {
    const snoozedUntil = status === 'SNOOZED' ? new Date(Date.now() + snoozeHours * 3_600_000).toISOString() : undefined;
    const response = await updateStatus({ input: { alertIds: [alert.id], status, snoozedUntil, note: statusNote.trim() || undefined } });
    const payload = response.data?.updateAlertStatus;
    if (payload?.__typename === 'UpdateAlertStatusPayload') {
      setMessage(`Status: ${label(status)}.`);
      setStatusNote('');
      refetch({ requestPolicy: 'network-only' });
    } else {
      setMessage((payload && 'message' in payload ? payload.message : response.error?.message) ?? 'The status could not be changed.');
    }
  };

  const submitNote = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = String(new FormData(form).get('note') ?? '').trim();
    if (!body) return;
    const response = await addNote({ input: { alertId: alert.id, body } });
    const payload = response.data?.addAlertNote;
    if (payload?.__typename === 'AddAlertNotePayload') {
      form.reset();
      setMessage('Note added.');
      refetch({ requestPolicy: 'network-only' });
    } else {
      setMessage((payload && 'message' in payload ? payload.message : response.error?.message) ?? 'The note could not be added.');
    }
  };

  const explanation = alert.explanation;
  return (
    <article aria-labelledby="alert-heading" className="detail">
      <p>
        <Link href="/alerts">← Alerts</Link>
      </p>
      <h1 id="alert-heading">{alert.title}</h1>
      <p className="meta">
        <span className={`badge severity-${alert.severity.toLowerCase()}`}>{label(alert.severity)}</span> {label(alert.category)} ·{' '}
        <span className="status" data-status={alert.status}>
          {label(alert.status)}
        </span>
        {alert.snoozedUntil ? ` until ${when(alert.snoozedUntil)}` : ''} · {alert.monitor.name} · confidence {Math.round(alert.confidence * 100)}%
      </p>
      {alert.url && (
        <p className="url">
          <a href={alert.url} rel="noreferrer noopener" target="_blank">
            {alert.url}
          </a>
        </p>
      )}
      <p>{alert.summary}</p>

      <section aria-labelledby="triage-heading" className="card">
        <h2 id="triage-heading">Triage</h2>
        <label>
          Note with the change <span className="hint">(optional)</span>
          <input value={statusNote} onChange={(event) => setStatusNote(event.target.value)} />
        </label>
        <div className="actions">
          <button type="button" onClick={() => void changeStatus('ACKNOWLEDGED')} disabled={alert.status === 'ACKNOWLEDGED'}>
            Acknowledge
          </button>
          <button type="button" onClick={() => void changeStatus('RESOLVED')} disabled={alert.status === 'RESOLVED'}>
            Resolve
          </button>
          <button type="button" onClick={() => void changeStatus('FALSE_POSITIVE')} disabled={alert.status === 'FALSE_POSITIVE'}>
            False positive
          </button>
          <span className="snooze">
            <label>
              <span className="visually-hidden">Snooze for</span>
              <select aria-label="Snooze for" value={snoozeHours} onChange={(event) => setSnoozeHours(Number(event.target.value))}>
                {SNOOZE_HOURS.map((option) => (
                  <option key={option.hours} value={option.hours}>
                    {option.text}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => void changeStatus('SNOOZED')}>
              Snooze
            </button>
          </span>
        </div>
        <p role="status" className="message">
          {message}
        </p>
      </section>

      <section aria-labelledby="why-heading" className="card">
        <h2 id="why-heading">Why Vigil raised it</h2>
        {explanation ? (
          <>
            <p>
              {explanation.rationale ?? alert.rationale ?? 'No rationale recorded.'} <span className="hint">({label(explanation.analyzer)})</span>
            </p>
            {explanation.matchedTerm && <p>Matched: {explanation.matchedTerm}</p>}
            {explanation.signals.length > 0 && (
              <>
                <h3>Evidence</h3>
                <ul>
                  {explanation.signals.map((signal, index) => (
                    <li key={index}>
                      {signal.name} <span className="hint">({signal.weight > 0 ? '+' : ''}{signal.weight.toFixed(2)})</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {explanation.profileEntries.length > 0 && (
              <>
                <h3>Brand profile entries</h3>
                <ul>
                  {explanation.profileEntries.map((entry) => (
                    <li key={entry}>{entry}</li>
                  ))}
                </ul>
              </>
            )}
          </>
        ) : (
          <p>{alert.rationale ?? 'No explanation was kept for this alert.'}</p>
        )}
      </section>

      <section aria-labelledby="history-heading" className="card">
        <h2 id="history-heading">History</h2>
        <ol className="history">
          <li>
            {when(alert.firstSeenAt)} — raised
          </li>
          {alert.history.nodes.map((entry) => (
            <li key={entry.id}>
              {when(entry.createdAt)} — {entry.fromStatus ? `${label(entry.fromStatus)} → ` : ''}
              {label(entry.toStatus)} by {entry.actor?.name ?? (entry.isByApiKey ? 'an API key' : 'Vigil')}
              {entry.note ? `: ${entry.note}` : ''}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="notes-heading" className="card">
        <h2 id="notes-heading">Notes</h2>
        {alert.notes.nodes.length === 0 && <p>No notes yet.</p>}
        <ul>
          {alert.notes.nodes.map((note) => (
            <li key={note.id}>
              <span className="meta">
                {note.author?.name ?? 'API key'}, {when(note.createdAt)}:
              </span>{' '}
              {note.body}
            </li>
          ))}
        </ul>
        <form onSubmit={(event) => void submitNote(event)} className="inline-form">
          <label>
            New note
            <textarea name="note" rows={2} required />
          </label>
          <button type="submit">Add note</button>
        </form>
      </section>
    </article>
  );
}
