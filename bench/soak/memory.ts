import { readMemory } from '../live/processes.ts';
import { readMetrics, type SoakApi } from './api.ts';

export interface MemorySample {
  /** Since the load started, ms. */
  atMs: number;
  /** VmRSS from /proc/<pid>/status. */
  rssBytes: number;
  /** vigil_process_nodejs_heap_size_used_bytes, as V8 reports it at that moment (collections happen when they happen). */
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** vigil_active_subscriptions. */
  activeSubscriptions: number;
}

export interface Checkpoint {
  label: string;
  atMs: number;
  /** The regular sample, taken just before the collection. */
  sample: MemorySample;
  /** After a forced full collection: what the process actually retains. */
  retainedHeapBytes: number;
  retainedRssBytes: number;
}

export const MEMORY_SAMPLE_MS = 10_000;

export class MemoryWatch {
  readonly samples: MemorySample[] = [];
  readonly checkpoints: Checkpoint[] = [];
  readonly failures: string[] = [];
  private readonly api: SoakApi;
  private readonly startedAt: number;

  constructor(api: SoakApi, startedAt: number) {
    this.api = api;
    this.startedAt = startedAt;
  }

  /** /metrics that did not answer within 5 s (the heap was then read through the inspector). */
  metricsTimeouts = 0;

  /** RSS from /proc always; heap and subscriptions from /metrics, or the heap from the inspector when /metrics does not answer. */
  async sample(): Promise<MemorySample | undefined> {
    const atMs = performance.now() - this.startedAt;
    try {
      const rssBytes = readMemory(this.api.pid);
      let metrics: Awaited<ReturnType<typeof readMetrics>> | undefined;
      try {
        metrics = await readMetrics(this.api.url);
      } catch {
        this.metricsTimeouts += 1;
      }
      const sample: MemorySample = {
        atMs,
        rssBytes,
        heapUsedBytes: metrics?.heapUsedBytes ?? (await this.api.heapUsedViaInspector()),
        heapTotalBytes: metrics?.heapTotalBytes ?? Number.NaN,
        activeSubscriptions: metrics?.activeSubscriptions ?? Number.NaN,
      };
      this.samples.push(sample);
      return sample;
    } catch (error) {
      this.failures.push(`memory sample at ${(atMs / 1000).toFixed(0)} s: ${(error as Error).message}`);
      return undefined;
    }
  }

  async checkpoint(label: string): Promise<Checkpoint | undefined> {
    const sample = await this.sample();
    if (!sample) return undefined;
    try {
      await this.api.collectGarbage();
      const checkpoint = { label, atMs: sample.atMs, sample, retainedHeapBytes: await this.api.heapUsedViaInspector(), retainedRssBytes: readMemory(this.api.pid) };
      this.checkpoints.push(checkpoint);
      return checkpoint;
    } catch (error) {
      this.failures.push(`checkpoint ${label}: ${(error as Error).message}`);
      return undefined;
    }
  }
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

const MIB = 2 ** 20;

/**
 * "Flat memory", decided before the run and not tuned after it:
 *  1. the heap retained at the end (after a forced full GC) is within +10% of the heap retained at
 *     the end of the warm-up ("minute 1"), and
 *  2. the least-squares slope of heap used, sampled every 10 s from the end of the warm-up to the
 *     end of the load, is under 1 MiB per minute.
 */
export const FLAT_MEMORY_RULE = {
  maxRetainedGrowth: 0.1,
  maxSlopeMiBPerMinute: 1,
};

export interface MemoryVerdict {
  retainedGrowth: number;
  heapSlopeMiBPerMinute: number;
  rssSlopeMiBPerMinute: number;
  isFlat: boolean;
}

export function judgeMemory(watch: MemoryWatch, warmUpMs: number): MemoryVerdict | undefined {
  const first = watch.checkpoints.find((c) => c.label === 'warm-up end');
  const last = watch.checkpoints.find((c) => c.label === 'end');
  if (!first || !last) return undefined;
  const window = watch.samples.filter((s) => s.atMs >= warmUpMs - 1_000 && s.atMs <= last.atMs + 1_000);
  const perMinute = (pick: (s: MemorySample) => number) => (slope(window.map((s) => ({ x: s.atMs / 60_000, y: pick(s) / MIB }))));
  const retainedGrowth = last.retainedHeapBytes / first.retainedHeapBytes - 1;
  const heapSlopeMiBPerMinute = perMinute((s) => s.heapUsedBytes);
  return {
    retainedGrowth,
    heapSlopeMiBPerMinute,
    rssSlopeMiBPerMinute: perMinute((s) => s.rssBytes),
    isFlat: retainedGrowth <= FLAT_MEMORY_RULE.maxRetainedGrowth && heapSlopeMiBPerMinute < FLAT_MEMORY_RULE.maxSlopeMiBPerMinute,
  };
}
