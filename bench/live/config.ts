import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The live benchmark's only reader of `process.env` (the API's own settings stay in src/config.ts,
 * and reach the API process through its environment). Every problem is reported in one error.
 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const envSchema = z.object({
  BENCH_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .refine((value) => LOOPBACK_HOSTS.has(new URL(value).hostname), 'must point at 127.0.0.1: the benchmark only talks to this machine')
    .optional(),
  BENCH_LIVE_SUBSCRIBERS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of positive integers, e.g. 1000,10000')
    .default('1000,10000')
    .transform((value) => value.split(',').map(Number))
    .refine((values) => values.every((v) => v >= 1 && v <= 25_000), 'each count must be between 1 and 25,000 (one client address, ~28,000 ephemeral ports)'),
  BENCH_LIVE_ALERTS: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Rounds per subscriber count, each Vigil then bare ws on the same client processes. */
  BENCH_LIVE_ROUNDS: z.coerce.number().int().min(1).max(10).default(2),
  /** Client processes sharing the sockets; 0 picks one per 2,500 sockets (at least 2). */
  BENCH_LIVE_CLIENT_PROCESSES: z.coerce.number().int().min(0).max(64).default(0),
  BENCH_LIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(30).max(7_200).default(1_200),
  BENCH_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_332),
});

export interface LiveBenchConfig {
  /** Server to create the benchmark database on; undefined starts the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  subscriberCounts: number[];
  /** Alerts in the measured burst, each committed in its own transaction. */
  burstAlerts: number;
  rounds: number;
  clientProcesses: (subscribers: number) => number;
  timeoutMs: number;
  embeddedPgPort: number;
  embeddedDataDir: string;
  databaseName: string;
}

export class BenchConfigError extends Error {}

export function loadLiveBenchConfig(source: Record<string, string | undefined> = process.env): LiveBenchConfig {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([key, v]) => key.startsWith('BENCH_') && v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new BenchConfigError(`Invalid benchmark configuration:\n${problems.join('\n')}`);
  }
  const env = parsed.data;
  return {
    databaseUrl: env.BENCH_DATABASE_URL,
    subscriberCounts: env.BENCH_LIVE_SUBSCRIBERS,
    burstAlerts: env.BENCH_LIVE_ALERTS,
    rounds: env.BENCH_LIVE_ROUNDS,
    clientProcesses: (subscribers) =>
      Math.min(subscribers, env.BENCH_LIVE_CLIENT_PROCESSES || Math.max(2, Math.ceil(subscribers / 2_500))),
    timeoutMs: env.BENCH_LIVE_TIMEOUT_SECONDS * 1000,
    embeddedPgPort: env.BENCH_EMBEDDED_PG_PORT,
    embeddedDataDir: path.join(repoRoot, '.vigil', 'bench-live-pgdata'),
    databaseName: 'vigil_bench_live',
  };
}

/** Soft and hard "Max open files" of this process (Linux); children inherit them. */
export function openFileLimits(): { soft: number; hard: number } {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (!match) throw new Error('no "Max open files" line');
    const parse = (value: string) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
    return { soft: parse(match[1]!), hard: parse(match[2]!) };
  } catch {
    return { soft: Number.NaN, hard: Number.NaN };
  }
}
