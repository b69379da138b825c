/**
 * A small typed client: prints new alerts as they are committed, and resumes after a dropped
 * connection from the last cursor it saw, so nothing is missed or shown twice.
 *
 *   VIGIL_URL=http://127.0.0.1:4000 VIGIL_TOKEN=vgl_… npm run watch -- --min-severity=HIGH
 *
 * Status lines go to stderr, alerts to stdout, so `npm run -s watch > alerts.txt` keeps only alerts.
 *
 * With `--persisted` it sends the document's id instead of its text, for a server that runs
 * persisted operations only (its manifest comes from `npm run persisted:manifest`).
 *
 * The document and its result type come from `npm run codegen` (src/client/generated/graphql.ts).
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { persistedOperationId } from '../http/persisted-operations.ts';
import { WatchAlertsDocument, type Severity, type WatchAlertsSubscription } from './generated/graphql.ts';

const url = (process.env.VIGIL_URL ?? 'http://127.0.0.1:4000').replace(/^http/, 'ws') + '/graphql';
const token = process.env.VIGIL_TOKEN;
if (!token) {
  console.error('Set VIGIL_TOKEN to an access token or API key (npm start prints a demo key).');
  process.exit(1);
}
const minSeverity = process.argv.find((arg) => arg.startsWith('--min-severity='))?.split('=')[1] as Severity | undefined;
const document = print(WatchAlertsDocument);
// graphql-ws requires a query string: empty, with the id in the extensions, for a persisted operation.
const operation = process.argv.includes('--persisted')
  ? { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: persistedOperationId(document) } } }
  : { query: document };

let cursor: string | undefined;
let isWaitingAnnounced = false;
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  // No automatic retries: graphql-ws would resend the subscription as first sent, with its old
  // `after`. This client resubscribes itself, with the cursor it has now.
  retryAttempts: 0,
  on: {
    // Said once, so a quiet terminal reads as "waiting", not "stuck".
    connected: () => {
      if (isWaitingAnnounced) return;
      isWaitingAnnounced = true;
      const filter = minSeverity ? ` at least ${minSeverity}` : '';
      console.error(`Connected. Waiting for new alerts${filter}; each is printed as it is raised (Ctrl+C to stop).`);
    },
  },
});
console.error(`Connecting to ${url} (set VIGIL_URL to change) ...`);

/** Close codes that no retry will fix: refused or expired credentials. */
const FATAL_CLOSE_CODES = new Set([4401, 4403]);

function subscribe(): void {
  client.subscribe<WatchAlertsSubscription>(
    { ...operation, variables: { filter: minSeverity ? { minSeverity } : null, after: cursor ?? null } },
    {
      next: ({ data, errors }) => {
        if (errors) console.error(errors);
        if (!data) return;
        const { alert } = data.alertCreated;
        cursor = data.alertCreated.cursor;
        console.log(`${alert.createdAt}  ${alert.severity.padEnd(8)} ${alert.category.padEnd(14)} ${alert.monitor.name}: ${alert.title}  ${alert.url ?? ''}`);
      },
      // Resubscribing with the last cursor replays whatever was committed in between.
      error: (error) => {
        const code = (error as { code?: number }).code;
        if (code !== undefined && FATAL_CLOSE_CODES.has(code)) {
          console.error(`The server refused the credentials (${code}); set VIGIL_TOKEN to a valid access token or API key.`);
          process.exit(1);
        }
        // A socket that never opened (Vigil not running, wrong VIGIL_URL) fails with a bare event.
        const reason = error instanceof Error ? error.message : code !== undefined ? `closed with ${code}` : `cannot reach ${url}`;
        console.error(`Subscription ended (${reason}); retrying in 1 s.`);
        setTimeout(subscribe, 1_000);
      },
      complete: () => setTimeout(subscribe, 1_000),
    },
  );
}

subscribe();
process.on('SIGINT', () => void Promise.resolve(client.dispose()).then(() => process.exit(0)));
