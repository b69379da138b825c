import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;

export interface LoggerStyle {
  /** Human-readable single lines (pino-pretty) instead of JSON: development. */
  isPretty?: boolean;
}

/**
 * Never logged: SQL parameters (drizzle's and postgres.js's errors carry them, and they hold
 * password and key hashes), and credentials — in headers, or in a field of that name at the top
 * level or one object down. Secrets are never logged on purpose; this catches the accident (a
 * request's headers, a job's payload, a library's error object) before it reaches a log store.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'token', 'accessToken', 'refreshToken', 'apiKey', 'secret', 'authorization', 'cookie', 'key', 'openAiKey'];
export const REDACTED_PATHS = [
  'params',
  'parameters',
  '*.params',
  '*.parameters',
  '*.args',
  'err.cause.params',
  'err.cause.parameters',
  'err.cause.args',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'connectionParams',
  '*.connectionParams',
];

/**
 * `err`/`error`: without SQL parameters, and without the pg client a database error drags along
 * (graphile-worker logs those as `error`). `job`: graphile-worker hands its log calls the whole job
 * row, payload included; a log line names the job, not its row.
 */
const serializers: LoggerOptions['serializers'] = {
  err: serializeError,
  error: (error: unknown) => (error instanceof Error ? serializeError(error) : error),
  job: (job: { id?: unknown; task_identifier?: unknown; attempts?: unknown; max_attempts?: unknown } | undefined) =>
    job && typeof job === 'object' ? { id: job.id, task: job.task_identifier, attempt: job.attempts, maxAttempts: job.max_attempts } : job,
};

export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination?: DestinationStream, style: LoggerStyle = {}): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'vigil', ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers,
  };
  if (style.isPretty) {
    // Synchronous, in this thread: lines written just before process.exit are not lost.
    const colorize = !destination && process.stdout.isTTY === true;
    return pino(options, pretty({ sync: true, destination, colorize, translateTime: 'SYS:HH:MM:ss', singleLine: true, ignore: 'pid,hostname,service,role,worker' }));
  }
  return destination ? pino(options, destination) : pino(options);
}

/** Drizzle puts a failed statement's parameters in its message ("Failed query: …\nparams: …"). */
const PARAMS_IN_TEXT = /\nparams: [^]*?(?=\n\s+at |\ncaused by: |$)/g;

function serializeError(error: unknown): unknown {
  return scrub(pino.stdSerializers.err(error as Error));
}

function scrub(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const record = { ...(value as Record<string, unknown>) };
  for (const key of ['params', 'parameters', 'args', 'types', 'client']) delete record[key];
  for (const key of ['message', 'stack']) {
    if (typeof record[key] === 'string') record[key] = (record[key] as string).replace(PARAMS_IN_TEXT, '\nparams: [not logged]');
  }
  if (record.cause) record.cause = record.cause instanceof Error ? serializeError(record.cause) : scrub(record.cause);
  return record;
}
