import type { ExecutionResult } from 'graphql';
import type { Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import { outcomeCounter } from '../http/metrics.ts';
import type { SharedExecutionCounters } from './per-event-context.ts';

/** The JSON of each result, made by the first subscriber that sends it and kept while the result lives. */
const payloads = new WeakMap<ExecutionResult, string>();

export interface FrameCounters {
  /** A result was serialized into a `next` payload. */
  onSerialized(): void;
  /** `count` subscribers sent a payload serialized for another subscriber of their group. */
  onReused(count: number): void;
}

/**
 * What graphql-ws would send for each result of a subscription, but with the payload serialized
 * once for every subscriber that receives the same result object (per-event-context.ts hands one
 * result to a whole group): each socket gets `{"id":…,"type":"next","payload":…}` built from the
 * shared JSON and its own subscription id. The iterator returned yields nothing for those — it has
 * sent them — and passes through, for graphql-ws to send as it always does, results with errors.
 *
 * Each frame is awaited until `ws` has written it, as graphql-ws does: a client that stops reading
 * holds its stream here, its queue fills, and it is cut off as a slow consumer (4413).
 */
export function sendResultsAsFrames(
  results: AsyncIterable<ExecutionResult>,
  socket: WebSocket,
  id: string,
  counters?: FrameCounters,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = results[Symbol.asyncIterator]();
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const send = (frame: string) =>
    new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(frame, (error) => (error ? reject(error) : resolve()));
    });
  return {
    async next() {
      for (;;) {
        const step = await iterator.next();
        if (step.done || step.value.errors?.length) return step;
        let payload = payloads.get(step.value);
        if (payload === undefined) {
          payloads.set(step.value, (payload = JSON.stringify(step.value)));
          counters?.onSerialized();
        } else {
          counters?.onReused(1);
        }
        await send(`${prefix}${payload}}`);
      }
    },
    async return() {
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Counters for /metrics: how often live results were executed and serialized, and how often shared. */
export function liveSharingMetrics(registry: Registry): { executions: SharedExecutionCounters; frames: FrameCounters } {
  const executions = outcomeCounter(
    registry,
    'vigil_live_executions_total',
    'Subscription events executed, by whether the result was computed (executed) or taken from another subscriber of the same group (shared)',
  );
  const frames = outcomeCounter(
    registry,
    'vigil_live_payloads_total',
    'Subscription `next` payloads sent, by whether they were serialized or reused from another subscriber of the same group',
  );
  const executed = executions.labels('executed');
  const shared = executions.labels('shared');
  const serialized = frames.labels('serialized');
  const reused = frames.labels('reused');
  return {
    executions: { onExecuted: () => executed.inc(), onShared: () => shared.inc() },
    frames: { onSerialized: () => serialized.inc(), onReused: (count) => reused.inc(count) },
  };
}
