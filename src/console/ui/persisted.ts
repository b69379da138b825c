/**
 * Persisted operations. When the server runs them only (PERSISTED_OPERATIONS=require), it says so in
 * a meta tag of the console's page, and the console sends each operation's id — the sha256 of the
 * printed document, as in the manifest `npm run persisted:manifest` writes — instead of its text.
 * Otherwise it sends the text, which any server accepts.
 */
import { print, type DocumentNode } from 'graphql';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const isPersistedOnly = document.querySelector('meta[name="vigil-persisted-operations"]')?.getAttribute('content') === 'require';

const ids = new WeakMap<DocumentNode, string>();

function idOf(document: DocumentNode): string {
  let id = ids.get(document);
  if (!id) {
    id = bytesToHex(sha256(utf8ToBytes(print(document))));
    ids.set(document, id);
  }
  return id;
}

/** `extensions.persistedQuery` naming the document, when the server wants ids; undefined otherwise. */
export function persistedExtensions(document: DocumentNode): { persistedQuery: { version: 1; sha256Hash: string } } | undefined {
  return isPersistedOnly ? { persistedQuery: { version: 1, sha256Hash: idOf(document) } } : undefined;
}

/** The document part of a request: its text, or (persisted only) an empty query and its id. */
export function documentPayload(document: DocumentNode): { query: string; extensions?: Record<string, unknown> } {
  const extensions = persistedExtensions(document);
  return extensions ? { query: '', extensions } : { query: print(document) };
}
