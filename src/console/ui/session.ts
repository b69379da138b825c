/**
 * Who the console speaks as. A signed-in user holds one session per organization they signed in to
 * (the access token names one organization), so switching organization needs no new password; an
 * API key is a session of its own. Kept in localStorage so a reload stays signed in.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ConsoleRefreshSessionDocument, ConsoleViewerDocument, type ConsoleSessionFragment } from '../generated/graphql.ts';
import { documentPayload } from './persisted.ts';

export interface Credential {
  organization: { id: string; name: string };
  userName: string;
  /** An API key, or a session's access token (renewed with `refreshToken`). */
  token: string;
  refreshToken?: string;
  accessTokenExpiresAt?: string;
}

interface Stored {
  activeOrganizationId: string | null;
  credentials: Credential[];
}

const STORAGE_KEY = 'vigil.console.credentials';
const listeners = new Set<() => void>();

function read(): Stored {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Stored | null;
    if (parsed && Array.isArray(parsed.credentials)) return parsed;
  } catch {
    // A damaged entry is the same as none: sign in again.
  }
  return { activeOrganizationId: null, credentials: [] };
}

let stored = read();

// Another tab signed in, out, or renewed the session: follow it, so no tab keeps a spent refresh token.
window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY) return;
  stored = read();
  for (const listener of listeners) listener();
});

function write(next: Stored): void {
  stored = next;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  for (const listener of listeners) listener();
}

export function subscribeToCredentials(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function allCredentials(): Credential[] {
  return stored.credentials;
}

export function activeCredential(): Credential | null {
  return stored.credentials.find((c) => c.organization.id === stored.activeOrganizationId) ?? null;
}

export function fromSession(session: ConsoleSessionFragment): Credential {
  return {
    organization: session.organization,
    userName: session.user.name,
    token: session.accessToken,
    refreshToken: session.refreshToken,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
  };
}

/** Adds (or replaces) the credential of its organization and makes it the active one. */
export function adoptCredential(credential: Credential): void {
  const others = stored.credentials.filter((c) => c.organization.id !== credential.organization.id);
  write({ activeOrganizationId: credential.organization.id, credentials: [...others, credential] });
}

export function switchOrganization(organizationId: string): void {
  if (stored.credentials.some((c) => c.organization.id === organizationId)) write({ ...stored, activeOrganizationId: organizationId });
}

/** Forgets every credential (signing out); returns them so their sessions can be revoked. */
export function forgetAll(): Credential[] {
  const all = stored.credentials;
  write({ activeOrganizationId: null, credentials: [] });
  return all;
}

/** Forgets the active credential; another organization's, if any, becomes active. */
export function forgetActive(): Credential | null {
  const active = activeCredential();
  const rest = stored.credentials.filter((c) => c !== active);
  write({ activeOrganizationId: rest[0]?.organization.id ?? null, credentials: rest });
  return active;
}

/** A plain POST to /graphql, typed by the document; used before a client exists and for refreshes. */
export async function postOperation<R, V>(document: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<{ data?: R | null; errors?: { message: string }[] }> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    // An empty query (persisted operations only) is left out of the body; JSON drops undefined.
    body: JSON.stringify({ ...documentPayload(document), query: documentPayload(document).query || undefined, variables }),
  });
  return (await response.json()) as { data?: R | null; errors?: { message: string }[] };
}

/** Checks an API key and turns it into a credential, or says why not. */
export async function credentialFromApiKey(key: string): Promise<Credential | string> {
  const result = await postOperation(ConsoleViewerDocument, {}, key).catch(() => null);
  const viewer = result?.data?.viewer;
  if (!viewer) return result?.errors?.[0]?.message ?? 'That API key was not accepted.';
  return { organization: viewer.organization, userName: viewer.user?.name ?? 'API key', token: key };
}

let refreshing: Promise<string | null> | null = null;

/** A token renewed this close to its expiry: requests in flight still find it valid. */
const RENEW_BEFORE_MS = 30_000;

function isFresh(credential: Credential): boolean {
  return !credential.refreshToken || !credential.accessTokenExpiresAt || new Date(credential.accessTokenExpiresAt).getTime() - Date.now() > RENEW_BEFORE_MS;
}

/**
 * The active credential's token, renewed first when an access token is about to run out. One refresh
 * at a time, across tabs too (Web Locks, where the browser has them): a refresh token is single-use,
 * and reusing one revokes the session.
 */
export async function freshToken(): Promise<string | null> {
  const credential = activeCredential();
  if (!credential) return null;
  if (isFresh(credential)) return credential.token;
  refreshing ??= (async () => {
    try {
      return navigator.locks ? await navigator.locks.request('vigil-console-refresh', refreshActive) : await refreshActive();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function refreshActive(): Promise<string | null> {
  // Another tab may have renewed it while this one waited for the lock.
  stored = read();
  const credential = activeCredential();
  if (!credential) return null;
  if (isFresh(credential)) return credential.token;
  const result = await postOperation(ConsoleRefreshSessionDocument, { input: { refreshToken: credential.refreshToken! } });
  const refreshed = result.data?.refreshSession;
  if (refreshed?.__typename !== 'RefreshSessionPayload') {
    forgetActive();
    return null;
  }
  const next = fromSession(refreshed.session);
  adoptCredential(next);
  return next.token;
}
