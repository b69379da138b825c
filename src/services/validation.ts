import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/** Parses `input` with `schema`, turning every zod issue into a field issue under `root`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root: (string | number)[] = ['input']): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      path: [...root, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      message: issue.message,
    })),
  );
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
