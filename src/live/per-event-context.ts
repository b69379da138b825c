import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Executes every subscription event with a context of its own. graphql-js executes all events of a
 * subscription with the one context made when it started, and the dataloaders Pothos keeps per
 * context would then answer every later event from that first cache: an `alertUpdated` for a new
 * note would show the notes as they were when the subscription began. A shallow copy per event gets
 * fresh loaders while sharing everything else (viewer, database, hub).
 */
export function usePerEventContext(): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const executionArgs = args as ExecutionArgs;
        const source = await createSourceEventStream(executionArgs);
        if (!isAsyncIterable(source)) return source;
        return mapEvents(source, (payload) =>
          execute({ ...executionArgs, rootValue: payload, contextValue: { ...(executionArgs.contextValue as object) } }),
        );
      });
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Maps a stream without an async generator: a generator waiting for the next event cannot be
 * returned until that event arrives, which would keep a finished subscription registered.
 */
function mapEvents(
  source: AsyncIterable<unknown>,
  map: (payload: unknown) => ExecutionResult | Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    await iterator.return?.();
    return { value: undefined, done: true } as const;
  };
  // A stream never moves on past an event it could not deliver (say, the database was down while
  // loading it): the failed event goes out with its errors, then the stream completes, and the
  // client resubscribes from its last good position (`after:`) instead of silently missing it.
  let hasFailed = false;
  return {
    async next() {
      if (hasFailed) return close();
      const result = await iterator.next();
      if (result.done) return { value: undefined, done: true };
      try {
        const value = await map(result.value);
        if (value.errors?.length) hasFailed = true;
        return { value, done: false };
      } catch (error) {
        await close().catch(() => {});
        throw error;
      }
    },
    return: close,
    async throw(error: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
