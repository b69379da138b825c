import type { ChildProcess } from 'node:child_process';
import { ask, hasExited, spawnNode, stopChild } from './processes.ts';
import type { FromClientProcess, ToClientProcess } from './protocol.ts';

type Reply<T extends FromClientProcess['type']> = Extract<FromClientProcess, { type: T }>;

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
const REPLY_TIMEOUT_MS = 60_000;

/**
 * The subscriber side: a few processes of client-process.ts sharing the sockets, so that neither
 * the server measured nor the benchmark's own bookkeeping shares an event loop with them.
 */
export class ClientPool {
  private readonly processes: ChildProcess[];

  private constructor(processes: ChildProcess[]) {
    this.processes = processes;
  }

  static async start(count: number): Promise<ClientPool> {
    const processes = Array.from({ length: count }, () =>
      spawnNode(['bench/live/client-process.ts'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }),
    );
    const pool = new ClientPool(processes);
    try {
      await Promise.all(processes.map((child) => ask<FromClientProcess, true>(child, undefined, (m) => (m.type === 'ready' ? true : undefined), 'client process start', REPLY_TIMEOUT_MS)));
      return pool;
    } catch (error) {
      await pool.stop();
      throw error;
    }
  }

  get size(): number {
    return this.processes.length;
  }

  private request<T extends FromClientProcess['type']>(message: ToClientProcess, expected: T, timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply<T>[]> {
    return Promise.all(
      this.processes.map((child) =>
        ask<FromClientProcess, Reply<T>>(child, message, (m) => (m.type === expected ? (m as Reply<T>) : undefined), `client process (${message.type})`, timeoutMs),
      ),
    );
  }

  /** Opens `total` subscribed sockets, shared evenly; fails unless every one got its connection_ack. */
  async connect(options: { url: string; total: number; authorization: string; query: string; burstAlerts: number }): Promise<void> {
    const wsUrl = `${options.url.replace(/^http/, 'ws')}/graphql`;
    const replies = await Promise.all(
      this.processes.map((child, i) => {
        const count = Math.floor(options.total / this.size) + (i < options.total % this.size ? 1 : 0);
        const message: ToClientProcess = { type: 'connect', url: wsUrl, count, authorization: options.authorization, query: options.query, burstAlerts: options.burstAlerts };
        return ask<FromClientProcess, Reply<'connected'>>(child, message, (m) => (m.type === 'connected' ? m : undefined), 'connecting subscribers', CONNECT_TIMEOUT_MS);
      }),
    );
    const failed = replies.reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) throw new Error(`${failed} of ${options.total} sockets failed to connect: ${replies.find((r) => r.firstError)?.firstError}`);
  }

  async progress(): Promise<Progress> {
    const replies = await this.request({ type: 'progress' }, 'progress');
    return {
      open: replies.reduce((sum, r) => sum + r.open, 0),
      warmed: replies.reduce((sum, r) => sum + r.warmed, 0),
      burstReceipts: replies.reduce((sum, r) => sum + r.burstReceipts, 0),
    };
  }

  async report(publishedUs: Float64Array): Promise<BurstReport> {
    const replies = await this.request({ type: 'report', publishedUs }, 'report');
    const closedByServer: Record<string, number> = {};
    for (const reply of replies) for (const [code, n] of Object.entries(reply.closedByServer)) closedByServer[code] = (closedByServer[code] ?? 0) + n;
    const total = replies.reduce((sum, r) => sum + r.latenciesMs.length, 0);
    const latenciesMs = new Float64Array(total);
    let offset = 0;
    for (const reply of replies) {
      latenciesMs.set(reply.latenciesMs, offset);
      offset += reply.latenciesMs.length;
    }
    const lastReceiptMs = new Float64Array(publishedUs.length).fill(Number.NaN);
    for (const reply of replies) {
      reply.lastReceiptMs.forEach((ms, i) => {
        if (!(ms <= lastReceiptMs[i]!)) lastReceiptMs[i] = Number.isNaN(ms) ? lastReceiptMs[i]! : ms;
      });
    }
    return {
      latenciesMs,
      lastReceiptMs,
      lost: replies.reduce((sum, r) => sum + r.lost, 0),
      duplicates: replies.reduce((sum, r) => sum + r.duplicates, 0),
      unexpectedMessages: replies.reduce((sum, r) => sum + r.unexpectedMessages, 0),
      firstUnexpected: replies.find((r) => r.firstUnexpected)?.firstUnexpected,
      closedByServer,
      drops: replies.flatMap((r) => r.drops),
      sample: replies.find((r) => r.sample)?.sample,
    };
  }

  async closeAll(): Promise<void> {
    await this.request({ type: 'close' }, 'closed', 120_000);
  }

  async stop(): Promise<void> {
    // Closing the IPC channel is what makes a client process exit; SIGTERM/SIGKILL if it does not.
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
