import os from 'node:os';

export interface LatencySummary {
  pairs: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of commit-to-receipt latencies in milliseconds. */
export function summarize(latenciesMs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const at = (p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  return { pairs: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN };
}

export interface PhaseResult {
  target: 'Vigil' | 'bare ws';
  /** Rounds interleave the contenders: Vigil then bare ws, again, on the same client processes. */
  round: number;
  subscribers: number;
  /** From the first socket opened to the last connection_ack. */
  connectSeconds: number;
  /** From the first socket opened until a warm-up alert had reached every one of them. */
  readySeconds: number;
  warmUpRounds: number;
  /** After the prewarm sockets closed and a full garbage collection. */
  rssBeforeBytes: number;
  /** After a full garbage collection, like rssBeforeBytes. */
  rssIdleBytes: number;
  /** The same moment before that collection. */
  rssIdleUncollectedBytes: number;
  /** V8 heap in use after the same collections: before connecting and with N idle. */
  heapBeforeBytes: number;
  heapIdleBytes: number;
  peakRssBytes: number;
  /** CPU time (user + system) the server process used from the first publish to the last receipt. */
  burstCpuSeconds: number;
  /** From the first publish to the moment every (subscriber, alert) pair had arrived, as polled (±100 ms). */
  burstWallSeconds: number;
  latency: LatencySummary;
  /** When the first alert of the burst had reached every subscriber (ms after its commit). */
  firstAlertToAllMs: number;
  /** The server's longest event-loop stall during the burst (perf_hooks, 10 ms resolution). */
  loopDelayMaxMs: number;
  lost: number;
  duplicates: number;
  unexpectedMessages: number;
  closedByServer: Record<string, number>;
  /** Sockets the server dropped: seconds after the first publish of the burst, and burst alerts they had received. */
  drops: { afterBurstStartSeconds: number; alertsReceived: number; lastPingAfterBurstStartSeconds: number }[];
  payloadBytes: number;
}

export function describeMachine(postgresVersion: string, openFiles: { soft: number; hard: number }): string[] {
  return [
    `- CPU: ${os.availableParallelism()} × ${os.cpus()[0]?.model.trim() ?? 'unknown'} (nproc ${os.availableParallelism()})`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- ${os.type()} ${os.release()} ${os.arch()}; open files: soft ${openFiles.soft}, hard ${openFiles.hard} (children raise soft to hard)`,
    `- Node ${process.version}; PostgreSQL ${postgresVersion}`,
  ];
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(1));
const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const count = (value: number) => Math.round(value).toLocaleString('en-US');

export const perConnectionBytes = (r: PhaseResult) => (r.rssIdleBytes - r.rssBeforeBytes) / r.subscribers;
export const heapPerConnectionBytes = (r: PhaseResult) => (r.heapIdleBytes - r.heapBeforeBytes) / r.subscribers;
export const droppedCount = (r: PhaseResult) => Object.values(r.closedByServer).reduce((sum, n) => sum + n, 0);
export const deliveriesPerSecond = (r: PhaseResult) => r.latency.pairs / r.burstWallSeconds;
const droppedByServer = droppedCount;

/** Markdown tables: delivery, then memory and CPU, then the Vigil-over-baseline ratios per subscriber count. */
export function formatResults(results: PhaseResult[], burstAlerts: number): string {
  const lines = [
    `Commit-to-receipt latency over every (subscriber, alert) pair of the ${burstAlerts}-alert burst:`,
    '',
    '| Round | Subscribers | Server | p50 ms | p90 ms | p99 ms | max ms | 1st alert at every socket, ms | Pairs received | Lost | Duplicates | Sockets dropped by the server | Deliveries/s | Longest event-loop stall, ms |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.round} | ${count(r.subscribers)} | ${r.target} | ${ms(r.latency.p50)} | ${ms(r.latency.p90)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} | ${ms(r.firstAlertToAllMs)} | ` +
        `${count(r.latency.pairs)} / ${count(r.subscribers * burstAlerts)} | ${r.lost} | ${r.duplicates} | ${droppedByServer(r)} | ${count(deliveriesPerSecond(r))} | ${ms(r.loopDelayMaxMs)} |`,
    );
  }
  lines.push(
    '',
    'Server process memory (VmRSS after a forced full GC) and CPU:',
    '',
    '| Round | Subscribers | Server | RSS before, MiB | RSS with N idle, MiB | KiB per connection | V8 heap KiB per connection | Peak RSS (VmHWM), MiB | CPU s for the burst | Connect + subscribe N, s |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of results) {
    lines.push(
      `| ${r.round} | ${count(r.subscribers)} | ${r.target} | ${mib(r.rssBeforeBytes)} | ${mib(r.rssIdleBytes)} | ${kib(perConnectionBytes(r))} | ${kib(heapPerConnectionBytes(r))} | ${mib(r.peakRssBytes)} | ` +
        `${r.burstCpuSeconds.toFixed(2)} | ${r.readySeconds.toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    'Vigil over bare ws in the same round, and the goal (p99 ≤ 1.5× bare ws, ≤ 8 KiB per idle connection, nothing lost, duplicated or dropped):',
    '',
    '| Round | Subscribers | p50 Vigil / bare ws | p99 Vigil / bare ws | Memory per connection Vigil / bare ws | Burst CPU Vigil / bare ws | Goal |',
    '|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const vigil of results.filter((r) => r.target === 'Vigil')) {
    const bare = results.find((r) => r.subscribers === vigil.subscribers && r.round === vigil.round && r.target === 'bare ws');
    if (!bare) continue;
    lines.push(
      `| ${vigil.round} | ${count(vigil.subscribers)} | ${ratio(vigil.latency.p50 / bare.latency.p50)} | ${ratio(vigil.latency.p99 / bare.latency.p99)} | ` +
        `${ratio(perConnectionBytes(vigil) / perConnectionBytes(bare))} | ${ratio(vigil.burstCpuSeconds / bare.burstCpuSeconds)} | ${goalVerdict(vigil, bare)} |`,
    );
  }
  return lines.join('\n');
}

/** The live-push goal of issue 14, judged on one round: which parts are missed, or "met". */
export function goalVerdict(vigil: PhaseResult, bare: PhaseResult): string {
  const misses: string[] = [];
  const p99Ratio = vigil.latency.p99 / bare.latency.p99;
  if (!(p99Ratio <= 1.5)) misses.push(`p99 ${ratio(p99Ratio)}`);
  if (!(perConnectionBytes(vigil) <= 8 * 1024)) misses.push(`${kib(perConnectionBytes(vigil))} KiB per connection`);
  if (vigil.lost > 0) misses.push(`${vigil.lost} lost`);
  if (vigil.duplicates > 0) misses.push(`${vigil.duplicates} duplicated`);
  if (droppedCount(vigil) > 0) misses.push(`${droppedCount(vigil)} dropped`);
  return misses.length === 0 ? 'met' : `missed: ${misses.join(', ')}`;
}
