/**
 * The live benchmark's baseline: a bare `ws` server, alone in its own process, that answers the
 * graphql-transport-ws handshake and then sends every subscribed socket the text it is told to
 * broadcast — the same bytes Vigil sent for an alert, serialized once. No authentication, no
 * database, no GraphQL execution, no keep-alive pings: what is left is the cost of the sockets.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FromBaselineServer, ToBaselineServer } from './protocol.ts';

const subscribed = new Set<WebSocket>();

function send(message: FromBaselineServer): void {
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  path: '/graphql',
  maxPayload: 1_048_576,
  handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
});

wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe') subscribed.add(socket);
    else if (message.type === 'ping') socket.send('{"type":"pong"}');
  });
  socket.once('close', () => subscribed.delete(socket));
  socket.on('error', () => socket.terminate());
});

wss.once('listening', () => {
  const { port } = wss.address() as AddressInfo;
  send({ type: 'listening', url: `http://127.0.0.1:${port}` });
});
wss.once('error', (error) => {
  send({ type: 'failed', error: error.stack ?? error.message });
  process.exit(1);
});

function stop(): void {
  for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5_000).unref();
}

process.on('message', (message: ToBaselineServer) => {
  if (message.type === 'broadcast') {
    for (const socket of subscribed) socket.send(message.text);
  } else if (message.type === 'stop') {
    stop();
  }
});
process.on('SIGTERM', stop);
process.on('SIGINT', () => {});
// The benchmark went away: do not outlive it.
process.on('disconnect', stop);
