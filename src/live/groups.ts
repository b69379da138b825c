import { getOperationAST, Kind, type ExecutionArgs, type ExecutionResult, type FieldNode } from 'graphql';
import type { WebSocket } from 'ws';
import type { LiveContext } from '../graphql/context.ts';
import type { Viewer } from '../services/viewer.ts';
import type { FrameCounters } from './frames.ts';

/** Marks a context whose subscribe only asks the plugins (rate limit, logs) to admit one more member. */
export const ADMISSION_ONLY = Symbol('vigil.live.admissionOnly');

type Subscribe = (args: ExecutionArgs) => Promise<unknown>;

/**
 * Live subscriptions that would receive exactly the same stream share it: one source stream, one
 * execution and one serialized payload per event for the whole group, and per member only what a
 * socket needs — its subscription id and a count of frames not yet written.
 *
 * Shared: `alertCreated` without `after`, and `alertUpdated`, with the same document, operation
 * name, variables, organization and role. Such a stream depends on nothing else: it carries the
 * organization's events from the moment of subscribing, and every member sees them through the
 * same eyes. A subscription that replays (`after`) or starts from a snapshot (`scanProgress`) has a
 * beginning of its own and is served alone.
 *
 * Every member is still admitted through yoga's plugins (rate limits are charged, operations
 * logged) by a subscribe that stops before building a stream of its own.
 */
export class LiveGroups {
  private readonly groups = new Map<string, LiveGroup>();
  private readonly capacity: number;
  private readonly counters: FrameCounters | undefined;

  constructor(options: { capacity: number; counters?: FrameCounters }) {
    this.capacity = options.capacity;
    this.counters = options.counters;
  }

  /** Members of every group: each a live subscription of its own to a client. */
  get memberCount(): number {
    let count = 0;
    for (const group of this.groups.values()) count += group.members.size;
    return count;
  }

  /**
   * Subscribes one graphql-ws subscription: into its group when it has one, else undefined (the
   * caller serves it alone). Resolves with what graphql-ws should treat as the operation's result.
   */
  async subscribe(args: ExecutionArgs, subscribe: Subscribe, socket: WebSocket, id: string): Promise<unknown> {
    const key = groupKey(args);
    if (key === undefined) return undefined;
    const context = args.contextValue as { live: LiveContext };
    const onSlowConsumer = context.live.onSlowConsumer;
    return this.join(key, args, subscribe, (group) => new LiveMember(group, socket, id, this.capacity, onSlowConsumer));
  }

  private async join(key: string, args: ExecutionArgs, subscribe: Subscribe, makeMember: (group: LiveGroup) => LiveMember): Promise<unknown> {
    for (;;) {
      const existing = this.groups.get(key);
      if (existing) {
        // The plugins decide on this member as on any subscription; the stream it would have built is not needed.
        const admission = await subscribe({ ...args, contextValue: { ...(args.contextValue as object), [ADMISSION_ONLY]: true } });
        if (!isAsyncIterable(admission)) return admission;
        await admission[Symbol.asyncIterator]().return?.();
        // The group's first subscriber was refused (its own rate limit, say) or failed, or the group
        // ended meanwhile: this one starts a group of its own and gets its own answer.
        const refusal = await existing.started.catch(() => undefined);
        if (refusal || existing.isClosed) continue;
        // graphql-ws keeps these arguments for as long as the subscription lasts, but a member that
        // joined never executes anything: its context (viewer, logger, loaders) ends with admission.
        // (The member that started the group keeps its own: the group's stream executes with it.)
        const held = args as { contextValue?: unknown; rootValue?: unknown; variableValues?: unknown };
        held.contextValue = undefined;
        held.rootValue = undefined;
        held.variableValues = undefined;
        return existing.admit(makeMember(existing));
      }
      const group = new LiveGroup(this.counters, () => {
        if (this.groups.get(key) === group) this.groups.delete(key);
      });
      this.groups.set(key, group);
      const context = args.contextValue as { live: LiveContext };
      // The stream feeding the group counts none of its members; a group that falls behind the hub
      // cuts every member off, as each would have been cut off alone.
      context.live = { ...context.live, isGroupUpstream: true, onSlowConsumer: () => group.cutOffSlow() };
      group.start(subscribe(args));
      const refusal = await group.started;
      if (refusal) return refusal;
      return group.admit(makeMember(group));
    }
  }
}

class LiveGroup {
  readonly members = new Set<LiveMember>();
  isClosed = false;
  /** Resolves once the shared stream runs (undefined) or with the result refusing it. */
  started: Promise<ExecutionResult | undefined> = Promise.resolve(undefined);
  private upstream: AsyncIterator<ExecutionResult> | undefined;
  private readonly counters: FrameCounters | undefined;
  private readonly onClosed: () => void;

  constructor(counters: FrameCounters | undefined, onClosed: () => void) {
    this.counters = counters;
    this.onClosed = onClosed;
  }

  start(subscribing: Promise<unknown>): void {
    this.started = subscribing.then(
      (result) => {
        if (!isAsyncIterable(result)) {
          this.close();
          return result as ExecutionResult;
        }
        this.upstream = result[Symbol.asyncIterator]();
        void this.pump();
        return undefined;
      },
      (error: unknown) => {
        this.close();
        throw error;
      },
    );
  }

