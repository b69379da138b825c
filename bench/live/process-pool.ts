import type { ChildProcess } from 'node:child_process';
import { ask, hasExited, spawnNode, stopChild } from './processes.ts';

type Message = { type: string };
export type Reply<From extends Message, T extends From['type']> = Extract<From, { type: T }>;

const REPLY_TIMEOUT_MS = 60_000;

/**
 * Helper processes running one script (the live benchmark's client-process.ts, the soak's
 * subscriber-process.ts), so that their event loops are not the benchmark's. Driven over IPC with
 * `serialization: 'advanced'`, so typed arrays cross as they are; the child side is
 * helper-process.ts: `ready` once started, `failed` for a request that threw, exit when the
 * channel closes.
 */
export class ProcessPool<To extends Message, From extends Message> {
  private readonly processes: ChildProcess[];
  /** What a process is called in errors, e.g. "client process". */
  private readonly what: string;

  private constructor(processes: ChildProcess[], what: string) {
    this.processes = processes;
    this.what = what;
  }

  /** `count` processes of `script` (a path from the repository root), once every one is ready. */
  static async start<To extends Message, From extends Message>(script: string, count: number, what: string): Promise<ProcessPool<To, From>> {
    const processes = Array.from({ length: count }, () => spawnNode([script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }));
    const pool = new ProcessPool<To, From>(processes, what);
    try {
      await Promise.all(processes.map((child) => ask<From, true>(child, undefined, (m) => (m.type === 'ready' ? true : undefined), `${what} start`, REPLY_TIMEOUT_MS)));
      return pool;
    } catch (error) {
      await pool.stop();
      throw error;
    }
  }

  get size(): number {
    return this.processes.length;
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid!);
  }

  /**
   * Sends process `i` the message `messageFor(i)` and waits for every process's reply of type
   * `expected`; `what` names the request in errors (default: "<process> (<message type>)").
   */
  askEach<T extends From['type']>(messageFor: (index: number) => To, expected: T, options: { timeoutMs?: number; what?: string } = {}): Promise<Reply<From, T>[]> {
    return Promise.all(
      this.processes.map((child, i) => {
        const message = messageFor(i);
        return ask<From, Reply<From, T>>(
          child,
          message,
          (m) => (m.type === expected ? (m as Reply<From, T>) : undefined),
          options.what ?? `${this.what} (${message.type})`,
          options.timeoutMs ?? REPLY_TIMEOUT_MS,
        );
      }),
    );
  }

  /** Sends every process the same message and waits for each one's reply of type `expected`. */
  askAll<T extends From['type']>(message: To, expected: T, timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply<From, T>[]> {
    return this.askEach(() => message, expected, { timeoutMs });
  }

  async stop(): Promise<void> {
    // Closing the IPC channel is what makes a helper process exit; SIGTERM/SIGKILL if it does not.
    await Promise.all(
      this.processes.map(async (child) => {
        if (hasExited(child)) return;
        if (child.connected) child.disconnect();
        await Promise.race([new Promise((resolve) => child.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 5_000))]);
        await stopChild(child, 5_000);
      }),
    );
  }
}

/** `n` shared out over `parts`: part `i` gets the floor, the first `n mod parts` one more. */
export const shareOf = (n: number, parts: number, i: number) => Math.floor(n / parts) + (i < n % parts ? 1 : 0);

/** Counts by key (close codes) from every process, added up. */
export function addCounts(records: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const record of records) for (const [key, n] of Object.entries(record)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/** Every process's values (latencies) in one array, in process order. */
export function concatenate(arrays: Float64Array[]): Float64Array {
  const all = new Float64Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let offset = 0;
  for (const array of arrays) {
    all.set(array, offset);
    offset += array.length;
  }
  return all;
}
