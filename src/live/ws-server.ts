import type http from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../lib/logger.ts';

/** What graphql-ws hands every hook as `ctx.extra`. */
export interface SocketExtra {
  readonly socket: WebSocket;
  /** The upgrade request; the app may let go of it once the connection is authenticated. */
  request?: http.IncomingMessage;
}

/**
 * graphql-ws's server on `ws` sockets: what `graphql-ws/use/ws`'s `useServer` does, made for many
 * idle connections. Its message listener is a plain function (the library's is an async function
 * that stays suspended for as long as a subscription started by the message runs, one more frame
 * per subscription); each connection is one small object with methods rather than a set of
 * closures; keep-alive is left to `KeepAlive` (keep-alive.ts). Errors close the socket with 1011,
 * as there.
 */
export function serveGraphqlWs<P extends Record<string, unknown> | undefined, E extends SocketExtra>(
  options: ServerOptions<P, E>,
  wss: WebSocketServer,
  logger: Logger,
): { dispose(): Promise<void> } {
  const server = makeServer<P, E>(options);
  wss.options.handleProtocols = handleProtocols;
  wss.once('error', (error) => {
    logger.error({ err: error }, 'the WebSocket server failed');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  wss.on('connection', (socket, request) => {
    socket.once('error', onSocketError);
    const transport = new SocketTransport(socket, logger);
    transports.set(socket, transport);
    transport.closed = server.opened(transport, { socket, request } as unknown as E);
    socket.once('close', onSocketClose);
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * What graphql-ws calls on a socket, as methods of one small object per connection rather than a
 * closure each; the socket's listeners are shared functions that find it through `transports`.
 */
class SocketTransport {
  readonly protocol: string;
  closed: ((code?: number, reason?: string) => Promise<void>) | undefined;
  handle: ((data: string) => Promise<void>) | undefined;
  private readonly socket: WebSocket;
  private readonly logger: Logger;

  constructor(socket: WebSocket, logger: Logger) {
    this.socket = socket;
    this.protocol = socket.protocol;
    this.logger = logger;
  }

  send(data: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== this.socket.OPEN) return resolve();
      this.socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.handle = handle;
    this.socket.on('message', onSocketMessage);
  }

  failed(error: unknown): void {
    this.logger.error({ err: error }, 'failed to handle a WebSocket message');
    this.socket.close(CloseCode.InternalServerError, 'Internal server error');
  }
}

const transports = new WeakMap<WebSocket, SocketTransport>();

function onSocketMessage(this: WebSocket, data: Buffer): void {
  const transport = transports.get(this);
  transport?.handle?.(String(data)).catch((error: unknown) => transport.failed(error));
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  void transports.get(this)?.closed?.(code, String(reason));
}

function onSocketError(this: WebSocket): void {
  this.close(CloseCode.InternalServerError, 'Internal server error');
}
