/**
 * The console's two transports: urql over HTTP for queries and mutations, graphql-ws on the same
 * /graphql endpoint for live updates, both authenticated with the active credential.
 */
import { Client, fetchExchange, makeOperation, mapExchange } from 'urql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { documentPayload, isPersistedOnly, persistedExtensions } from './persisted.ts';
import { freshToken } from './session.ts';

export function createHttpClient(): Client {
  return new Client({
    url: '/graphql',
    // No document cache: live events and mutations change rows in place, so every read is fresh.
    exchanges: [
      // With an id in extensions.persistedQuery, urql leaves the text out of the request.
      ...(isPersistedOnly ? [mapExchange({ onOperation: (op) => makeOperation(op.kind, { ...op, extensions: { ...op.extensions, ...persistedExtensions(op.query) } }, op.context) })] : []),
      fetchExchange,
    ],
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetch: async (input, init) => {
      const token = await freshToken();
      const headers = new Headers(init?.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  });
}

export type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveConnection {
  ws: WsClient;
  state(): LiveState;
  onState(listener: (state: LiveState) => void): () => void;
  dispose(): void;
}

export function createLiveConnection(): LiveConnection {
  let state: LiveState = 'connecting';
  const listeners = new Set<(state: LiveState) => void>();
  const setState = (next: LiveState) => {
    state = next;
    for (const listener of listeners) listener(next);
  };
  const ws = createWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: async () => {
      const token = await freshToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    // No automatic retries: graphql-ws would resend each subscription as first sent, with its old
    // `after`. Each live subscription resubscribes itself with what it knows now (see `live`).
    retryAttempts: 0,
    lazyCloseTimeout: 1_000,
    on: {
      connecting: () => setState('connecting'),
      connected: () => setState('live'),
      closed: () => setState('offline'),
    },
  });
  return {
    ws,
    state: () => state,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => void ws.dispose(),
  };
}

/**
 * A subscription that survives dropped connections: after an error or an end it subscribes again
 * (backing off up to 5 s) with `variables()` as they are then — a cursor moved on, say.
 */
export function live<R, V>(connection: LiveConnection, document: TypedDocumentNode<R, V>, variables: () => V, onData: (data: R) => void): () => void {
  let isStopped = false;
  let attempt = 0;
  let unsubscribe: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const payload = documentPayload(document);
  const start = () => {
    if (isStopped) return;
    unsubscribe = connection.ws.subscribe<R>(
      { ...payload, variables: variables() as Record<string, unknown> },
      {
        next: (value) => {
          attempt = 0;
          if (value.data) onData(value.data as R);
        },
        error: () => retry(),
        complete: () => retry(),
      },
    );
  };
  const retry = () => {
    if (isStopped) return;
    attempt += 1;
    timer = setTimeout(start, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
  };
  start();
  return () => {
    isStopped = true;
    clearTimeout(timer);
    unsubscribe?.();
  };
}
