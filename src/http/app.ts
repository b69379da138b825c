import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, useErrorHandler } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import type { Database } from '../db/client.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import type { AuthDeps } from '../services/accounts.ts';
import { authenticate } from '../services/authenticate.ts';
import { DomainError } from '../services/errors.ts';
import type { ApiSettings, Context } from '../graphql/context.ts';
import { isExpectedError, maskError } from '../graphql/mask-errors.ts';
import { buildSchema } from '../graphql/schema.ts';
import type { Logger } from '../lib/logger.ts';
import { checkReadiness } from './health.ts';

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
}

export interface App {
  server: http.Server;
  /** Resolves with the base URL once listening. */
  start(): Promise<string>;
  /** Stops accepting, drains in-flight requests, then ends the database pool. */
  stop(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

interface ServerContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  requestId: string;
}

export function buildApp(deps: AppDeps): App {
  const { database, logger } = deps;
  const settings: ApiSettings = deps.settings ?? { scanNowCooldownSeconds: 60, encryptionKey: undefined };
  const yoga = createYoga<ServerContext, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    graphiql: deps.isGraphiqlEnabled ?? true,
    landingPage: false,
    logging: {
      debug: (...args) => logger.debug(args),
      info: (...args) => logger.info(args),
      warn: (...args) => logger.warn(args),
      error: (...args) => logger.error(args),
    },
    maskedErrors: { maskError },
    context: async ({ request, requestId }): Promise<Context> => {
      let viewer: Context['viewer'];
      try {
        viewer = await authenticate(database.db, deps.signer, request.headers.get('authorization'));
      } catch (error) {
        if (error instanceof DomainError) {
          throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
        }
        throw error;
      }
      return { db: database.db, viewer, requestId, logger: logger.child({ requestId }), auth: deps.auth, settings };
    },
    plugins: [
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

  const server = http.createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') {
      void checkReadiness(database).then(
        (report) => sendJson(res, report.isReady ? 200 : 503, report),
        (error: unknown) => sendJson(res, 503, { isReady: false, error: String(error) }),
      );
      return;
    }
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    void yoga(req, res, { req, res, requestId });
  });
  server.keepAliveTimeout = 65_000;

  let isStopped = false;
  return {
    server,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, deps.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${host}:${address.port}`);
        });
      }),
    async stop() {
      if (isStopped) return;
      isStopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after the grace period are cut off rather than holding shutdown forever.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await yoga.dispose();
      await database.close();
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
