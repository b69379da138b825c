import { z } from 'zod';

/**
 * The one place that reads `process.env`. Every problem is reported in a single error so an
 * operator fixes a broken deployment in one pass rather than one variable per restart.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const DURATION_UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

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

  /** Unset: on outside production. */
  GRAPHQL_INTROSPECTION: booleanFromEnv.optional(),
  GRAPHIQL: booleanFromEnv.optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).max(1_000).default(20),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(5_000),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  MAX_REQUEST_BYTES: z.coerce.number().int().min(1_024).max(50_000_000).default(1_048_576),
  /** Comma-separated origins allowed by CORS, or `*`. Unset: same-origin only. */
  CORS_ORIGINS: z.string().optional(),
  /** Trusted documents: `allow` runs manifest ids beside ordinary documents, `require` runs nothing else. */
  PERSISTED_OPERATIONS: z.enum(['off', 'allow', 'require']).default('off'),
  /** The manifest: JSON `{ "<sha256 hex>": "<document>" }`, as graphql-codegen's client preset writes it. */
  PERSISTED_OPERATIONS_FILE: z.string().optional(),

  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Jobs a worker process locks and fetches in one statement, then hands to its slots as they free
   * up (graphile-worker's local queue). Unset: one more than WORKER_CONCURRENCY. 0 or 1: fetch one
   * job per statement.
   */
  WORKER_LOCAL_QUEUE_SIZE: z.coerce.number().int().min(0).max(1_000).optional(),
  /** Shortest time between two manual scans of one monitor. */
  SCAN_NOW_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  SCAN_CREDIT_COST: z.coerce.number().int().min(0).max(1_000).default(1),
  SCHEDULER_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1_000),
  SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SOURCE_MAX_BYTES: z.coerce.number().int().min(1_024).max(50_000_000).default(2_000_000),
  /**
   * Lets sources reach non-public addresses: `true` for all, or a comma-separated list of CIDRs
   * (e.g. `127.0.0.1/32`). Only for tests and local setups.
   */
  ALLOW_PRIVATE_ADDRESSES: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      if (['false', '0', 'no', ''].includes(value)) return [] as string[];
      if (['true', '1', 'yes'].includes(value)) return ['0.0.0.0/0', '::/0'];
      const ranges = value.split(',').map((r) => r.trim()).filter(Boolean);
      for (const range of ranges) {
        if (!/^[0-9a-f:.]+\/\d{1,3}$/i.test(range)) ctx.addIssue({ code: 'custom', message: `not a CIDR range: ${range}` });
      }
      return ranges;
    }),
  GOOGLE_API_KEY: z.string().min(1).optional(),
  GOOGLE_CSE_ID: z.string().min(1).optional(),
  GOOGLE_BASE_URL: z.url().default('https://www.googleapis.com/customsearch/v1'),
  GOOGLE_MAX_PAGES: z.coerce.number().int().min(1).max(10).default(2),
  HN_BASE_URL: z.url().default('https://hn.algolia.com/api/v1'),
  CRTSH_BASE_URL: z.url().default('https://crt.sh'),
  DEMO_FINDINGS_PER_SCAN: z.coerce.number().int().min(1).max(100).default(6),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** USD per million tokens, for the cost recorded on each scan. */
  OPENAI_PRICE_INPUT_PER_MTOK: z.coerce.number().min(0).default(0.15),
  OPENAI_PRICE_OUTPUT_PER_MTOK: z.coerce.number().min(0).default(0.6),
  OPENAI_BATCH_SIZE: z.coerce.number().int().min(1).max(50).default(10),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),

  /** How long a webhook receiver has to answer one delivery attempt. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * Waits before each retry of a failed delivery, e.g. `10s,30s,2m,10m,1h` (units ms, s, m, h):
   * a delivery gets one attempt more than there are delays. `none` disables retries.
   */
  WEBHOOK_RETRY_DELAYS: z
    .string()
    .default('10s,30s,2m,10m,1h')
    .transform((value, ctx) => {
      if (value.trim() === 'none') return [] as number[];
      const delays: number[] = [];
      for (const part of value.split(',').map((p) => p.trim())) {
        const match = /^(\d+)(ms|s|m|h)$/.exec(part);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `not a delay like 30s, 2m or 500ms: ${part}` });
          continue;
        }
        delays.push(Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS]);
      }
      if (delays.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 retries' });
      return delays;
    }),
  /** Deliveries in a row that may fail for good (every attempt) before the webhook is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),

  /** Where digests are mailed through, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…`. Unset: digests go by webhook only. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  /** The From header of digest emails. */
  DIGEST_FROM: z.string().min(3).default('Vigil <digest@vigil.localhost>'),
  /** The UTC hour at which the previous day's digests go out. */
  DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(7),
  /** High and critical alerts listed one by one in a digest; the rest are counted. */
  DIGEST_MAX_ALERTS: z.coerce.number().int().min(1).max(200).default(20),
  /** Connection, greeting and socket timeout of each SMTP conversation. */
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),

  /** Scans in a row a source may fail before its monitor gets a `source_health` alert. */
  SOURCE_HEALTH_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  /** A source that usually returns results is "silent" after this many of its usual gaps without any. */
  SOURCE_HEALTH_SILENCE_FACTOR: z.coerce.number().min(1.5).max(1_000).default(5),
  /** Scans with results needed before silence is judged at all. */
  SOURCE_HEALTH_MIN_HISTORY: z.coerce.number().int().min(1).max(1_000).default(3),

  /** Rate-limit points each caller (API key, user, or IP when anonymous) may spend per window; 0 disables limiting. */
  RATE_LIMIT_POINTS: z.coerce.number().int().min(0).max(100_000_000).default(5_000),
  /** The rate-limit window, in seconds. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
  /** Points an anonymous caller (by IP) may spend per window: sign-up, sign-in, token refresh. */
  RATE_LIMIT_ANONYMOUS_POINTS: z.coerce.number().int().min(0).max(100_000_000).default(500),
  /**
   * How many proxies of yours stand in front of the API, each appending to `X-Forwarded-For`: the
   * client is that many entries from the right. `true` is 1; `false` (default) ignores the header.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      if (['false', 'no'].includes(value)) return 0;
      if (['true', 'yes'].includes(value)) return 1;
      const hops = Number(value);
      if (Number.isInteger(hops) && hops >= 0 && hops <= 10) return hops;
      ctx.addIssue({ code: 'custom', message: 'must be false, true, or the number of proxies in front of the API (0–10)' });
      return z.NEVER;
    }),

  /** How often a worker records its heartbeat, in seconds. */
  WORKER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(600).default(5),
  /** `/ready` fails when no worker has beaten for this long; 0 leaves workers out of readiness. */
  READY_WORKER_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  /** A worker silent this long is taken for dead and its jobs are unlocked for others. */
  WORKER_DEAD_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(30),
  /** On SIGTERM, how long running jobs may take to finish before they are released for retry. */
  SHUTDOWN_JOB_DEADLINE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  /** Port of the worker-only process's `/health`, `/ready` and `/metrics` (with --role=worker). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
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
  workerConcurrency: number;
  /** Undefined: one more than the worker's concurrency. */
  workerLocalQueueSize: number | undefined;
  graphql: GraphqlConfig;
  scanning: ScanningConfig;
  webhooks: WebhookConfig;
  digest: DigestConfig;
  rateLimit: RateLimitConfig;
  operations: OperationsConfig;
}

