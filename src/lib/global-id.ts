/**
 * Global IDs: what the API calls every object by. The one encoder, used by the GraphQL layer
 * (through Pothos' relay plugin, see src/graphql/ids.ts), error messages, webhook deliveries (their
 * `webhook-id` header and the IDs in their bodies, which the database triggers store as row ids),
 * digests and tests alike. The database makes none: test/global-ids.test.ts holds it to that.
 *
 * The format is Relay's: standard base64 of `<Typename>:<row id>`, with padding. Clients must treat
 * it as opaque.
 */
export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${String(id)}`, 'utf8').toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_LENGTH = 200;

/** The typename and row id inside a global ID, or null when the text is not one this API made. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } | null {
  // Node's base64 decoder skips characters it does not know; only canonical text is accepted.
  if (globalId.length === 0 || globalId.length > MAX_LENGTH || !BASE64.test(globalId)) return null;
  const text = Buffer.from(globalId, 'base64').toString('utf8');
  const separator = text.indexOf(':');
  if (separator <= 0 || separator === text.length - 1) return null;
  const typename = text.slice(0, separator);
  if (!/^[A-Z][A-Za-z]*$/.test(typename)) return null;
  return { typename, id: text.slice(separator + 1) };
}

/** Every type the API gives a global ID to: each implements `Node` and resolves through `node(id)`. */
export const nodeTypenames = [
  'Alert',
  'AlertHistoryEntry',
  'AlertNote',
  'ApiKey',
  'BrandProfile',
  'Invitation',
  'LedgerEntry',
  'Membership',
  'Monitor',
  'Organization',
  'Scan',
  'Silence',
  'SuppressedFinding',
  'SuppressionRule',
  'User',
  'Webhook',
  'WebhookDelivery',
] as const;
export type NodeTypename = (typeof nodeTypenames)[number];

/** Row ids are UUIDs, except for the append-only logs, numbered by an identity column. */
export const INTEGER_ID_TYPENAMES: ReadonlySet<NodeTypename> = new Set(['AlertHistoryEntry', 'LedgerEntry']);
