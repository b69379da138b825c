import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { LoadResult } from './load.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  platform: string;
}

export function describeMachine(postgresVersion: string): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    postgres: postgresVersion,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * Which code was measured: the commit, and whether src/ or drizzle/ differed from it. Read-only
 * (GIT_OPTIONAL_LOCKS=0 keeps `git status` from refreshing the index).
 */
export function describeRevision(cwd: string): string {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git(['rev-parse', '--short', 'HEAD']);
    const changed = git(['status', '--porcelain', '--', 'src', 'drizzle']);
    return changed ? `${commit} with uncommitted changes in src/ or drizzle/` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export interface Row {
  api: LoadResult;
  baseline: LoadResult;
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(2));
const rate = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

/** A Markdown table, so a run's output can go into BENCHMARKS.md as it is. */
export function formatTable(rows: Row[]): string {
  const header = [
    'Concurrency',
    'API req/s',
    'API p50 ms',
    'API p99 ms',
    'API non-2xx / errors / GraphQL errors',
    'Baseline pages/s',
    'Baseline p50 ms',
    'Baseline p99 ms',
    'Throughput API/baseline',
    'p50 API/baseline',
  ];
  const lines = rows.map(({ api, baseline }) => [
    String(api.concurrency),
    rate(api.perSecond),
    ms(api.p50Ms),
    ms(api.p99Ms),
    `${api.non2xx} / ${api.errors} / ${api.graphqlErrors}`,
    rate(baseline.perSecond),
    ms(baseline.p50Ms),
    ms(baseline.p99Ms),
    ratio(api.perSecond / baseline.perSecond),
    ratio(api.p50Ms / baseline.p50Ms),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

/** First line of a statement, trimmed, for the report. */
export function abbreviate(statement: string, length = 110): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
