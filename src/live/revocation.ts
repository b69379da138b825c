import type { WebSocket } from 'ws';
import type { Viewer } from '../services/viewer.ts';
import type { Logger } from '../lib/logger.ts';
import { DomainError } from '../services/errors.ts';

/** What an authenticated connection keeps so it can be checked again: its credential, as sent. */
export interface CheckedConnection {
  readonly socket: WebSocket;
  readonly credential: string;
  viewer: Viewer;
}

/** graphql-ws's Forbidden: the client must not retry with the same credentials. */
const FORBIDDEN = 4403;

/**
 * Open WebSockets are authenticated once, in connection_init. When the authentication cache is
 * invalidated for an organization (its keys, memberships or sessions changed), this checks that
 * organization's open connections again and closes, with 4403, those whose credential no longer
 * authenticates, or authenticates with another role (the client reconnects with its current one).
 *
 * Invalidations are gathered and checked in one pass after the current turn of the event loop,
 * with one lookup per distinct credential; nothing here runs per event. A lookup that fails for
 * another reason (the database is unreachable) leaves the connection open: the next invalidation,
 * or the LISTEN reconnect that follows an outage, checks it again.
 */
export class ConnectionRecheck {
  private readonly byOrganization = new Map<string, Set<CheckedConnection>>();
  private pending = new Set<string>();
  private isScheduled = false;
  private running: Promise<void> | undefined;
  private readonly authenticate: (credential: string) => Promise<Viewer | null>;
  private readonly logger: Logger;

  constructor(authenticate: (credential: string) => Promise<Viewer | null>, logger: Logger) {
    this.authenticate = authenticate;
    this.logger = logger;
  }

  add(connection: CheckedConnection): void {
    const organizationId = connection.viewer.organizationId;
    let set = this.byOrganization.get(organizationId);
    if (!set) this.byOrganization.set(organizationId, (set = new Set()));
    set.add(connection);
  }

  remove(connection: CheckedConnection): void {
    const set = this.byOrganization.get(connection.viewer.organizationId);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.byOrganization.delete(connection.viewer.organizationId);
  }

  /** An organization's authentication rows changed, or (undefined) possibly everyone's. */
  invalidated(organizationId: string | undefined): void {
    if (organizationId === undefined) for (const id of this.byOrganization.keys()) this.pending.add(id);
    else if (this.byOrganization.has(organizationId)) this.pending.add(organizationId);
    else return;
    this.schedule();
  }

  /** Resolves once every check asked for so far has run (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.isScheduled || this.running) await (this.running ?? new Promise((resolve) => setImmediate(resolve)));
  }

  private schedule(): void {
    if (this.isScheduled || this.running) return;
    this.isScheduled = true;
    setImmediate(() => {
      this.isScheduled = false;
      this.running = this.pass().finally(() => {
        this.running = undefined;
        if (this.pending.size > 0) this.schedule();
      });
    });
  }

  private async pass(): Promise<void> {
    const organizations = this.pending;
    this.pending = new Set();
    const lookups = new Map<string, Promise<Viewer | null | 'unknown'>>();
    const checks: Promise<void>[] = [];
    for (const organizationId of organizations) {
      for (const connection of this.byOrganization.get(organizationId) ?? []) {
        if (connection.socket.readyState !== connection.socket.OPEN) continue;
        let lookup = lookups.get(connection.credential);
        if (!lookup) {
          lookup = this.authenticate(connection.credential).catch((error: unknown) => {
            if (error instanceof DomainError) return null;
            this.logger.warn({ err: error }, 'could not check an open WebSocket connection again');
            return 'unknown' as const;
          });
          lookups.set(connection.credential, lookup);
        }
        checks.push(lookup.then((viewer) => this.apply(connection, viewer)));
      }
    }
    await Promise.all(checks);
  }

  private apply(connection: CheckedConnection, viewer: Viewer | null | 'unknown'): void {
    if (viewer === 'unknown' || connection.socket.readyState !== connection.socket.OPEN) return;
    if (!viewer || viewer.organizationId !== connection.viewer.organizationId) {
      connection.socket.close(FORBIDDEN, 'Credentials revoked');
    } else if (viewer.role !== connection.viewer.role) {
      connection.socket.close(FORBIDDEN, 'Role changed: reconnect to continue with the current role');
    }
  }
}
