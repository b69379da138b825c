import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { collectGarbage, evaluate, INSPECT_FLAG, inspectorUrl, sleep, spawnNode, stopChild } from '../live/processes.ts';

const READY_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT = 64 * 1024;

export interface SoakApi {
  url: string;
  pid: number;
  /** A full garbage collection in the API process, through its inspector. */
  collectGarbage(): Promise<void>;
  /** V8's heap used, read through the inspector: answers even when the HTTP server is swamped. */
  heapUsedViaInspector(): Promise<number>;
  /** Log lines at warn or above (LOG_LEVEL=warn: nothing else is logged). */
  warnings(): string[];
  output(): string;
  hasExited(): boolean;
  stop(): Promise<void>;
}

/** A port nobody listens on right now; the API binds it a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `node src/main.ts --role=api` as deployed in production: LOG_LEVEL=warn, no introspection, no
 * worker check in readiness, and a rate-limit budget too large to refuse the load but still
 * charged on every operation. The one addition is `--inspect` on 127.0.0.1, so that memory can be
 * read after a forced full collection at the checkpoints.
 */
export async function startSoakApi(databaseUrl: string, rateLimitPoints: number): Promise<SoakApi> {
  const port = await freePort();
  const child = spawnNode([INSPECT_FLAG, 'src/main.ts', '--role=api'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      GRAPHQL_INTROSPECTION: 'false',
      SEED_DEMO: 'false',
      RATE_LIMIT_POINTS: String(rateLimitPoints),
      READY_WORKER_MAX_AGE_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const warnings: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-OUTPUT_KEPT);
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) warnings.push(line.slice(0, 2_000));
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const url = `http://127.0.0.1:${port}`;
  try {
    const inspector = await inspectorUrl(child);
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited()) throw new Error(`the Vigil API exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
      const status = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (performance.now() > deadline) throw new Error(`the Vigil API was not ready within ${READY_TIMEOUT_MS / 1000} s (last /ready: ${status}):\n${output}`);
      await sleep(200);
    }
    return {
      url,
      pid: child.pid!,
      collectGarbage: () => collectGarbage(inspector),
      heapUsedViaInspector: async () => Number(await evaluate(inspector, 'process.memoryUsage().heapUsed')),
      warnings: () => warnings,
      output: () => output,
      hasExited: exited,
      stop: () => stopChild(child, 15_000),
    };
  } catch (error) {
    await stopChild(child, 1_000);
    throw error;
  }
}

export interface MetricsSnapshot {
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** As prom-client reads it (/proc/self/status in the process itself). */
  residentBytes: number;
  activeSubscriptions: number;
}

/** The figures the soak watches, read from the API's own `/metrics` (prom-client, prefix vigil_process_). */
export async function readMetrics(url: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const value = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
    if (!match) throw new Error(`/metrics has no ${name}`);
    return Number(match[1]);
  };
  return {
    heapUsedBytes: value('vigil_process_nodejs_heap_size_used_bytes'),
    heapTotalBytes: value('vigil_process_nodejs_heap_size_total_bytes'),
    residentBytes: value('vigil_process_process_resident_memory_bytes'),
    activeSubscriptions: value('vigil_active_subscriptions'),
  };
}
