import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The soak benchmark's only reader of its command line and of `process.env` (the API's own settings
 * reach it through its environment, read by src/config.ts). Every problem is reported in one error.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const schema = z.object({
  minutes: z.coerce.number().min(0.5).max(120).default(10),
  /** HTTP operations per second, all kinds together, dispatched by the clock. */
  rate: z.coerce.number().min(1).max(1_000).default(50),
  subscribers: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Alerts created per second through upsertAlerts on the benchmark's own connection. */
  alertsPerSecond: z.coerce.number().min(0.1).max(50).default(1),
  organizations: z.coerce.number().int().min(1).max(50).default(4),
  alertsPerOrganization: z.coerce.number().int().min(100).max(1_000_000).default(5_000),
  monitorsPerOrganization: z.coerce.number().int().min(1).max(100).default(10),
  databaseUrl: z
    .url({ protocol: /^postgres(ql)?$/ })
    .refine((value) => LOOPBACK_HOSTS.has(new URL(value).hostname), 'must point at 127.0.0.1: the benchmark only talks to this machine')
    .default('postgres://root@127.0.0.1:5432/postgres'),
  /** The API's RATE_LIMIT_POINTS: the default budget is never exhausted but every operation is charged; 0 turns the limiter off. */
  rateLimitPoints: z.coerce.number().int().min(0).max(100_000_000).default(100_000_000),
  /** Keep the database after the run (default: dropped). */
  keepDatabase: z.boolean().default(false),
});

export type SoakConfig = z.infer<typeof schema> & {
  durationMs: number;
  /** Measured from the start of the load; memory at its end is "minute 1". */
  warmUpMs: number;
  databaseName: string;
  /** Hard stop for the whole run, setup and teardown included. */
  timeoutMs: number;
};

export class SoakConfigError extends Error {}

export const USAGE =
  'node bench/soak.ts [--minutes=10] [--rate=50] [--subscribers=1000] [--alerts-per-second=1] [--organizations=4] ' +
  '[--alerts-per-organization=5000] [--monitors-per-organization=10] [--database-url=postgres://root@127.0.0.1:5432/postgres] [--rate-limit-points=100000000] [--keep-database]';

export function loadSoakConfig(argv: string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): SoakConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        minutes: { type: 'string' },
        rate: { type: 'string' },
        subscribers: { type: 'string' },
        'alerts-per-second': { type: 'string' },
        organizations: { type: 'string' },
        'alerts-per-organization': { type: 'string' },
        'monitors-per-organization': { type: 'string' },
        'database-url': { type: 'string' },
        'rate-limit-points': { type: 'string' },
        'keep-database': { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new SoakConfigError(`${(error as Error).message}\nusage: ${USAGE}`);
  }
  const parsed = schema.safeParse({
    minutes: values.minutes,
    rate: values.rate,
    subscribers: values.subscribers,
    alertsPerSecond: values['alerts-per-second'],
    organizations: values.organizations,
    alertsPerOrganization: values['alerts-per-organization'],
    monitorsPerOrganization: values['monitors-per-organization'],
    databaseUrl: values['database-url'] ?? (env.BENCH_DATABASE_URL || undefined),
    rateLimitPoints: values['rate-limit-points'],
    keepDatabase: values['keep-database'],
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new SoakConfigError(`Invalid soak configuration:\n${problems.join('\n')}\nusage: ${USAGE}`);
  }
  const config = parsed.data;
  const durationMs = config.minutes * 60_000;
  return {
    ...config,
    durationMs,
    // One minute for a full run; a fifth of a short one.
    warmUpMs: Math.min(60_000, durationMs / 5),
    databaseName: `vigil_soak_${process.pid}`,
    timeoutMs: durationMs + 15 * 60_000,
  };
}