  admit(member: LiveMember): LiveMember {
    this.members.add(member);
    return member;
  }

  leave(member: LiveMember): void {
    this.members.delete(member);
    if (this.members.size === 0) this.close();
  }

  cutOffSlow(): void {
    for (const member of [...this.members]) member.cutOffSlow();
  }

  /** Serializes each result once and hands it to every member, until the stream ends. */
  private async pump(): Promise<void> {
    let failure: unknown;
    try {
      while (!this.isClosed) {
        const step = await this.upstream!.next();
        if (step.done) break;
        const payload = JSON.stringify(step.value);
        if (this.members.size > 0) {
          this.counters?.onSerialized();
          if (this.members.size > 1) this.counters?.onReused(this.members.size - 1);
        }
        for (const member of this.members) member.send(payload);
      }
    } catch (error) {
      failure = error;
    }
    const members = [...this.members];
    this.close();
    for (const member of members) member.finish(failure);
  }

  private close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClosed();
    void this.upstream?.return?.();
  }
}

/**
 * One client's subscription within a group, handed to graphql-ws as the operation's stream. It
 * yields nothing: frames are written to the socket as the group produces them, and the stream
 * ends (graphql-ws then sends `complete`) or fails (`error`) when the group's does.
 */
class LiveMember implements AsyncIterableIterator<ExecutionResult> {
  private readonly group: LiveGroup;
  private readonly socket: WebSocket;
  /** `{"id":…,"type":"next","payload":` for this subscription. */
  private readonly prefix: string;
  private readonly capacity: number;
  private readonly onSlowConsumer: (() => void) | undefined;
  /**
   * The client's backlog, counted without a callback per frame (each costs the write a tick of its
   * own): every `stride`-th frame carries one, and as writes complete in order, its call means
   * `stride` more frames are out. `sent - written` then overstates the backlog by less than
   * `stride`, so the cut-off allows for that: a member is cut off only once more than `capacity`
   * frames really wait.
   */
  private sent = 0;
  private written = 0;
  private readonly stride: number;
  private resolveNext: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  private rejectNext: ((error: unknown) => void) | undefined;
  private outcome: { failure: unknown } | undefined;
  private readonly onWritten = () => {
    this.written += this.stride;
  };

  constructor(group: LiveGroup, socket: WebSocket, id: string, capacity: number, onSlowConsumer: (() => void) | undefined) {
    this.group = group;
    this.socket = socket;
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    this.capacity = capacity;
    this.stride = Math.max(1, Math.floor(capacity / 8));
    this.onSlowConsumer = onSlowConsumer;
  }

  send(payload: string): void {
    if (this.outcome || this.socket.readyState !== this.socket.OPEN) return;
    // As many frames waiting as a subscription may queue events: too far behind, cut off (4413).
    if (this.sent - this.written >= this.capacity + this.stride - 1) {
      this.cutOffSlow();
      return;
    }
    this.sent += 1;
    this.socket.send(`${this.prefix}${payload}}`, this.sent % this.stride === 0 ? this.onWritten : undefined);
  }

  cutOffSlow(): void {
    this.onSlowConsumer?.();
    this.finish(new Error(`More than ${this.capacity} events waited for this subscriber; resume with the last cursor you received`));
  }

  /** Ends the stream: normally, or with the group's failure. */
  finish(failure?: unknown): void {
    if (this.outcome) return;
    this.outcome = { failure };
    this.group.leave(this);
    const resolve = this.resolveNext;
    const reject = this.rejectNext;
    this.resolveNext = this.rejectNext = undefined;
    if (!resolve || !reject) return;
    if (failure === undefined) resolve({ value: undefined, done: true });
    else reject(failure);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.outcome) {
      const { failure } = this.outcome;
      this.outcome = { failure: undefined };
      return failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.resolveNext = resolve;
      this.rejectNext = reject;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Subscriptions shared by a group have this key; others (replays, snapshots) have none. */
function groupKey(args: ExecutionArgs): string | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  if (operation?.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return undefined;
  const field = operation.selectionSet.selections[0]!;
  if (field.kind !== Kind.FIELD || field.directives?.length) return undefined;
  if (field.name.value !== 'alertUpdated' && !(field.name.value === 'alertCreated' && isNullArgument(field, 'after', args))) return undefined;
  const viewer = (args.contextValue as { viewer?: Viewer | null }).viewer;
  if (!viewer) return undefined;
  return [documentId(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), viewer.organizationId, viewer.role].join('\u0000');
}

function isNullArgument(field: FieldNode, name: string, args: ExecutionArgs): boolean {
  const argument = field.arguments?.find((a) => a.name.value === name);
  if (!argument || argument.value.kind === Kind.NULL) return true;
  if (argument.value.kind !== Kind.VARIABLE) return false;
  const variable = argument.value.name.value;
  const given = args.variableValues?.[variable];
  if (given !== undefined) return given === null;
  const operation = getOperationAST(args.document, args.operationName);
  const definition = operation?.variableDefinitions?.find((d) => d.variable.name.value === variable);
  return !definition?.defaultValue || definition.defaultValue.kind === Kind.NULL;
}

const documentIds = new WeakMap<object, number>();
let nextDocumentId = 1;
function documentId(document: object): number {
  let id = documentIds.get(document);
  if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
  return id;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}