export interface SourceHealthConfig {
  failuresBeforeAlert: number;
  silenceFactor: number;
  minHistory: number;
}

export interface RateLimitConfig {
  /** 0: limiting is off. */
  points: number;
  windowSeconds: number;
  anonymousPoints: number;
  /** Proxies of yours in front of the API; 0 ignores `X-Forwarded-For`. */
  trustedProxies: number;
}

export interface OperationsConfig {
  workerHeartbeatSeconds: number;
  /** 0: readiness does not look at workers. */
  readyWorkerMaxAgeSeconds: number;
  workerDeadAfterSeconds: number;
  shutdownJobDeadlineMs: number;
  workerMetricsPort: number;
}

export interface DigestConfig {
  /** Unset: no email, the `digest.daily` webhook event only. */
  smtpUrl: string | undefined;
  from: string;
  hourUtc: number;
  maxAlerts: number;
  smtpTimeoutMs: number;
}

export interface WebhookConfig {
  timeoutMs: number;
  /** Wait before each retry, in milliseconds; a delivery gets `retryDelaysMs.length + 1` attempts. */
  retryDelaysMs: number[];
  /** Deliveries in a row that failed every attempt before the webhook is disabled. */
  disableAfterFailures: number;
}

export interface GraphqlConfig {
  isIntrospectionEnabled: boolean;
  isGraphiqlEnabled: boolean;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxRequestBytes: number;
  corsOrigins: string[] | '*' | undefined;
  persistedOperations: { mode: 'off' | 'allow' | 'require'; file: string | undefined };
}

