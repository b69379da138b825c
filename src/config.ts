import { z } from 'zod';

/**
 * The one place that reads `process.env`. Every problem is reported in a single error so an
 * operator fixes a broken deployment in one pass rather than one variable per restart.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  TEST_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the embedded PostgreSQL keeps its data and where generated secrets are persisted. */
  VIGIL_DATA_DIR: z.string().min(1).default('.vigil'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** HMAC secret for access tokens; at least 32 characters. Generated for the embedded default. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** 32-byte key (base64 or hex) used to encrypt secrets at rest; generated for the embedded default. */
  ENCRYPTION_KEY: z.string().min(32, 'must be 32 bytes as base64 or hex').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  SEED_DEMO: booleanFromEnv.optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  databaseUrl: string | undefined;
  testDatabaseUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  embeddedPgPort: number;
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  encryptionKey: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  dbPoolMax: number;
  seedDemo: boolean | undefined;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings are how shells and compose files say "unset".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (parsed.success && parsed.data.NODE_ENV === 'production') {
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'ENCRYPTION_KEY'] as const) {
      if (!parsed.data[name]) problems.push(`${name}: required when NODE_ENV=production`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    databaseUrl: env.DATABASE_URL,
    testDatabaseUrl: env.TEST_DATABASE_URL,
    port: env.PORT,
    host: env.HOST,
    dataDir: env.VIGIL_DATA_DIR,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    jwtSecret: env.JWT_SECRET,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    encryptionKey: env.ENCRYPTION_KEY,
    logLevel: env.LOG_LEVEL,
    dbPoolMax: env.DB_POOL_MAX,
    seedDemo: env.SEED_DEMO,
  };
}
