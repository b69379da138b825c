/**
 * A contender the read benchmark measures Vigil against, alone in its own process like the API
 * (see api-process.ts), so each server's CPU time is its own: `process.cpuUsage()` answered over IPC.
 *
 * - `postgraphile`: PostGraphile V5 (amber preset) on the same database and tables, served by
 *   grafserv on node:http, without authentication.
 * - `raw`: node:http and postgres.js running exactly the statements Vigil's API sent for the page
 *   (authentication included, captured by the benchmark), prepared, and writing the same JSON.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import type { FromPeerProcess, PeerStart, ToPeerProcess } from './peer-protocol.ts';

let server: Server | undefined;
let release: (() => Promise<void>) | undefined;

function send(message: FromPeerProcess): void {
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

async function startPostGraphile(options: PeerStart): Promise<Server> {
  // Loaded only in this process: PostGraphile is a devDependency the API never imports.
  const { postgraphile } = await import('postgraphile');
  const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
  const { makePgService } = await import('postgraphile/adaptors/pg');
  const { grafserv } = await import('postgraphile/grafserv/node');
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: options.databaseUrl, schemas: ['public'], poolConfig: { max: options.poolMax } })],
    grafserv: { graphiqlOnGraphQLGET: false, watch: false, maxRequestLength: 100_000 },
    grafast: { explain: false },
  });
  const serv = pgl.createServ(grafserv);
  const http = createServer();
  await serv.addTo(http, false);
  // Build the schema before the first measured request.
  await pgl.getSchema();
  // Releasing the instance releases its serv too.
  release = async () => {
    await pgl.release();
  };
  return http;
}

/**
 * Vigil's own statements, straight, in order, each with the parameters Vigil gave: the key's lookup
 * if Vigil sent one (its row is not checked — the round trip is what counts here), then the page.
 * With no statements it answers `{ "data": { "alerts": [] } }`: the floor of node:http itself.
 */
function startRaw(options: PeerStart): Server {
  const sql = postgres(options.databaseUrl, { max: options.poolMax, onnotice: () => {}, connection: { application_name: 'vigil-bench-raw' } });
  release = () => sql.end({ timeout: 5 });
  const statements = options.statements ?? [];
  const isKeyLookup = statements.map((statement) => /\bfrom "?api_keys"?/i.test(statement.text));
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Parsed like a GraphQL server would, though the statements are fixed.
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      void (async () => {
        const results: unknown[] = [];
        for (const statement of statements) results.push(await sql.unsafe(statement.text, statement.parameters as never[], { prepare: true }));
        // Everything but the key's row (when Vigil looked one up) goes back, as the page.
        res.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8' });
        res.end(JSON.stringify({ data: { alerts: results.filter((_, i) => !isKeyLookup[i]) } }));
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
}

async function start(options: PeerStart): Promise<void> {
  server = options.kind === 'postgraphile' ? await startPostGraphile(options) : startRaw(options);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  send({ type: 'listening', url: `http://127.0.0.1:${port}` });
}

async function stop(): Promise<void> {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
  await release?.();
  server = undefined;
  send({ type: 'stopped' });
  if (process.connected) process.disconnect();
}

process.on('message', (message: ToPeerProcess) => {
  const fail = (error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  switch (message.type) {
    case 'start':
      start(message.options).catch(fail);
      break;
    case 'cpu':
      send({ type: 'cpu', usage: process.cpuUsage() });
      break;
    case 'stop':
      stop().catch(fail);
      break;
  }
});

process.on('SIGINT', () => {});
process.on('disconnect', () => {
  void Promise.resolve(release?.()).finally(() => process.exit(0));
});
