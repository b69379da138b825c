import type { ChildProcess } from 'node:child_process';
import { ask, hasExited, spawnNode, stopChild } from '../live/processes.ts';
import type { FromSubscriberProcess, SubscriberGroup, SubscriberReport, ToSubscriberProcess } from './protocol.ts';

type Reply<T extends FromSubscriberProcess['type']> = Extract<FromSubscriberProcess, { type: T }>;
export type Progress = Omit<Reply<'progress'>, 'type'>;

/** Subscribers per client process: a graphql-ws client costs little, but events are parsed for each. */
const PER_PROCESS = 1_000;
const REPLY_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 300_000;

/** The subscriber side: client processes of subscriber-process.ts, so their event loops are not the benchmark's. */
export class SubscriberPool {
  private readonly processes: ChildProcess[];

  private constructor(processes: ChildProcess[]) {
    this.processes = processes;
  }

  static async start(subscribers: number): Promise<SubscriberPool> {
    const count = Math.max(1, Math.ceil(subscribers / PER_PROCESS));
    const processes = Array.from({ length: count }, () =>
      spawnNode(['bench/soak/subscriber-process.ts'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }),
    );
    const pool = new SubscriberPool(processes);
    try {
      await Promise.all(processes.map((child) => ask<FromSubscriberProcess, true>(child, undefined, (m) => (m.type === 'ready' ? true : undefined), 'subscriber process start', REPLY_TIMEOUT_MS)));
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

  private request<T extends FromSubscriberProcess['type']>(child: ChildProcess, message: ToSubscriberProcess, expected: T, timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply<T>> {
    return ask<FromSubscriberProcess, Reply<T>>(child, message, (m) => (m.type === expected ? (m as Reply<T>) : undefined), `subscriber process (${message.type})`, timeoutMs);
  }

  /**
   * Opens every subscriber, the organizations' shares dealt round-robin over the processes; fails
   * unless every one was acknowledged.
   */
  async connect(url: string, groups: SubscriberGroup[]): Promise<void> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
    const shares = this.processes.map(() => [] as SubscriberGroup[]);
    for (const group of groups) {
      shares.forEach((share, i) => {
        const count = Math.floor(group.count / this.size) + (i < group.count % this.size ? 1 : 0);
        if (count > 0) share.push({ ...group, count });
      });
    }
    const replies = await Promise.all(this.processes.map((child, i) => this.request(child, { type: 'connect', url: wsUrl, groups: shares[i]! }, 'connected', CONNECT_TIMEOUT_MS)));
    const failed = replies.reduce((sum, r) => sum + r.failed, 0);
    const total = groups.reduce((sum, g) => sum + g.count, 0);
    if (failed > 0) throw new Error(`${failed} of ${total} subscribers failed to connect: ${replies.find((r) => r.firstError)?.firstError}`);
  }

  async progress(): Promise<Progress> {
    const replies = await Promise.all(this.processes.map((child) => this.request(child, { type: 'progress' }, 'progress')));
    const sum = (key: keyof Progress) => replies.reduce((total, r) => total + r[key], 0);
    return { open: sum('open'), warmed: sum('warmed'), events: sum('events'), errors: sum('errors'), closed: sum('closed'), reconnects: sum('reconnects') };
  }

  async report(expected: Extract<ToSubscriberProcess, { type: 'report' }>['expected']): Promise<SubscriberReport> {
    const replies = await Promise.all(this.processes.map((child) => this.request(child, { type: 'report', expected }, 'report')));
    const closedByServer: Record<string, number> = {};
    for (const r of replies) for (const [code, n] of Object.entries(r.closedByServer)) closedByServer[code] = (closedByServer[code] ?? 0) + n;
    const latenciesMs = new Float64Array(replies.reduce((sum, r) => sum + r.latenciesMs.length, 0));
    let offset = 0;
    for (const r of replies) {
      latenciesMs.set(r.latenciesMs, offset);
      offset += r.latenciesMs.length;
    }
    const sum = (key: 'subscribers' | 'expectedPairs' | 'receivedPairs' | 'lost' | 'duplicates' | 'unexpected' | 'errors' | 'reconnects') =>
      replies.reduce((total, r) => total + r[key], 0);
    return {
      subscribers: sum('subscribers'),
      expectedPairs: sum('expectedPairs'),
      receivedPairs: sum('receivedPairs'),
      lost: sum('lost'),
      duplicates: sum('duplicates'),
      unexpected: sum('unexpected'),
      errors: sum('errors'),
      firstError: replies.find((r) => r.firstError)?.firstError,
      closedByServer,
      reconnects: sum('reconnects'),
      latenciesMs,
      lostSample: replies.flatMap((r) => r.lostSample).slice(0, 10),
    };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.processes.map((child) => this.request(child, { type: 'close' }, 'closed', 120_000)));
  }

  async stop(): Promise<void> {
    // Closing the IPC channel makes a subscriber process exit; SIGTERM/SIGKILL if it does not.
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
