/**
 * One of the subscriber processes of the live benchmark: bare `ws` sockets speaking
 * graphql-transport-ws by hand (connection_init, one subscribe, pong), so that a client costs as
 * little as possible and the server measured is the bottleneck. Receipt times are taken the moment
 * a message arrives, before anything else is done with it. Driven over IPC (protocol.ts).
 */
import WebSocket from 'ws';
import { openConcurrently, sendToParent, serveParent } from './helper-process.ts';
import { MARKER_LENGTH, MARKER_PREFIX, nowUs, type FromClientProcess, type ToClientProcess } from './protocol.ts';

/** Handshakes in flight per process: enough to open thousands a second without flooding the listen backlog. */
const HANDSHAKES_IN_FLIGHT = 64;
const HANDSHAKE_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

interface Subscriber {
  socket: WebSocket;
  isSubscribed: boolean;
  isClosing: boolean;
  hasWarmUp: boolean;
  /** Receipt time (µs) of each burst alert; NaN until it arrives. */
  receivedAt: Float64Array;
  duplicates: number;
  /** When the server's last keep-alive ping frame arrived (µs), NaN before the first. */
  lastPingUs: number;
}

let subscribers: Subscriber[] = [];
let burstReceipts = 0;
let unexpectedMessages = 0;
let firstUnexpected: string | undefined;
let sample: string | undefined;
let closedByServer: Record<string, number> = {};
/** When each of those closes happened (µs), and how many burst alerts that socket had by then. */
let drops: { atUs: number; alertsReceived: number; lastPingUs: number }[] = [];

const send: (message: FromClientProcess) => void = sendToParent;

function onMessage(subscriber: Subscriber, data: WebSocket.RawData): void {
  const receivedUs = nowUs();
  const text = data.toString();
  const at = text.indexOf(MARKER_PREFIX);
  if (at !== -1 && text.includes('"type":"next"')) {
    const kind = text[at + MARKER_PREFIX.length];
    const index = Number(text.slice(at + MARKER_LENGTH - 4, at + MARKER_LENGTH));
    if (kind === 'w') {
      subscriber.hasWarmUp = true;
    } else if (kind === 'a' && index < subscriber.receivedAt.length) {
      if (Number.isNaN(subscriber.receivedAt[index]!)) {
        subscriber.receivedAt[index] = receivedUs;
        burstReceipts += 1;
        sample ??= text;
      } else {
        subscriber.duplicates += 1;
      }
    } else {
      unexpectedMessages += 1;
      firstUnexpected ??= text.slice(0, 500);
    }
    return;
  }
  const message = JSON.parse(text) as { type: string };
  if (message.type === 'ping') {
    subscriber.socket.send('{"type":"pong"}');
    return;
  }
  if (message.type === 'pong' || message.type === 'connection_ack') return;
  unexpectedMessages += 1;
  firstUnexpected ??= text.slice(0, 500);
}

function open(url: string, authorization: string, query: string, burstAlerts: number): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    const subscriber: Subscriber = {
      socket,
      isSubscribed: false,
      isClosing: false,
      hasWarmUp: false,
      receivedAt: new Float64Array(burstAlerts).fill(Number.NaN),
      duplicates: 0,
      lastPingUs: Number.NaN,
    };
    // ws answers ping frames itself; the time is kept to tell keep-alive drops apart.
    socket.on('ping', () => (subscriber.lastPingUs = nowUs()));
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no connection_ack within 30 s'));
    }, HANDSHAKE_TIMEOUT_MS);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', (code) => {
      clearTimeout(timer);
      if (!subscriber.isSubscribed) return reject(new Error(`closed with ${code} before connection_ack`));
      if (subscriber.isClosing) return;
      closedByServer[code] = (closedByServer[code] ?? 0) + 1;
      drops.push({ atUs: nowUs(), alertsReceived: subscriber.receivedAt.filter((at) => !Number.isNaN(at)).length, lastPingUs: subscriber.lastPingUs });
    });
    const onAck = (data: WebSocket.RawData) => {
      if (!data.toString().includes('"connection_ack"')) return;
      socket.off('message', onAck);
      socket.on('message', (raw) => onMessage(subscriber, raw));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      subscriber.isSubscribed = true;
      clearTimeout(timer);
      resolve(subscriber);
    };
    socket.on('message', onAck);
  });
}

async function connect(message: Extract<ToClientProcess, { type: 'connect' }>): Promise<void> {
  const { failed, firstError } = await openConcurrently(
    message.count,
    HANDSHAKES_IN_FLIGHT,
    () => open(message.url, message.authorization, message.query, message.burstAlerts),
    subscribers,
  );
  send({ type: 'connected', opened: subscribers.length, failed, firstError });
}

function report(publishedUs: Float64Array): void {
  const latencies: number[] = [];
  const lastReceiptMs = new Float64Array(publishedUs.length).fill(Number.NaN);
  let lost = 0;
  let duplicates = 0;
  for (const subscriber of subscribers) {
    duplicates += subscriber.duplicates;
    for (let i = 0; i < subscriber.receivedAt.length; i++) {
      const at = subscriber.receivedAt[i]!;
      if (Number.isNaN(at)) lost += 1;
      else {
        const latencyMs = (at - publishedUs[i]!) / 1000;
        latencies.push(latencyMs);
        if (!(latencyMs <= lastReceiptMs[i]!)) lastReceiptMs[i] = latencyMs;
      }
    }
  }
  send({
    type: 'report',
    latenciesMs: Float64Array.from(latencies),
    lastReceiptMs,
    lost,
    duplicates,
    unexpectedMessages,
    firstUnexpected,
    closedByServer,
    drops,
    sample,
  });
}

async function closeAll(): Promise<void> {
  const closing = subscribers.map(
    (subscriber) =>
      new Promise<void>((resolve) => {
        subscriber.isClosing = true;
        const { socket } = subscriber;
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => {
          socket.terminate();
          resolve();
        }, CLOSE_TIMEOUT_MS);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.close(1000, 'benchmark done');
      }),
  );
  await Promise.all(closing);
  subscribers = [];
  burstReceipts = 0;
  unexpectedMessages = 0;
  firstUnexpected = undefined;
  sample = undefined;
  closedByServer = {};
  drops = [];
  send({ type: 'closed' });
}

serveParent<ToClientProcess>(
  {
    connect,
    progress: () =>
      send({
        type: 'progress',
        open: subscribers.filter((s) => s.socket.readyState === WebSocket.OPEN).length,
        warmed: subscribers.filter((s) => s.hasWarmUp).length,
        burstReceipts,
      }),
    report: (message) => report(message.publishedUs),
    close: closeAll,
  },
  () => {
    for (const { socket } of subscribers) socket.terminate();
  },
);
