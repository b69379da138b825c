/** Thrown out of a subscription whose client fell too far behind. */
export class SlowConsumerError extends Error {
  constructor(capacity: number) {
    super(`More than ${capacity} events waited for this subscriber; resume with the last cursor you received`);
    this.name = 'SlowConsumerError';
  }
}

/**
 * An async iterable fed by pushes, with a hard cap on what may wait: a client that cannot keep up
 * is cut off (and may resume by cursor) rather than growing the server's memory without bound.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private roomWaiters: { count: number; resolve: () => void }[] = [];
  private failure: Error | undefined;
  private isDone = false;
  private isEnding = false;
  private readonly capacity: number;
  private readonly onClose: () => void;

  constructor(capacity: number, onClose: () => void) {
    this.capacity = capacity;
    this.onClose = onClose;
  }

  push(item: T): void {
    if (this.isDone || this.isEnding) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      this.fail(new SlowConsumerError(this.capacity));
      return;
    }
    this.items.push(item);
  }

  /** Ends the stream once what is already queued has been read. */
  end(): void {
    this.isEnding = true;
    if (this.items.length === 0) this.finish();
  }

  fail(error: Error): void {
    if (this.isDone) return;
    this.failure = error;
    this.items.length = 0;
    this.finish();
  }

  get size(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.isDone;
  }

  /**
   * Resolves once `count` more items can be pushed without filling the queue, once it is empty, or
   * once it closed: producers with a backlog of their own (a replay) wait here instead of overflowing it.
   */
  waitForRoom(count: number): Promise<void> {
    if (this.hasRoomFor(count)) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ count, resolve }));
  }

  private hasRoomFor(count: number): boolean {
    return this.isDone || this.items.length === 0 || this.items.length + count < this.capacity;
  }

  private releaseRoomWaiters(): void {
    if (this.roomWaiters.length === 0) return;
    const ready = this.roomWaiters.filter((w) => this.hasRoomFor(w.count));
    if (ready.length === 0) return;
    this.roomWaiters = this.roomWaiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift()!;
      if (this.isEnding && this.items.length === 0) this.finish();
      this.releaseRoomWaiters();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.isDone) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.failure = undefined;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.isDone) return;
    this.isDone = true;
    this.onClose();
    this.releaseRoomWaiters();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      if (this.failure) {
        const failure = this.failure;
        this.failure = undefined;
        // Deliver the failure to the pending next() call.
        (resolve as unknown as (r: Promise<never>) => void)(Promise.reject(failure));
      } else {
        resolve({ value: undefined, done: true });
      }
    }
  }
}
