import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, useErrorHandler } from 'graphql-yoga';
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Database } from '../db/client.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import type { AuthDeps } from '../services/accounts.ts';
import { authenticate } from '../services/authenticate.ts';
import { startAuthCache, type AuthCacheOptions, type RunningAuthCache } from '../services/auth-cache.ts';
import { useAuthCacheFence } from './auth-cache-fence.ts';
import { DomainError } from '../services/errors.ts';
import type { ApiSettings, Context } from '../graphql/context.ts';
import { INTERNAL_ERROR_MESSAGE, isExpectedError, maskError } from '../graphql/mask-errors.ts';
import { buildSchema } from '../graphql/schema.ts';
import type { ErrorCode } from '../lib/error-codes.ts';
import type { Logger } from '../lib/logger.ts';
import { GRAPHIQL_OPTIONS, renderOfflineGraphiQL } from './graphiql.ts';
import { handleOpsRequest, sendJson, type ReadinessOptions } from './health.ts';
import { createMetrics, useOperationMetrics, type Metrics } from './metrics.ts';
import { DEFAULT_PROTECTIONS, protectionPlugins, useOperationLog, type ProtectionSettings } from './protections.ts';
import { resolveWsDocument, usePersistedOperationsFromManifest, type PersistedOperations } from './persisted-operations.ts';
import { useRateLimit, type RateLimitConfig } from './rate-limit.ts';
import { consoleFiles } from './console.ts';
import { createDirectJson, directJsonOutcomes } from './direct-json.ts';
import { answerClientErrorsWithJson, useRefusalCodes } from './refusals.ts';
import { EventHub } from '../live/hub.ts';
import { KeepAlive } from '../live/keep-alive.ts';
import { serveGraphqlWs } from '../live/ws-server.ts';
import { ConnectionRecheck, type CheckedConnection } from '../live/revocation.ts';
import { usePerEventContext } from '../live/per-event-context.ts';
import { liveSharingMetrics, sendResultsAsFrames } from '../live/frames.ts';
import { LiveGroups } from '../live/groups.ts';
import type { Viewer } from '../services/viewer.ts';

export interface AppDeps {
  database: Database;
  signer: TokenSigner;
  auth: AuthDeps;
  logger: Logger;
  port: number;
  host: string;
  /** Defaults: a 60 s scan-now cooldown and no encryption key (organizations cannot store OpenAI keys). */
  settings?: ApiSettings;
  /** GraphiQL in the browser at /graphql. */
  isGraphiqlEnabled?: boolean;
  /** Events that may wait per subscription before the client is cut off as too slow. */
  liveQueueCapacity?: number;
  /** Depth, alias, token and cost limits, and introspection; defaults suit development. */
  protections?: ProtectionSettings;
  /** Largest request body accepted (HTTP 413 above). */
  maxRequestBytes?: number;
  /** Origins allowed by CORS; undefined for same-origin only. */
  corsOrigins?: string[] | '*';
  metrics?: Metrics;
  /** WebSocket keep-alive ping interval; a socket that misses a pong is terminated. */
  keepAliveMs?: number;
  /** Cost-based budgets per API key, user or IP, kept in the database; absent or `points: 0` is off. */
  rateLimit?: RateLimitConfig;
  /** What `/ready` asks beyond the database and migrations. */
  readiness?: ReadinessOptions;
  /** A manifest of trusted documents, allowed beside ordinary ones or required; absent is off. */
  persistedOperations?: PersistedOperations;
  /** Authentication results kept in memory, dropped on NOTIFY (auth-cache.ts); on unless false. */
  authCache?: AuthCacheOptions | false;
  /** The built browser console, served at `/`; defaults to src/console/dist. Unbuilt, `/` redirects to GraphiQL. */
  consoleDir?: string;
}

/** Close codes Vigil uses on the GraphQL WebSocket besides graphql-ws's own (4403 when auth fails). */
export const CLOSE_CODES = {
  tokenExpired: 4401,
  slowConsumer: 4413,
  goingAway: 1001,
  tryAgainLater: 1013,
} as const;

