import { addCounts, concatenate, ProcessPool, shareOf } from './process-pool.ts';
import type { FromClientProcess, ToClientProcess } from './protocol.ts';

export interface Progress {
  open: number;
  warmed: number;
  burstReceipts: number;
}

export interface BurstReport {
  latenciesMs: Float64Array;
  /** Per burst alert, when its last receipt happened (ms after it was published). */
  lastReceiptMs: Float64Array;
  lost: number;
  duplicates: number;
  unexpectedMessages: number;
  firstUnexpected?: string;
  closedByServer: Record<string, number>;
  drops: { atUs: number; alertsReceived: number; lastPingUs: number }[];
  sample?: string;
}

const CONNECT_TIMEOUT_MS = 600_000;

/**
 * The subscriber side: a few processes of client-process.ts sharing the sockets, so that neither
 * the server measured nor the benchmark's own bookkeeping shares an event loop with them.
 */
export class ClientPool {
  private readonly processes: ProcessPool<ToClientProcess, FromClientProcess>;

  private constructor(processes: ProcessPool<ToClientProcess, FromClientProcess>) {
    this.processes = processes;
  }

  static async start(count: number): Promise<ClientPool> {
    return new ClientPool(await ProcessPool.start<ToClientProcess, FromClientProcess>('bench/live/client-process.ts', count, 'client process'));
  }

  get size(): number {
    return this.processes.size;
  }

  /** Opens `total` subscribed sockets, shared evenly; fails unless every one got its connection_ack. */
  async connect(options: { url: string; total: number; authorization: string; query: string; burstAlerts: number }): Promise<void> {
    const wsUrl = `${options.url.replace(/^http/, 'ws')}/graphql`;
    const replies = await this.processes.askEach(
      (i) => ({ type: 'connect', url: wsUrl, count: shareOf(options.total, this.size, i), authorization: options.authorization, query: options.query, burstAlerts: options.burstAlerts }),
      'connected',
      { timeoutMs: CONNECT_TIMEOUT_MS, what: 'connecting subscribers' },
    );
    const failed = replies.reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) throw new Error(`${failed} of ${options.total} sockets failed to connect: ${replies.find((r) => r.firstError)?.firstError}`);
  }

  async progress(): Promise<Progress> {
    const replies = await this.processes.askAll({ type: 'progress' }, 'progress');
    return {
      open: replies.reduce((sum, r) => sum + r.open, 0),
      warmed: replies.reduce((sum, r) => sum + r.warmed, 0),
      burstReceipts: replies.reduce((sum, r) => sum + r.burstReceipts, 0),
    };
  }

  async report(publishedUs: Float64Array): Promise<BurstReport> {
    const replies = await this.processes.askAll({ type: 'report', publishedUs }, 'report');
    const lastReceiptMs = new Float64Array(publishedUs.length).fill(Number.NaN);
    for (const reply of replies) {
      reply.lastReceiptMs.forEach((ms, i) => {
        if (!(ms <= lastReceiptMs[i]!)) lastReceiptMs[i] = Number.isNaN(ms) ? lastReceiptMs[i]! : ms;
      });
    }
    return {
      latenciesMs: concatenate(replies.map((r) => r.latenciesMs)),
      lastReceiptMs,
      lost: replies.reduce((sum, r) => sum + r.lost, 0),
      duplicates: replies.reduce((sum, r) => sum + r.duplicates, 0),
      unexpectedMessages: replies.reduce((sum, r) => sum + r.unexpectedMessages, 0),
      firstUnexpected: replies.find((r) => r.firstUnexpected)?.firstUnexpected,
      closedByServer: addCounts(replies.map((r) => r.closedByServer)),
      drops: replies.flatMap((r) => r.drops),
      sample: replies.find((r) => r.sample)?.sample,
    };
  }

  async closeAll(): Promise<void> {
    await this.processes.askAll({ type: 'close' }, 'closed', 120_000);
  }

  stop(): Promise<void> {
    return this.processes.stop();
  }
}
