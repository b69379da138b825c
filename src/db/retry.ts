import type { SQLWrapper } from 'drizzle-orm';
import type { Db, Tx } from './client.ts';

/**
 * SQLSTATEs after which the whole transaction may simply run again: deadlock_detected (two
 * transactions of several statements met each other's row locks in opposite orders, e.g. on the
 * alert rollups) and serialization_failure. PostgreSQL has already rolled the transaction back.
 */
const RETRYABLE_CODES = new Set(['40P01', '40001']);

/** The PostgreSQL error code of `error` or of the error it wraps (drizzle wraps the driver's). */
export function postgresErrorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Called before each new attempt, e.g. to count or log it. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * `db` whose `transaction(work)` runs `work` again from the start when PostgreSQL aborts it with a
 * deadlock or a serialization failure, after a short random pause so the two sides do not meet
 * again in step. `work` must therefore only act through `tx` (or be safe to repeat): everything it
 * wrote was rolled back before the next attempt. `execute(query)` does the same for one statement
 * sent on its own (its own transaction, one round trip), such as a call of a database function.
 */
export function retrying(
  db: Db,
  options: RetryOptions = {},
): { transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>; execute<T extends Record<string, unknown>>(query: SQLWrapper): Promise<T[]> } {
  const attempts = options.attempts ?? 5;
  const again = async <T>(run: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= attempts || !RETRYABLE_CODES.has(postgresErrorCode(error) ?? '')) throw error;
        options.onRetry?.(error, attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
      }
    }
  };
  return {
    transaction: (work) => again(() => db.transaction(work)),
    execute: <T extends Record<string, unknown>>(query: SQLWrapper) => again(async () => [...(await db.execute<T>(query))] as T[]),
  };
}
