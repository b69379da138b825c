import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../services/viewer.ts';
import { ADMISSION_ONLY } from './groups.ts';

/** Counts what grouped execution saved, for /metrics. */
export interface SharedExecutionCounters {
  /** An event was executed for a group of subscribers. */
  onExecuted(): void;
  /** A subscriber received a result executed for another member of its group. */
  onShared(): void;
}

/**
 * Executes every subscription event with a context of its own, once per group of subscribers that
 * would get the same result, and hands that one result to the whole group.
 *
 * A fresh context per event: graphql-js executes all events of a subscription with the one context
 * made when it started, and the dataloaders Pothos keeps per context would then answer every later
 * event from that first cache (an `alertUpdated` for a new note would show the notes as they were
 * when the subscription began). A shallow copy per event gets fresh loaders while sharing
 * everything else (viewer, database, hub).
 *
 * Once per group: what a subscriber sees of an event depends only on the operation (document,
 * operation name, variables) and on whose eyes it is executed with — the organization (every loader
 * is scoped to it) and the role (the only viewer property authorization reads). Subscribers that
 * agree on all of these and are handed the same event object by the hub share one execution; the
 * live streams hand every subscriber of an event the same item (streams.ts). Replayed items are
 * read per subscriber and executed per subscriber.
 */
export function usePerEventContext(counters?: SharedExecutionCounters): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const executionArgs = args as ExecutionArgs;
        // A member joining a group: the plugins have admitted it; its stream is the group's.
        if ((executionArgs.contextValue as { [ADMISSION_ONLY]?: boolean })[ADMISSION_ONLY]) return emptyStream();
        const source = await createSourceEventStream(executionArgs);
        if (!isAsyncIterable(source)) return source;
        const group = groupKey(executionArgs);
        return mapEvents(source, (payload) => {
          const run = () => execute({ ...executionArgs, rootValue: payload, contextValue: { ...(executionArgs.contextValue as object) } });
          return shareExecution(payload, group, run, counters);
        });
      });
    },
  };
}

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 1;

/**
 * Subscribers with equal keys get equal results for the same event. Documents are told apart by
 * identity (yoga's parser cache hands out one DocumentNode per query text); a document parsed twice
 * only splits a group, which costs an execution, never a wrong answer.
 */
function groupKey(args: ExecutionArgs): string {
  let documentId = documentIds.get(args.document);
  if (documentId === undefined) documentIds.set(args.document, (documentId = nextDocumentId++));
  const viewer = (args.contextValue as { viewer?: Viewer | null } | undefined)?.viewer;
  return [documentId, args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), viewer?.organizationId ?? '', viewer?.role ?? ''].join('\u0000');
}

/** Per event item: the execution of each group, for as long as any subscriber still holds the item. */
const executions = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();

function shareExecution(
  payload: unknown,
  group: string,
  run: () => Promise<ExecutionResult> | ExecutionResult,
  counters: SharedExecutionCounters | undefined,
): Promise<ExecutionResult> | ExecutionResult {
  if (typeof payload !== 'object' || payload === null) return run();
  let byGroup = executions.get(payload);
  if (!byGroup) executions.set(payload, (byGroup = new Map()));
  const known = byGroup.get(group);
  if (known) {
    counters?.onShared();
    return known;
  }
  counters?.onExecuted();
  const result = run();
  byGroup.set(group, result);
  return result;
}

function emptyStream(): AsyncIterableIterator<ExecutionResult> {
  return {
    next: () => Promise.resolve({ value: undefined, done: true }),
    return: () => Promise.resolve({ value: undefined, done: true }),
    throw: (error: unknown) => Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
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
