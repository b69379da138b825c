import type { Database, Db } from '../db/client.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import type { AuthDeps } from '../services/accounts.ts';
import type { Viewer } from '../services/viewer.ts';
import type { Logger } from '../lib/logger.ts';
import type { EventHub } from '../live/hub.ts';

/** What every resolver may reach; built once per request (and once per WebSocket operation). */
export interface Context {
  db: Db;
  viewer: Viewer | null;
  requestId: string;
  auth: AuthDeps;
  settings: ApiSettings;
  live: LiveContext;
}

/** What subscriptions need: the process's event hub and, over WebSockets, a way to cut off a slow client. */
export interface LiveContext {
  hub: EventHub;
  capacity: number;
  onSlowConsumer?: () => void;
  /** The stream feeds a group of subscribers (src/live/groups.ts), which counts them itself. */
  isGroupUpstream?: boolean;
}

/** Server settings some resolvers need. */
export interface ApiSettings {
  scanNowCooldownSeconds: number;
  /** Encrypts organizations' own OpenAI keys; undefined when the server has none configured. */
  encryptionKey: Buffer | undefined;
}

/** Long-lived dependencies the server hands to every context. */
export interface ContextDeps {
  database: Database;
  signer: TokenSigner;
  auth: AuthDeps;
  logger: Logger;
}