export interface App {
  server: http.Server;
  /** Whether the browser console is built and served at `/`. */
  hasConsole: boolean;
  hub: EventHub;
  metrics: Metrics;
  /** Resolves with the base URL once listening. */
  start(): Promise<string>;
  /** Stops accepting, drains in-flight requests, then ends the database pool. */
  stop(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;
const KNOWN_ROUTES = new Set(['/graphql', '/health', '/ready', '/metrics', '/']);

interface ServerContext {
  req?: http.IncomingMessage;
  res?: http.ServerResponse;
  requestId: string;
  /** Set for operations over WebSocket: authenticated once, in connection_init. */
  wsViewer?: Viewer;
  wsSocket?: WebSocket;
}

type ConnectionExtra = {
  socket: WebSocket;
  /** The upgrade request: until the connection is authenticated. */
  request?: http.IncomingMessage;
  viewer?: Viewer;
  expiryTimer?: NodeJS.Timeout;
  /** The credential it authenticated with, checked again when its organization's auth rows change. */
  checked?: CheckedConnection;
};

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Yoga logs every error its masking changed at error level, with the error as the only argument —
 * so client mistakes (a typed domain error, a bad ID) showed up as errors with an empty message.
 * Expected errors are client mistakes, already on the operation's info line by code (see
 * `useOperationLog`): here only at debug. The rest at error, through the `err` serializer (which
 * leaves SQL parameters out).
 */
function yogaLogging(logger: Logger) {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const text = args.filter((arg) => typeof arg === 'string').join(' ');
      const error = args.find((arg) => arg instanceof Error);
      if (!error) return logger[level]({ details: args.filter((arg) => typeof arg !== 'string') }, text || 'graphql-yoga');
      if (isExpectedError(error)) {
        const code = error instanceof GraphQLError ? maskError(error) : undefined;
        return logger.debug({ code: code instanceof GraphQLError ? code.extensions.code : undefined }, `client error: ${error.message}`);
      }
      return logger[level]({ err: error }, text || 'unexpected error');
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export function buildApp(deps: AppDeps): App {
  const { database, logger } = deps;
  const settings: ApiSettings = deps.settings ?? { scanNowCooldownSeconds: 60, encryptionKey: undefined };
  const hub = new EventHub(database, logger);
  const liveCapacity = deps.liveQueueCapacity ?? 1_000;
  const metrics = deps.metrics ?? createMetrics({ database, subscriptions: () => hub.subscriberCount });
  const maxRequestBytes = deps.maxRequestBytes ?? 1_048_576;
  let authCache: RunningAuthCache | undefined;
  const liveSharing = liveSharingMetrics(metrics.registry);
  const liveGroups = new LiveGroups({ capacity: liveCapacity, counters: liveSharing.frames });
  hub.countAlso(() => liveGroups.memberCount);
  const rateLimit = deps.rateLimit && deps.rateLimit.points > 0 ? useRateLimit(database.db, deps.rateLimit) : undefined;
  const yoga = createYoga<ServerContext, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    graphiql: (deps.isGraphiqlEnabled ?? true) ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    logging: yogaLogging(logger),
    maskedErrors: { maskError },
    // The server below already refuses a POST without Content-Length (411) or over
    // maxRequestBytes (413), and node's parser reads no more than the announced length: yoga's own
    // limit would only pipe every body through a byte-counting stream again.
    maxRequestBodySize: false,
    context: async ({ request, requestId, wsViewer, wsSocket }): Promise<Context> => {
      let viewer: Context['viewer'];
      if (wsViewer) {
        viewer = wsViewer;
      } else {
        try {
          viewer = await authenticate(database.db, deps.signer, request.headers.get('authorization'), authCache?.cache);
        } catch (error) {
          if (error instanceof DomainError) {
            throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
          }
          throw error;
        }
      }
      return {
        db: database.db,
        viewer,
        requestId,
        auth: deps.auth,
        settings,
        live: {
          hub,
          capacity: liveCapacity,
          onSlowConsumer: wsSocket ? () => wsSocket.close(CLOSE_CODES.slowConsumer, 'Too far behind: resume with the last cursor you received') : undefined,
        },
      };
    },
    cors: deps.corsOrigins ? { origin: deps.corsOrigins === '*' ? '*' : deps.corsOrigins, credentials: false } : false,
    plugins: [
      // First: in `require` mode a document that is not in the manifest is refused before anything parses it.
      ...(deps.persistedOperations ? [usePersistedOperationsFromManifest(deps.persistedOperations)] : []),
      usePerEventContext(liveSharing.executions),
      useRefusalCodes(),
      ...protectionPlugins(deps.protections ?? DEFAULT_PROTECTIONS),
      useOperationMetrics(metrics),
      useOperationLog(logger),
      // This process's own changes hold for its very next request, before their NOTIFY comes back.
      useAuthCacheFence(() => authCache?.cache),
      // Queries run compiled (graphql-jit, once per document); mutations and subscriptions keep graphql-js.
      useGraphQlJit({}, { enableIf: ({ document, operationName }) => getOperationAST(document, operationName)?.operation === 'query' }),
      // After metrics and the log, so refused operations are counted and logged like any other.
      ...(rateLimit ? [rateLimit] : []),
      useErrorHandler(({ errors, context }) => {
        const requestId = (context as Partial<Context>).requestId;
        for (const error of errors) {
          if (!isExpectedError(error)) {
            const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
            logger.error({ err: cause, requestId, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
          }
        }
      }),
    ],
  });

  // With persisted operations every request goes through yoga, where the manifest is checked.
  const directJson = deps.persistedOperations
    ? undefined
    : createDirectJson<ServerContext>({
        yoga: yoga as never,
        responseHeaders: rateLimit ? (request) => rateLimit.responseHeaders(request) : undefined,
        onOutcome: directJsonOutcomes(metrics.registry),
        maskThrown: (error) => {
          logger.error({ err: error }, 'unexpected error');
          return maskError(error) as GraphQLError;
        },
      });

  const consoleApp = consoleFiles(deps.consoleDir, deps.persistedOperations?.mode);
  const server = http.createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0]!;
    const started = performance.now();
    res.once('finish', () => {
      const route = KNOWN_ROUTES.has(path) ? path : 'other';
      metrics.httpDuration.observe({ method: req.method ?? 'GET', route, status: String(res.statusCode) }, (performance.now() - started) / 1000);
    });
    if (handleOpsRequest(path, res, { database, metrics, readiness: deps.readiness })) return;
    if (req.method === 'POST') {
      const length = Number(req.headers['content-length']);
      if (!Number.isFinite(length)) {
        return sendJson(res, 411, { errors: [{ message: 'A Content-Length header is required', extensions: { code: 'LENGTH_REQUIRED' satisfies ErrorCode } }] });
      }
      if (length > maxRequestBytes) {
        req.resume();
        return sendJson(res, 413, { errors: [{ message: `Request body over ${maxRequestBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' satisfies ErrorCode } }] });
      }
    }
    if (consoleApp?.handle(req, res, path)) return;
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    const directMediaType = path === '/graphql' ? directJson?.mediaTypeFor(req) : undefined;
    if (directMediaType) {
      directJson!.handle(req, res, { req, res, requestId }, directMediaType).catch((error: unknown) => {
        logger.error({ err: error, requestId }, 'unexpected error');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: INTERNAL_ERROR_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode } }] });
        else res.destroy();
      });
      return;
    }
    void yoga(req, res, { req, res, requestId });
  });
  server.keepAliveTimeout = 65_000;
  answerClientErrorsWithJson(server);

  // graphql-ws on the same port and path, through yoga's envelop so plugins, context and masking match HTTP.
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: maxRequestBytes });
  const recheck = new ConnectionRecheck(
    (credential) => authenticate(database.db, deps.signer, credential, authCache?.cache),
    logger,
  );
  const wsServer = serveGraphqlWs<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = params.authorization ?? params.Authorization ?? (typeof params.token === 'string' ? `Bearer ${params.token}` : undefined);
        let viewer: Viewer | null = null;
        try {
          viewer = await authenticate(database.db, deps.signer, typeof raw === 'string' ? raw : undefined, authCache?.cache);
        } catch (error) {
          if (!(error instanceof DomainError)) {
            // Not the credentials' fault (the database is unreachable, say): 4403 would tell the
            // client to give up on them. 1013 says try again later.
            logger.warn({ err: error }, 'could not authenticate a WebSocket connection');
            ctx.extra.socket.close(CLOSE_CODES.tryAgainLater, 'Try again later: the service cannot check credentials right now');
            return false;
          }
          viewer = null;
        }
        if (!viewer) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.viewer = viewer;
        if (typeof raw === 'string') {
          ctx.extra.checked = { socket: ctx.extra.socket, credential: raw, viewer };
          recheck.add(ctx.extra.checked);
        }
        // Held for the connection's life otherwise (~1 KiB of headers per idle socket); the viewer is all that is needed now.
        (ctx.extra as { request?: unknown }).request = undefined;
        (ctx as { connectionParams?: unknown }).connectionParams = undefined;
        if (viewer.expiresAt) {
          const remaining = viewer.expiresAt.getTime() - Date.now();
          ctx.extra.expiryTimer = setTimeout(
            () => ctx.extra.socket.close(CLOSE_CODES.tokenExpired, 'Credentials expired: reconnect with a fresh access token'),
            Math.max(0, Math.min(remaining, 2_147_000_000)),
          );
          ctx.extra.expiryTimer.unref();
        }
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiryTimer);
        if (ctx.extra.checked) recheck.remove(ctx.extra.checked);
      },
      onSubscribe: async (ctx, id, payload) => {
        const requestId = randomUUID();
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          req: ctx.extra.request,
          requestId,
          wsViewer: ctx.extra.viewer,
          wsSocket: ctx.extra.socket,
          params: payload,
        } as never);
        // The same persisted-operation rules as over HTTP, before anything is parsed.
        const text = resolveWsDocument(deps.persistedOperations, payload);
        if (text instanceof GraphQLError) return [text];
        // graphql-armor rejects by throwing from parse or validate; both become errors for the client.
        let document;
        try {
          document = parse(text);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe, socket: ctx.extra.socket, id },
        } satisfies ExecutionArgs;
      },
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => never }).execute(args),
      // Subscribers of the same stream share it (src/live/groups.ts); the others still share each
      // event's execution and payload with their equals (src/live/frames.ts).
      subscribe: async (args) => {
        const { subscribe, socket, id } = args.rootValue as { subscribe: (a: ExecutionArgs) => Promise<unknown>; socket: WebSocket; id: string };
        const grouped = await liveGroups.subscribe(args, subscribe, socket, id);
        if (grouped !== undefined) return grouped as never;
        const result = await subscribe(args);
        return isAsyncIterable(result) ? sendResultsAsFrames(result, socket, id, liveSharing.frames) : (result as never);
      },
    },
    wss,
    logger,
  );
  const keepAlive = new KeepAlive(deps.keepAliveMs ?? 12_000);
  wss.on('connection', (socket) => keepAlive.watch(socket));

  let isStopped = false;
  return {
    server,
    hasConsole: consoleApp !== null,
    hub,
    metrics,
    start: async () => {
      await hub.start();
      if (deps.authCache !== false) {
        authCache = await startAuthCache(database, deps.authCache);
        authCache.cache.onInvalidate((organizationId) => recheck.invalidated(organizationId));
      }
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, deps.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${host}:${address.port}`);
        });
      });
    },
    async stop() {
      if (isStopped) return;
      isStopped = true;
      for (const client of wss.clients) client.close(CLOSE_CODES.goingAway, 'Server shutting down');
      keepAlive.stop();
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        // Keep-alive connections are closed as soon as they fall idle — now, or once their request
        // in flight has been answered — rather than holding shutdown until the cut-off below.
        const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(idleSweep);
          resolve();
        });
        server.closeIdleConnections();
        // Requests still running after the grace period are cut off rather than holding shutdown forever.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await yoga.dispose();
      await recheck.settled();
      await hub.stop();
      await authCache?.stop();
      await database.close();
    },
  };
}
