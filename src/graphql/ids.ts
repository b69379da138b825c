import { decodeGlobalId, encodeGlobalId, INTEGER_ID_TYPENAMES, type NodeTypename } from '../lib/global-id.ts';
import { ValidationError } from '../services/errors.ts';
import { isUuid } from '../services/validation.ts';

export { encodeGlobalId };

const INTEGER_ID = /^[1-9]\d{0,17}$/;

/** Whether `id` has the shape of a row id of `typename`, so garbage never reaches the database. */
function isRowId(typename: NodeTypename, id: string): boolean {
  return INTEGER_ID_TYPENAMES.has(typename) ? INTEGER_ID.test(id) : isUuid(id);
}

/** The typename and row id of a global ID made by this API, or null. */
export function decodeNodeId(value: string): { typename: NodeTypename; id: string } | null {
  const decoded = decodeGlobalId(value);
  if (!decoded) return null;
  const typename = decoded.typename as NodeTypename;
  if (!isRowId(typename, decoded.id)) return null;
  return { typename, id: INTEGER_ID_TYPENAMES.has(typename) ? decoded.id : decoded.id.toLowerCase() };
}

/**
 * Turns a global ID into the row id, or a `ValidationError` naming the argument. Checking the
 * typename means an alert's ID can never be used to address a monitor, and checking the id's shape
 * keeps garbage away from the database.
 */
export function parseGlobalId(value: string, typename: NodeTypename, path: (string | number)[]): string {
  const decoded = decodeNodeId(value);
  if (!decoded || decoded.typename !== typename) throw ValidationError.single(path, `is not a valid ${typename} ID`);
  return decoded.id;
}

export function parseGlobalIds(values: readonly string[], typename: NodeTypename, path: (string | number)[]): string[] {
  return values.map((value, index) => parseGlobalId(value, typename, [...path, index]));
}

/** For DataLoader keys that came through `node(id)`: anything not a UUID simply does not exist. */
export function onlyUuids(ids: readonly string[]): string[] {
  return ids.filter(isUuid);
}

/** The same for the integer ids of the append-only logs. */
export function onlyIntegerIds(ids: readonly (string | number)[]): number[] {
  return ids.map(String).filter((id) => INTEGER_ID.test(id)).map(Number);
}
