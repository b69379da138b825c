/**
 * The soak's subscribers: one real graphql-ws client (`createClient`, over `ws`) per subscriber,
 * each with one `alertCreated` subscription, kept open for the whole run. Counts every event each
 * receives; never retries, so a dropped connection stays dropped and is reported. Driven over IPC.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openConcurrently, sendToParent, serveParent } from '../live/helper-process.ts';
import { nowUs, SUBSCRIPTION, WARM_UP_TITLE_PREFIX, type FromSubscriberProcess, type SubscriberReport, type ToSubscriberProcess } from './protocol.ts';

const CONNECTS_IN_FLIGHT = 32;
const CONNECT_TIMEOUT_MS = 30_000;

interface Subscriber {
  index: number;
  organizationIndex: number;
  client: Client;
  isOpen: boolean;
  connectedEvents: number;
  hasWarmUp: boolean;
  /** Alert id → first receipt time (µs) and how many times it came. */
  received: Map<string, { atUs: number; times: number }>;
}

const subscribers: Subscriber[] = [];
let isClosing = false;
let events = 0;
let errors = 0;
let firstError: string | undefined;
const closedByServer: Record<string, number> = {};

const send: (message: FromSubscriberProcess) => void = sendToParent;

function noteError(text: string): void {
  errors += 1;
  firstError ??= text.slice(0, 1_000);
}

function open(url: string, index: number, organizationIndex: number, authorization: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    let isSettled = false;
    const timer = setTimeout(() => settle(new Error(`no connection_ack within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    const settle = (error?: Error) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      if (error) {
        void client.dispose();
        reject(error);
      } else resolve(subscriber);
    };
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: (error) => {
        if (!isSettled) settle(new Error(`connection failed: ${describe(error)}`));
      },
      on: {
        connected: () => {
          subscriber.connectedEvents += 1;
          subscriber.isOpen = true;
          settle();
        },
        closed: (event) => {
          const wasOpen = subscriber.isOpen;
          subscriber.isOpen = false;
          if (!isSettled) return settle(new Error(`closed before connection_ack: ${describe(event)}`));
          if (isClosing || !wasOpen) return;
          const code = String((event as { code?: number }).code ?? 'unknown');
          closedByServer[code] = (closedByServer[code] ?? 0) + 1;
        },
      },
    });
    const subscriber: Subscriber = { index, organizationIndex, client, isOpen: false, connectedEvents: 0, hasWarmUp: false, received: new Map() };
    client.subscribe<{ alertCreated: { cursor: string; alert: { id: string; title: string } } }>(
      { query: SUBSCRIPTION, operationName: 'SoakAlertCreated' },
      {
        next: (result) => {
          const atUs = nowUs();
          events += 1;
          if (result.errors?.length) return noteError(`subscriber ${index}: ${JSON.stringify(result.errors)}`);
          const alert = result.data?.alertCreated.alert;
          if (!alert) return noteError(`subscriber ${index}: an event without an alert: ${JSON.stringify(result)}`);
          if (alert.title.startsWith(WARM_UP_TITLE_PREFIX)) {
            subscriber.hasWarmUp = true;
            return;
          }
          const seen = subscriber.received.get(alert.id);
          if (seen) seen.times += 1;
          else subscriber.received.set(alert.id, { atUs, times: 1 });
        },
        error: (error) => {
          if (!isClosing) noteError(`subscriber ${index}: subscription error: ${describe(error)}`);
        },
        complete: () => {
          if (!isClosing) noteError(`subscriber ${index}: the subscription completed while the run was going on`);
        },
      },
    );
  });
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (value && typeof value === 'object' && 'code' in value) {
    const event = value as { code: number; reason?: string };
    return `close ${event.code}${event.reason ? ` (${event.reason})` : ''}`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function connect(message: Extract<ToSubscriberProcess, { type: 'connect' }>): Promise<void> {
  const plan = message.groups.flatMap((group) => Array.from({ length: group.count }, () => group));
  const opening = await openConcurrently(
    plan.length,
    CONNECTS_IN_FLIGHT,
    (index) => open(message.url, index, plan[index]!.organizationIndex, plan[index]!.authorization),
    subscribers,
  );
  send({ type: 'connected', opened: subscribers.length, failed: opening.failed, firstError: opening.firstError });
}

function report(expected: Extract<ToSubscriberProcess, { type: 'report' }>['expected']): SubscriberReport {
  const byOrganization = new Map<number, { alertId: string; committedUs: number }[]>();
  const measuredIds = new Set<string>();
  for (const item of expected) {
    measuredIds.add(item.alertId);
    const list = byOrganization.get(item.organizationIndex) ?? [];
    list.push(item);
    byOrganization.set(item.organizationIndex, list);
  }
  const latencies: number[] = [];
  let expectedPairs = 0;
  let receivedPairs = 0;
  let lost = 0;
  let duplicates = 0;
  let unexpected = 0;
  const lostSample: string[] = [];
  for (const subscriber of subscribers) {
    const mine = byOrganization.get(subscriber.organizationIndex) ?? [];
    const mineIds = new Set(mine.map((m) => m.alertId));
    for (const { alertId, committedUs } of mine) {
      expectedPairs += 1;
      const seen = subscriber.received.get(alertId);
      if (!seen) {
        lost += 1;
        if (lostSample.length < 10) lostSample.push(`${subscriber.index}/${alertId}`);
        continue;
      }
      receivedPairs += 1;
      duplicates += seen.times - 1;
      latencies.push((seen.atUs - committedUs) / 1000);
    }
    for (const [alertId, seen] of subscriber.received) {
      if (!mineIds.has(alertId)) unexpected += seen.times;
    }
  }
  const reconnects = subscribers.reduce((sum, s) => sum + Math.max(0, s.connectedEvents - 1), 0);
  return {
    subscribers: subscribers.length,
    expectedPairs,
    receivedPairs,
    lost,
    duplicates,
    unexpected,
    errors,
    firstError,
    closedByServer,
    reconnects,
    latenciesMs: Float64Array.from(latencies),
    lostSample,
  };
}

async function closeAll(): Promise<void> {
  isClosing = true;
  await Promise.all(subscribers.map((s) => Promise.resolve(s.client.dispose())));
  send({ type: 'closed' });
}

serveParent<ToSubscriberProcess>(
  {
    connect,
    progress: () =>
      send({
        type: 'progress',
        open: subscribers.filter((s) => s.isOpen).length,
        warmed: subscribers.filter((s) => s.hasWarmUp).length,
        events,
        errors,
        closed: Object.values(closedByServer).reduce((sum, n) => sum + n, 0),
        reconnects: subscribers.reduce((sum, s) => sum + Math.max(0, s.connectedEvents - 1), 0),
      }),
    report: (message) => send({ type: 'report', ...report(message.expected) }),
    close: closeAll,
  },
  () => {
    isClosing = true;
    for (const s of subscribers) void s.client.terminate();
  },
);
