import type { LoadResult } from './load.ts';
import { FLAT_MEMORY_RULE, type MemoryVerdict, type MemoryWatch } from './memory.ts';
import type { SubscriberReport } from './protocol.ts';

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (v: number) => (Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const count = (v: number) => Math.round(v).toLocaleString('en-US');
const seconds = (atMs: number) => `${(atMs / 1000).toFixed(0)} s`;

export interface SoakSummary {
  header: string[];
  load: LoadResult;
  subscribers: SubscriberReport;
  subscribersRequested: number;
  openAtEnd: number;
  memory: MemoryWatch;
  verdict: MemoryVerdict | undefined;
  apiWarnings: string[];
  errorsTotal: number;
}

export function formatReport(summary: SoakSummary): string {
  const { load, subscribers: subs, memory, verdict } = summary;
  const elapsedSeconds = load.elapsedMs / 1000;
  const lines = [...summary.header, ''];

  lines.push('| Operation | Count | Per second | p50 ms | p95 ms | p99 ms | max ms | Errors |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  const all: number[] = [];
  let allErrors = 0;
  for (const s of load.stats) {
    if (s.kind !== 'createAlert') {
      all.push(...s.latenciesMs);
      allErrors += s.errors;
    }
    const label = s.kind === 'createAlert' ? 'createAlert (upsertAlerts, direct DB)' : s.kind;
    lines.push(
      `| ${label} | ${count(s.latenciesMs.length)} | ${(s.latenciesMs.length / elapsedSeconds).toFixed(1)} | ${ms(percentile(s.latenciesMs, 50))} | ${ms(percentile(s.latenciesMs, 95))} | ` +
        `${ms(percentile(s.latenciesMs, 99))} | ${ms(percentile(s.latenciesMs, 100))} | ${s.errors}${s.errors ? ` (${Object.entries(s.errorsByKind).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''} |`,
    );
  }
  lines.push(
    `| **all HTTP operations** | ${count(all.length)} | ${(all.length / elapsedSeconds).toFixed(1)} | ${ms(percentile(all, 50))} | ${ms(percentile(all, 95))} | ${ms(percentile(all, 99))} | ${ms(percentile(all, 100))} | ${allErrors} |`,
    '',
  );

  lines.push(
    '| Subscribers open (start → end) | Alerts created (measured) | Deliveries expected | Received | Lost | Duplicates | Unexpected | Subscription errors | Closed by server | Reconnects | Delivery p50 ms | p95 ms | p99 ms | max ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${count(summary.subscribersRequested)} → ${count(summary.openAtEnd)} | ${count(load.createdAlerts.length)} | ${count(subs.expectedPairs)} | ${count(subs.receivedPairs)} | ${subs.lost} | ${subs.duplicates} | ${subs.unexpected} | ` +
      `${subs.errors} | ${Object.values(subs.closedByServer).reduce((a, b) => a + b, 0)} | ${subs.reconnects} | ` +
      `${ms(percentile(subs.latenciesMs, 50))} | ${ms(percentile(subs.latenciesMs, 95))} | ${ms(percentile(subs.latenciesMs, 99))} | ${ms(percentile(subs.latenciesMs, 100))} |`,
    '',
  );

  lines.push(
    '| API memory | At | RSS MiB | Heap used MiB (sampled) | Heap after full GC MiB | RSS after full GC MiB | Active subscriptions |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of memory.checkpoints) {
    lines.push(
      `| ${c.label} | ${seconds(c.atMs)} | ${mib(c.sample.rssBytes)} | ${mib(c.sample.heapUsedBytes)} | ${mib(c.retainedHeapBytes)} | ${mib(c.retainedRssBytes)} | ${Number.isNaN(c.sample.activeSubscriptions) ? '–' : count(c.sample.activeSubscriptions)} |`,
    );
  }
  const peakRss = Math.max(...memory.samples.map((s) => s.rssBytes));
  lines.push('');
  if (verdict) {
    lines.push(
      `Flat memory rule (fixed before the run): heap after full GC at the end ≤ +${FLAT_MEMORY_RULE.maxRetainedGrowth * 100}% of the same at the end of the warm-up, ` +
        `and the least-squares slope of heap used (sampled every 10 s after the warm-up) < ${FLAT_MEMORY_RULE.maxSlopeMiBPerMinute} MiB/min.`,
      `Measured: retained heap ${verdict.retainedGrowth >= 0 ? '+' : ''}${(verdict.retainedGrowth * 100).toFixed(1)}%, heap-used slope ${verdict.heapSlopeMiBPerMinute.toFixed(2)} MiB/min ` +
        `(RSS slope ${verdict.rssSlopeMiBPerMinute.toFixed(2)} MiB/min, peak sampled RSS ${mib(peakRss)} MiB) → **${verdict.isFlat ? 'PASS' : 'FAIL'}**.`,
    );
  } else {
    lines.push('Flat memory: **not judged** — a checkpoint is missing (see the failures below).');
  }
  const zeroErrors = summary.errorsTotal === 0;
  lines.push(
    `Errors: ${summary.errorsTotal} in all (HTTP operations ${allErrors}, alert writes ${load.stats.find((s) => s.kind === 'createAlert')!.errors}, ` +
      `subscription errors ${subs.errors}, lost ${subs.lost}, duplicates ${subs.duplicates}, unexpected ${subs.unexpected}, closed by server ${Object.values(subs.closedByServer).reduce((a, b) => a + b, 0)}, ` +
      `reconnects ${subs.reconnects}, subscribers missing at the end ${summary.subscribersRequested - summary.openAtEnd}) → **${zeroErrors ? 'PASS' : 'FAIL'}**.`,
    `Monitoring: /metrics did not answer within 5 s ${memory.metricsTimeouts} time(s) out of ${memory.samples.length + memory.failures.length} samples (the heap was then read through the inspector; active subscriptions unknown); failed samples ${memory.failures.length}.`,
    `Dispatch lag of the load generator against its clock: p50 ${ms(percentile(load.dispatchLagMs, 50))} ms, p99 ${ms(percentile(load.dispatchLagMs, 99))} ms, max ${ms(percentile(load.dispatchLagMs, 100))} ms; ` +
      `operations unanswered when the clock stopped: ${load.inFlightAtEnd}. API log lines at warn or above: ${summary.apiWarnings.length}.`,
  );
  for (const s of load.stats) for (const e of s.firstErrors) lines.push(`- first errors, ${s.kind}: ${e}`);
  if (subs.firstError) lines.push(`- first subscription error: ${subs.firstError}`);
  if (subs.lostSample.length) lines.push(`- lost (subscriber/alert): ${subs.lostSample.join(', ')}`);
  if (Object.keys(subs.closedByServer).length) lines.push(`- closed by server, by code: ${JSON.stringify(subs.closedByServer)}`);
  for (const f of memory.failures) lines.push(`- ${f}`);
  for (const w of summary.apiWarnings.slice(0, 5)) lines.push(`- API log: ${w.slice(0, 400)}`);

  lines.push('', 'Memory samples, one a minute (RSS / heap used, MiB):', '');
  const perMinute = memory.samples.filter((s, i, list) => i === 0 || Math.floor(s.atMs / 60_000) !== Math.floor(list[i - 1]!.atMs / 60_000) || i === list.length - 1);
  lines.push(perMinute.map((s) => `${seconds(s.atMs)}: ${mib(s.rssBytes)} / ${mib(s.heapUsedBytes)}`).join(' · '));
  return lines.join('\n');
}
