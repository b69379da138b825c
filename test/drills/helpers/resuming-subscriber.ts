import { print } from 'graphql';
import { OnAlertCreatedDocument, type AlertSubscriptionFilter, type OnAlertCreatedSubscription } from '../../generated/graphql.ts';
import { connectLive, type LiveClient } from '../../helpers/ws.ts';

type AlertCreated = OnAlertCreatedSubscription['alertCreated'];

export interface ResumingSubscriber {
  /** Every alert received, across resumptions, in arrival order. */
  received: AlertCreated[];
  /** Each time the stream ended (error, completion, closed socket) and was opened again with `after:`. */
  resumptions: { reason: string; after: string | null }[];
  waitFor(count: number, timeoutMs: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * `alertCreated` as a careful client uses it: it keeps the last cursor, and when the stream ends
 * or the socket closes it subscribes again with `after:` that cursor, on a new socket if the old
 * one is gone. Drills assert on what it received and on whether it ever had to resume.
 */
export function subscribeResuming(httpUrl: string, token: string, filter?: AlertSubscriptionFilter): ResumingSubscriber {
  const received: AlertCreated[] = [];
  const resumptions: ResumingSubscriber['resumptions'] = [];
  const waiters: (() => void)[] = [];
  let cursor: string | null = null;
  let isDisposed = false;
  let live: LiveClient | undefined;
  let isSocketOpen = false;
  let unsubscribe = () => {};

  const openSocket = () => {
    const client = connectLive(httpUrl, token);
    live = client;
    isSocketOpen = true;
    void client.closed.then(() => {
      if (live === client) isSocketOpen = false;
    });
  };

  const subscribe = () => {
    if (isDisposed) return;
    if (!isSocketOpen) openSocket();
    let hasEnded = false;
    const end = (reason: string) => {
      if (hasEnded || isDisposed) return;
      hasEnded = true;
      unsubscribe();
      resumptions.push({ reason, after: cursor });
      // A client backs off a little before trying again.
      setTimeout(subscribe, 250);
    };
    unsubscribe = live!.client.subscribe<OnAlertCreatedSubscription>(
      { query: print(OnAlertCreatedDocument), variables: { filter, after: cursor } },
      {
        next: ({ data, errors }) => {
          // An event that could not be resolved is a gap: a careful client resumes from its last good cursor.
          if (errors?.length) return end(`errored event: ${errors.map((e) => `${e.message} at ${e.path?.join('.')}`).join('; ')}`);
          if (!data) return;
          cursor = data.alertCreated.cursor;
          received.push(data.alertCreated);
          waiters.splice(0).forEach((wake) => wake());
        },
        error: (error) => end(`ended: ${describe(error)}`),
        complete: () => end('completed'),
      },
    );
  };

  subscribe();
  return {
    received,
    resumptions,
    waitFor(count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} alerts, got ${received.length}`)), timeoutMs);
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    async dispose() {
      isDisposed = true;
      unsubscribe();
      await live?.dispose();
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message).join('; ');
  if (typeof error === 'object' && error !== null && 'code' in error) return `socket closed ${(error as { code: number }).code}`;
  return JSON.stringify(error);
}
