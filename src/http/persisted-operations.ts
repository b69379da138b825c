import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ConfigError } from '../config.ts';
import type { ErrorCode } from '../lib/error-codes.ts';
import { sha256Hex } from '../scanning/canonical.ts';

/**
 * Persisted (trusted) operations: the operator ships a manifest of the documents its clients may
 * send, and clients send an operation's id instead of its text.
 *
 * - `allow`: ids from the manifest run, and so do ordinary documents.
 * - `require`: only ids from the manifest run; any other document is refused before it is parsed.
 *
 * The manifest is the `persisted-documents.json` graphql-codegen's client preset writes (and what
 * `npm run persisted:manifest` writes for Vigil's own client): `{ "<sha256 hex of the document>":
 * "<document>" }`. A client names an operation with `documentId` (the GraphQL-over-HTTP trusted
 * documents convention, optionally prefixed `sha256:`) or with Apollo's
 * `extensions.persistedQuery.sha256Hash`. Over WebSocket, whose subscribe message must carry a
 * `query` string, the query is left empty and the id goes in the same places.
 */
type PersistedOperationsMode = 'off' | 'allow' | 'require';

export interface PersistedOperations {
  mode: Exclude<PersistedOperationsMode, 'off'>;
  /** Document text by its sha256 (lowercase hex). */
  documents: ReadonlyMap<string, string>;
}

const PERSISTED_ERRORS = {
  notFound: 'PERSISTED_QUERY_NOT_FOUND',
  only: 'PERSISTED_QUERY_ONLY',
  idRequired: 'PERSISTED_QUERY_ID_REQUIRED',
} as const satisfies Record<string, ErrorCode>;

const HASH_PATTERN = /^[0-9a-f]{64}$/;

export function persistedOperationId(document: string): string {
  return sha256Hex(document);
}

/**
 * Reads and checks a manifest: every key must be the sha256 of its document, and every document
 * must parse. A bad manifest stops startup with the entry at fault, rather than failing requests later.
 */
export function loadPersistedOperations(file: string, mode: Exclude<PersistedOperationsMode, 'off'>): PersistedOperations {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`PERSISTED_OPERATIONS_FILE ${file}: cannot be read as JSON (${(error as Error).message})`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([`PERSISTED_OPERATIONS_FILE ${file}: expected an object of { "<sha256 hex>": "<document>" }`]);
  }
  const documents = new Map<string, string>();
  for (const [key, document] of Object.entries(raw)) {
    const id = normalizeId(key);
    if (!id) throw new ConfigError([`PERSISTED_OPERATIONS_FILE ${file}: "${key}" is not a sha256 hex digest`]);
    if (typeof document !== 'string') throw new ConfigError([`PERSISTED_OPERATIONS_FILE ${file}: the document of ${key} is not a string`]);
    if (persistedOperationId(document) !== id) throw new ConfigError([`PERSISTED_OPERATIONS_FILE ${file}: ${key} is not the sha256 of its document`]);
    try {
      parse(document);
    } catch (error) {
      throw new ConfigError([`PERSISTED_OPERATIONS_FILE ${file}: the document of ${key} does not parse: ${(error as Error).message}`]);
    }
    documents.set(id, document);
  }
  return { mode, documents };
}

function normalizeId(value: string): string | null {
  const id = value.startsWith('sha256:') ? value.slice('sha256:'.length) : value;
  return HASH_PATTERN.test(id) ? id : null;
}

/** The id a request names, from `documentId` or `extensions.persistedQuery.sha256Hash`; null if none. */
function extractOperationId(params: { documentId?: unknown; extensions?: unknown }): string | null {
  if (typeof params.documentId === 'string') return params.documentId;
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  if (persisted && typeof persisted === 'object' && typeof persisted.sha256Hash === 'string') return persisted.sha256Hash;
  return null;
}

function lookup(operations: PersistedOperations, id: string): string | null {
  const normalized = normalizeId(id.toLowerCase());
  return normalized ? (operations.documents.get(normalized) ?? null) : null;
}

const errors = {
  notFound: (id: string) =>
    new GraphQLError(`No persisted operation has the id ${JSON.stringify(id.slice(0, 80))}: it is not in this server's manifest`, {
      extensions: { code: PERSISTED_ERRORS.notFound, http: { status: 400 } },
    }),
  only: () =>
    new GraphQLError('This server runs persisted operations only: send the operation\'s id as documentId (or extensions.persistedQuery.sha256Hash) instead of its text', {
      extensions: { code: PERSISTED_ERRORS.only, http: { status: 400 } },
    }),
  idRequired: () =>
    new GraphQLError('Send a query, or the id of a persisted operation as documentId (or extensions.persistedQuery.sha256Hash)', {
      extensions: { code: PERSISTED_ERRORS.idRequired, http: { status: 400 } },
    }),
};

/** yoga's persisted-operations plugin over the manifest, with Vigil's error codes. */
export function usePersistedOperationsFromManifest(operations: PersistedOperations): Plugin {
  // yoga's GET parser keeps only query, operationName, variables and extensions: documentId is read off the URL.
  const idOf = (params: unknown, request: Request) =>
    extractOperationId(params as { documentId?: unknown; extensions?: unknown }) ??
    (request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null);
  return usePersistedOperations({
    allowArbitraryOperations: operations.mode === 'allow',
    extractPersistedOperationId: idOf,
    getPersistedOperation: (id) => lookup(operations, id),
    customErrors: {
      notFound: (payload) => errors.notFound(idOf(payload.params, payload.request) ?? ''),
      persistedQueryOnly: () => errors.only(),
      keyNotFound: () => errors.idRequired(),
    },
  }) as Plugin;
}

/**
 * The same rules for a graphql-ws subscribe payload: the document text to run, or the error to
 * answer with. Without persisted operations the payload's query is returned as is.
 */
export function resolveWsDocument(operations: PersistedOperations | undefined, payload: { query: string; documentId?: unknown; extensions?: unknown }): string | GraphQLError {
  if (!operations) return payload.query;
  const id = extractOperationId(payload);
  if (payload.query.trim() !== '') return operations.mode === 'allow' ? payload.query : errors.only();
  if (id === null) return errors.idRequired();
  return lookup(operations, id) ?? errors.notFound(id);
}