export interface ScanningConfig {
  scanNowCooldownSeconds: number;
  scanCreditCost: number;
  schedulerBatchSize: number;
  sourceTimeoutMs: number;
  sourceMaxBytes: number;
  /** CIDR ranges of non-public addresses sources may still reach (tests: loopback). */
  allowedPrivateRanges: string[];
  google: { apiKey: string | undefined; engineId: string | undefined; baseUrl: string; maxPages: number };
  hackerNewsBaseUrl: string;
  crtshBaseUrl: string;
  demoFindingsPerScan: number;
  sourceHealth: SourceHealthConfig;
  openai: {
    apiKey: string | undefined;
    baseUrl: string;
    model: string;
    priceInputPerMTok: number;
    priceOutputPerMTok: number;
    batchSize: number;
    timeoutMs: number;
    maxRetries: number;
  };
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
  if (parsed.success && parsed.data.PERSISTED_OPERATIONS !== 'off' && !parsed.data.PERSISTED_OPERATIONS_FILE) {
    problems.push(`PERSISTED_OPERATIONS_FILE: required when PERSISTED_OPERATIONS=${parsed.data.PERSISTED_OPERATIONS}`);
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
    workerConcurrency: env.WORKER_CONCURRENCY,
    workerLocalQueueSize: env.WORKER_LOCAL_QUEUE_SIZE,
    graphql: {
      isIntrospectionEnabled: env.GRAPHQL_INTROSPECTION ?? env.NODE_ENV !== 'production',
      isGraphiqlEnabled: env.GRAPHIQL ?? env.NODE_ENV !== 'production',
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxCost: env.GRAPHQL_MAX_COST,
      maxRequestBytes: env.MAX_REQUEST_BYTES,
      corsOrigins: env.CORS_ORIGINS === undefined ? undefined : env.CORS_ORIGINS.trim() === '*' ? '*' : env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
      persistedOperations: { mode: env.PERSISTED_OPERATIONS, file: env.PERSISTED_OPERATIONS_FILE },
    },
    scanning: {
      scanNowCooldownSeconds: env.SCAN_NOW_COOLDOWN_SECONDS,
      scanCreditCost: env.SCAN_CREDIT_COST,
      schedulerBatchSize: env.SCHEDULER_BATCH_SIZE,
      sourceTimeoutMs: env.SOURCE_TIMEOUT_MS,
      sourceMaxBytes: env.SOURCE_MAX_BYTES,
      allowedPrivateRanges: env.ALLOW_PRIVATE_ADDRESSES,
      google: { apiKey: env.GOOGLE_API_KEY, engineId: env.GOOGLE_CSE_ID, baseUrl: env.GOOGLE_BASE_URL, maxPages: env.GOOGLE_MAX_PAGES },
      hackerNewsBaseUrl: env.HN_BASE_URL,
      crtshBaseUrl: env.CRTSH_BASE_URL,
      demoFindingsPerScan: env.DEMO_FINDINGS_PER_SCAN,
      sourceHealth: {
        failuresBeforeAlert: env.SOURCE_HEALTH_FAILURES,
        silenceFactor: env.SOURCE_HEALTH_SILENCE_FACTOR,
        minHistory: env.SOURCE_HEALTH_MIN_HISTORY,
      },
      openai: {
        apiKey: env.OPENAI_API_KEY,
        baseUrl: env.OPENAI_BASE_URL,
        model: env.OPENAI_MODEL,
        priceInputPerMTok: env.OPENAI_PRICE_INPUT_PER_MTOK,
        priceOutputPerMTok: env.OPENAI_PRICE_OUTPUT_PER_MTOK,
        batchSize: env.OPENAI_BATCH_SIZE,
        timeoutMs: env.OPENAI_TIMEOUT_MS,
        maxRetries: env.OPENAI_MAX_RETRIES,
      },
    },
    webhooks: {
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retryDelaysMs: env.WEBHOOK_RETRY_DELAYS,
      disableAfterFailures: env.WEBHOOK_DISABLE_AFTER_FAILURES,
    },
    digest: {
      smtpUrl: env.SMTP_URL,
      from: env.DIGEST_FROM,
      hourUtc: env.DIGEST_HOUR_UTC,
      maxAlerts: env.DIGEST_MAX_ALERTS,
      smtpTimeoutMs: env.SMTP_TIMEOUT_MS,
    },
    rateLimit: {
      points: env.RATE_LIMIT_POINTS,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      anonymousPoints: env.RATE_LIMIT_ANONYMOUS_POINTS,
      trustedProxies: env.TRUST_PROXY,
    },
    operations: {
      workerHeartbeatSeconds: env.WORKER_HEARTBEAT_SECONDS,
      readyWorkerMaxAgeSeconds: env.READY_WORKER_MAX_AGE_SECONDS,
      workerDeadAfterSeconds: env.WORKER_DEAD_AFTER_SECONDS,
      shutdownJobDeadlineMs: env.SHUTDOWN_JOB_DEADLINE_MS,
      workerMetricsPort: env.WORKER_METRICS_PORT,
    },
  };
}
