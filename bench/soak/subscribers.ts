import { addCounts, concatenate, ProcessPool, shareOf, type Reply } from '../live/process-pool.ts';
import type { FromSubscriberProcess, SubscriberGroup, SubscriberReport, ToSubscriberProcess } from './protocol.ts';

export type Progress = Omit<Reply<FromSubscriberProcess, 'progress'>, 'type'>;

/** Subscribers per client process: a graphql-ws client costs little, but events are parsed for each. */
const PER_PROCESS = 1_000;
const CONNECT_TIMEOUT_MS = 300_000;

/** The subscriber side: client processes of subscriber-process.ts, so their event loops are not the benchmark's. */
export class SubscriberPool {
  private readonly processes: ProcessPool<ToSubscriberProcess, FromSubscriberProcess>;

  private constructor(processes: ProcessPool<ToSubscriberProcess, FromSubscriberProcess>) {
    this.processes = processes;
  }

  static async start(subscribers: number): Promise<SubscriberPool> {
    const count = Math.max(1, Math.ceil(subscribers / PER_PROCESS));
    return new SubscriberPool(await ProcessPool.start<ToSubscriberProcess, FromSubscriberProcess>('bench/soak/subscriber-process.ts', count, 'subscriber process'));
  }

  get size(): number {
    return this.processes.size;
  }

  get pids(): number[] {
    return this.processes.pids;
  }

  /**
   * Opens every subscriber, the organizations' shares dealt round-robin over the processes; fails
   * unless every one was acknowledged.
   */
  async connect(url: string, groups: SubscriberGroup[]): Promise<void> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
    const shares = Array.from({ length: this.size }, () => [] as SubscriberGroup[]);
    for (const group of groups) {
      shares.forEach((share, i) => {
        const count = shareOf(group.count, this.size, i);
        if (count > 0) share.push({ ...group, count });
      });
    }
    const replies = await this.processes.askEach((i) => ({ type: 'connect', url: wsUrl, groups: shares[i]! }), 'connected', { timeoutMs: CONNECT_TIMEOUT_MS });
    const failed = replies.reduce((sum, r) => sum + r.failed, 0);
    const total = groups.reduce((sum, g) => sum + g.count, 0);
    if (failed > 0) throw new Error(`${failed} of ${total} subscribers failed to connect: ${replies.find((r) => r.firstError)?.firstError}`);
  }

  async progress(): Promise<Progress> {
    const replies = await this.processes.askAll({ type: 'progress' }, 'progress');
    const sum = (key: keyof Progress) => replies.reduce((total, r) => total + r[key], 0);
    return { open: sum('open'), warmed: sum('warmed'), events: sum('events'), errors: sum('errors'), closed: sum('closed'), reconnects: sum('reconnects') };
  }

  async report(expected: Extract<ToSubscriberProcess, { type: 'report' }>['expected']): Promise<SubscriberReport> {
    const replies = await this.processes.askAll({ type: 'report', expected }, 'report');
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
      closedByServer: addCounts(replies.map((r) => r.closedByServer)),
      reconnects: sum('reconnects'),
      latenciesMs: concatenate(replies.map((r) => r.latenciesMs)),
      lostSample: replies.flatMap((r) => r.lostSample).slice(0, 10),
    };
  }

  async closeAll(): Promise<void> {
    await this.processes.askAll({ type: 'close' }, 'closed', 120_000);
  }

  stop(): Promise<void> {
    return this.processes.stop();
  }
}
