import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../services/errors.ts';
import { isUuid } from '../services/validation.ts';

/**
 * Turns a global ID into the row id, or a `ValidationError` naming the argument. Checking the
 * typename means an alert's ID can never be used to address a monitor, and checking the UUID shape
 * keeps garbage away from the database.
 */
export function parseGlobalId(value: string, typename: string, path: (string | number)[]): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(value);
  } catch {
    throw ValidationError.single(path, `is not a valid ${typename} ID`);
  }
  if (decoded.typename !== typename || !isUuid(decoded.id)) {
    throw ValidationError.single(path, `is not a valid ${typename} ID`);
  }
  return decoded.id.toLowerCase();
}

export function parseGlobalIds(values: readonly string[], typename: string, path: (string | number)[]): string[] {
  return values.map((value, index) => parseGlobalId(value, typename, [...path, index]));
}

/** For DataLoader keys that came through `node(id)`: anything not a UUID simply does not exist. */
export function onlyUuids(ids: readonly string[]): string[] {
  return ids.filter(isUuid);
}
