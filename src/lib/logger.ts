import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;

export interface LoggerStyle {
  /** Human-readable lines (pino-pretty) instead of JSON: development on a terminal. */
  isPretty?: boolean;
  /** Where lines go; standard output by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Fields whose values never reach a log line, at the top level or one object down. Secrets are
 * never logged on purpose; this catches the accident (a request's headers, a job's payload, a
 * library's error object) before it lands in a log store.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'token', 'accessToken', 'refreshToken', 'apiKey', 'secret', 'authorization', 'cookie', 'key', 'openAiKey'];
export const REDACTED_PATHS = [
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
 * graphile-worker hands its log calls the whole job row (payload included: webhook bodies,
 * organization ids, anything a task carries) and database errors that hold the pg client with its
 * connection settings. A log line names the job and says what went wrong; nothing more.
 */
const serializers: LoggerOptions['serializers'] = {
  job: (job: { id?: unknown; task_identifier?: unknown; attempts?: unknown; max_attempts?: unknown } | undefined) =>
    job && typeof job === 'object' ? { id: job.id, task: job.task_identifier, attempt: job.attempts, maxAttempts: job.max_attempts } : job,
  error: (error: unknown) => (error instanceof Error ? describeError(error) : error),
  err: (error: unknown) => (error instanceof Error ? describeError(error) : error),
};

function describeError(error: Error & { code?: unknown; cause?: unknown }): Record<string, unknown> {
  return {
    type: error.name,
    message: error.message,
    ...(error.code !== undefined ? { code: error.code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.cause instanceof Error ? { cause: describeError(error.cause) } : {}),
  };
}

export function createLogger(level: string, bindings: Record<string, unknown> = {}, style: LoggerStyle = {}): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'vigil', ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers,
  };
  if (!style.isPretty) return style.destination ? pino(options, style.destination) : pino(options);
  // Synchronous, in this thread: lines written just before process.exit are not lost.
  return pino(options, pretty({ sync: true, destination: style.destination, colorize: !style.destination && process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', singleLine: true, ignore: 'pid,hostname,service,role,worker' }));
}
