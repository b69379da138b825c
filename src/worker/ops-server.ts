import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../db/client.ts';
import { handleOpsRequest, sendJson, type ReadinessOptions } from '../http/health.ts';
import type { Metrics } from '../http/metrics.ts';

export interface OpsServerDeps {
  database: Database;
  metrics: Metrics;
  readiness: ReadinessOptions;
  port: number;
  host: string;
}

export interface OpsServer {
  /** Base URL, e.g. `http://127.0.0.1:4001`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * `/health`, `/ready` and `/metrics` for a process that runs only the worker (`--role=worker`), so it
 * can be probed and scraped like the API. With `--role=all` the API serves them instead.
 */
export async function startOpsServer(deps: OpsServerDeps): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    if (handleOpsRequest(path!, res, deps)) return;
    sendJson(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
