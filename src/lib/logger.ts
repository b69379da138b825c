import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Never logged: SQL parameters (drizzle's and postgres.js's errors carry them, and they hold
 * password and key hashes), credentials in headers. A failed statement is logged by its text only.
 */
const REDACTED_PATHS = [
  'params',
  'parameters',
  '*.params',
  '*.parameters',
  '*.args',
  'err.cause.params',
  'err.cause.parameters',
  'err.cause.args',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'vigil', ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
  };
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
  for (const key of ['params', 'parameters', 'args', 'types']) delete record[key];
  for (const key of ['message', 'stack']) {
    if (typeof record[key] === 'string') record[key] = (record[key] as string).replace(PARAMS_IN_TEXT, '\nparams: [not logged]');
  }
  if (record.cause) record.cause = record.cause instanceof Error ? serializeError(record.cause) : scrub(record.cause);
  return record;
}
