import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The benchmark's only reader of `process.env` (the API's own settings stay in `src/config.ts`).
 * Every problem is reported in one error, like the service does.
 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const envSchema = z.object({
  BENCH_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .refine((value) => LOOPBACK_HOSTS.has(new URL(value).hostname), 'must point at 127.0.0.1: the benchmark only talks to this machine')
    .optional(),
  BENCH_DURATION_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  BENCH_WARMUP_SECONDS: z.coerce.number().int().min(0).max(60).default(2),
  BENCH_CONCURRENCY: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of positive integers, e.g. 1,10,50')
    .default('10')
    .transform((value) => value.split(',').map(Number))
    .refine((values) => values.every((v) => v >= 1 && v <= 1000), 'each concurrency must be between 1 and 1000'),
  /** Alerts over all organizations together; the measured one holds its share. */
  BENCH_ALERTS: z.coerce.number().int().min(1_000).max(10_000_000).default(100_000),
  BENCH_ORGANIZATIONS: z.coerce.number().int().min(1).max(100).default(10),
  /** Measured rounds per contender, interleaved: Vigil, PostGraphile, raw, Vigil, … */
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(20).default(3),
  BENCH_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(50),
  /** Same default as the API's DB_POOL_MAX, and used for the baseline pool too so both sides queue alike. */
  BENCH_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  BENCH_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_331),
});

export interface BenchConfig {
  /** Server to create `vigil_bench` on; undefined starts the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  durationSeconds: number;
  warmupSeconds: number;
  concurrencies: number[];
  /** Alerts over all organizations. */
  alertCount: number;
  /** Organizations, alerts interleaved in time: the page of one must filter out the others'. */
  organizationCount: number;
  alertsPerOrganization: number;
  monitorsPerOrganization: number;
  rounds: number;
  pageSize: number;
  poolMax: number;
  embeddedPgPort: number;
  embeddedDataDir: string;
  databaseName: string;
}

export class BenchConfigError extends Error {}

export function loadBenchConfig(source: Record<string, string | undefined> = process.env): BenchConfig {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([key, v]) => key.startsWith('BENCH_') && v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new BenchConfigError(`Invalid benchmark configuration:\n${problems.join('\n')}`);
  }
  const env = parsed.data;
  return {
    databaseUrl: env.BENCH_DATABASE_URL,
    durationSeconds: env.BENCH_DURATION_SECONDS,
    warmupSeconds: env.BENCH_WARMUP_SECONDS,
    concurrencies: env.BENCH_CONCURRENCY,
    alertCount: Math.ceil(env.BENCH_ALERTS / env.BENCH_ORGANIZATIONS) * env.BENCH_ORGANIZATIONS,
    organizationCount: env.BENCH_ORGANIZATIONS,
    alertsPerOrganization: Math.ceil(env.BENCH_ALERTS / env.BENCH_ORGANIZATIONS),
    monitorsPerOrganization: 20,
    rounds: env.BENCH_ROUNDS,
    pageSize: env.BENCH_PAGE_SIZE,
    poolMax: env.BENCH_POOL_MAX,
    embeddedPgPort: env.BENCH_EMBEDDED_PG_PORT,
    embeddedDataDir: path.join(repoRoot, '.vigil', 'bench-pgdata'),
    databaseName: 'vigil_bench',
  };
}
