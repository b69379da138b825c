import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { apiKeys } from '../db/schema/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { Viewer } from './viewer.ts';

/**
 * The channel the triggers in drizzle/functions/09_auth_changes.sql NOTIFY whenever a row that an
 * authentication result depends on changes (an API key, a membership, a session's revocation).
 * The payload is the organization concerned.
 */
export const AUTH_CHANGES_CHANNEL = 'vigil_auth_changes';

/** last_used_at is advisory: written at most once a minute per key, so reads do not turn into writes. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthCacheOptions {
  /** Entries kept at most; the oldest goes first. */
  maxEntries?: number;
  /** A safety net only: every change that matters is announced and drops its entries at once. */
  ttlMs?: number;
}

interface Entry {
  viewer: Viewer;
  storedAt: number;
  /** For an API key: when its last_used_at was last written or queued. */
  lastUsedAt: number;
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
  private readonly pendingKeyUses = new Set<string>();
  private currentGeneration = 0;

  constructor(options: AuthCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 60_000;
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
    const { apiKeyId } = entry.viewer;
    if (apiKeyId && now - entry.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      entry.lastUsedAt = now;
      this.pendingKeyUses.add(apiKeyId);
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
    const now = Date.now();
    // The lookup that produced this result stamped last_used_at itself (see authenticate.ts).
    this.entries.set(credential, { viewer, storedAt: now, lastUsedAt: now });
  }

  /** Drops the entries of one organization, or all of them. */
  invalidate(organizationId?: string): void {
    this.currentGeneration += 1;
    if (!organizationId) {
      this.entries.clear();
      return;
    }
    for (const [credential, entry] of this.entries) {
      if (entry.viewer.organizationId === organizationId) this.entries.delete(credential);
    }
  }

  /** The API keys used from the cache since the last call, whose last_used_at is due. */
  takeKeyUses(): string[] {
    const ids = [...this.pendingKeyUses];
    this.pendingKeyUses.clear();
    return ids;
  }
}

export interface RunningAuthCache {
  cache: AuthCache;
  /** Writes the last uses still queued and stops listening. */
  stop(): Promise<void>;
}

const FLUSH_INTERVAL_MS = 10_000;

/**
 * Starts a cache that follows AUTH_CHANGES_CHANNEL. postgres.js LISTENs on one connection per
 * client for every channel, so this shares the connection the live-event hub already holds. Cached
 * API-key uses are written to last_used_at in one batched statement every few seconds, off the
 * request path.
 */
export async function startAuthCache(database: Database, logger: Logger, options: AuthCacheOptions = {}): Promise<RunningAuthCache> {
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
  const flush = async (): Promise<void> => {
    const ids = cache.takeKeyUses();
    if (ids.length === 0) return;
    await database.db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(inArray(apiKeys.id, ids));
  };
  const timer = setInterval(() => void flush().catch((error: unknown) => logger.warn({ err: error }, 'could not record API key use')), FLUSH_INTERVAL_MS);
  timer.unref();
  return {
    cache,
    async stop() {
      clearInterval(timer);
      await flush().catch((error: unknown) => logger.warn({ err: error }, 'could not record API key use'));
      await listening.unlisten().catch(() => {});
      cache.invalidate();
    },
  };
}
