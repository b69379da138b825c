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
 * per subscription), and keep-alive is left to `KeepAlive` (keep-alive.ts). Errors close the socket
 * with 1011, as there.
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
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              logger.error({ err: error }, 'failed to handle a WebSocket message');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request } as unknown as E,
    );
    socket.once('close', (code, reason) => void closed(code, String(reason)));
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function onSocketError(this: WebSocket): void {
  this.close(CloseCode.InternalServerError, 'Internal server error');
}
