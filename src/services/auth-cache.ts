import type { Database } from '../db/client.ts';
import type { Viewer } from './viewer.ts';

/**
 * The channel the triggers in drizzle/functions/09_auth_changes.sql NOTIFY whenever a row that an
 * authentication result depends on changes (an API key, a membership, a session's revocation).
 * The payload is the organization concerned.
 */
export const AUTH_CHANGES_CHANNEL = 'vigil_auth_changes';

/**
 * last_used_at is advisory: written at most once a minute per key, so reads do not turn into writes.
 * It is written by the lookup itself (see authenticate.ts), and an entry lives no longer than this,
 * so a key in steady use is looked up, and stamped, about once a minute per process: no request
 * answered from the cache writes anything.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthCacheOptions {
  /** Entries kept at most; the oldest goes first. */
  maxEntries?: number;
  /**
   * A safety net (every change that matters is announced and drops its entries at once), and the
   * resolution of last_used_at. At most LAST_USED_RESOLUTION_MS.
   */
  ttlMs?: number;
}

interface Entry {
  viewer: Viewer;
  storedAt: number;
}

/**
 * Successful authentication results, per credential, in this process. Failures are not kept: they
 * go to the database every time. An entry is dropped when its organization's authentication rows
 * change (NOTIFY), when the LISTEN connection is re-established (notifications may have been
 * missed), when its TTL passes, or when its credential expires.
 *
 * A lookup that started before a change but finishes after its notification would store what it
 * read before the change: `generation` moves on every notification, and a result is stored only if
 * it has not moved since its lookup began.
 */
export class AuthCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private currentGeneration = 0;
  private readonly listeners: ((organizationId: string | undefined) => void)[] = [];

  constructor(options: AuthCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = Math.min(options.ttlMs ?? LAST_USED_RESOLUTION_MS, LAST_USED_RESOLUTION_MS);
  }

  get generation(): number {
    return this.currentGeneration;
  }

  get size(): number {
    return this.entries.size;
  }

  get(credential: string): Viewer | undefined {
    const entry = this.entries.get(credential);
    if (!entry) return undefined;
    const now = Date.now();
    if (now - entry.storedAt > this.ttlMs || (entry.viewer.expiresAt && entry.viewer.expiresAt.getTime() <= now)) {
      this.entries.delete(credential);
      return undefined;
    }
    return entry.viewer;
  }

  /** Keeps a result read from the database, unless something changed since `generation` was read. */
  set(credential: string, viewer: Viewer, generation: number): void {
    if (generation !== this.currentGeneration) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(credential, { viewer, storedAt: Date.now() });
  }

  /** Called on every invalidation (an organization, or undefined for all); must return at once. */
  onInvalidate(listener: (organizationId: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Drops the entries of one organization, or all of them. */
  invalidate(organizationId?: string): void {
    this.currentGeneration += 1;
    for (const listener of this.listeners) listener(organizationId);
    if (!organizationId) {
      this.entries.clear();
      return;
    }
    for (const [credential, entry] of this.entries) {
      if (entry.viewer.organizationId === organizationId) this.entries.delete(credential);
    }
  }
}

export interface RunningAuthCache {
  cache: AuthCache;
  /** Stops listening. */
  stop(): Promise<void>;
}

/**
 * Starts a cache that follows AUTH_CHANGES_CHANNEL. postgres.js LISTENs on one connection per
 * client for every channel, so this shares the connection the live-event hub already holds.
 */
export async function startAuthCache(database: Database, options: AuthCacheOptions = {}): Promise<RunningAuthCache> {
  const cache = new AuthCache(options);
  let listenCount = 0;
  const listening = await database.sql.listen(
    AUTH_CHANGES_CHANNEL,
    (payload) => cache.invalidate(payload || undefined),
    () => {
      // Every LISTEN after the first follows a reconnect, and changes may have gone unannounced.
      listenCount += 1;
      if (listenCount > 1) cache.invalidate();
    },
  );
  return {
    cache,
    async stop() {
      await listening.unlisten().catch(() => {});
      cache.invalidate();
    },
  };
}
