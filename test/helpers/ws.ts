import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  /** Every `data` received so far, in order. */
  received: T[];
  errors: unknown[];
  /** Resolves when at least `count` items have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  isComplete(): boolean;
  dispose(): void;
}

export interface LiveClient {
  client: Client;
  /** Close event of the socket, once it closed. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables?: V): Subscription<R>;
  dispose(): Promise<void>;
}

/** The real graphql-ws client over a real socket; no retries, so close codes reach the test. */
export function connectLive(httpUrl: string, credential: string | undefined, options: { lazy?: boolean } = {}): LiveClient {
  let resolveClosed: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: options.lazy ?? false,
    retryAttempts: 0,
    connectionParams: credential ? { authorization: `Bearer ${credential}` } : {},
    on: { closed: (event) => resolveClosed({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }) },
    onNonLazyError: () => {},
  });
  return {
    client,
    closed,
    subscribe<R, V>(document: TypedDocumentNode<R, V>, variables?: V): Subscription<R> {
      const received: R[] = [];
      const errors: unknown[] = [];
      const waiters: (() => void)[] = [];
      let isDone = false;
      const notify = () => waiters.splice(0).forEach((w) => w());
      const dispose = client.subscribe<R>(
        { query: print(document), variables: variables as Record<string, unknown> | undefined },
        {
          next: (value) => {
            if (value.errors) errors.push(...value.errors);
            if (value.data) received.push(value.data as R);
            notify();
          },
          error: (error) => {
            errors.push(error);
            isDone = true;
            notify();
          },
          complete: () => {
            isDone = true;
            notify();
          },
        },
      );
      return {
        received,
        errors,
        isComplete: () => isDone,
        dispose,
        waitFor(count, timeoutMs = 30_000) {
          return new Promise((resolve, reject) => {
            const deadline = setTimeout(
              () => reject(new Error(`waited ${timeoutMs} ms for ${count} items, got ${received.length}; errors: ${JSON.stringify(errors)}`)),
              timeoutMs,
            );
            const check = () => {
              if (received.length >= count) {
                clearTimeout(deadline);
                resolve(received);
              } else if (isDone) {
                clearTimeout(deadline);
                reject(new Error(`subscription ended after ${received.length} items; errors: ${JSON.stringify(errors)}`));
              } else {
                waiters.push(check);
              }
            };
            check();
          });
        },
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}
