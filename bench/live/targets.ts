import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ask, collectGarbage, evaluate, hasExited, INSPECT_FLAG, inspectorUrl, spawnNode, startLoopDelay, stopChild, takeLoopDelay } from './processes.ts';
import type { FromBaselineServer, ToBaselineServer } from './protocol.ts';

/** A server the subscribers connect to: the real Vigil API, or the bare `ws` baseline. */
export interface Target {
  /** Base URL, e.g. http://127.0.0.1:41234; sockets go to `${url}/graphql` as ws://. */
  url: string;
  pid: number;
  /** A full garbage collection in the server's process, before its memory is read. */
  collectGarbage(): Promise<void>;
  /** The process's inspector (ws://127.0.0.1:…), for diagnostics beyond the calls below. */
  inspectorUrl: string;
  /** V8 heap in use (`process.memoryUsage().heapUsed`), read through the inspector. */
  heapUsed(): Promise<number>;
  /** Starts timing the server's event loop; `takeLoopDelay` stops and reports. */
  startLoopDelay(): Promise<void>;
  takeLoopDelay(): Promise<{ maxMs: number; p99Ms: number }>;
  /** Ends the process: the API drains and closes its sockets with 1001. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT = 64 * 1024;

export interface VigilApi extends Target {
  /** The API's own log lines so far (the last 64 KiB), for when something goes wrong. */
  output(): string;
}

/**
 * `node src/main.ts --role=api`, as deployed, on the given database. LOG_LEVEL is `info` because
 * the line announcing the URL ("Vigil is up: GraphiQL at …") is logged at info and the port is
 * chosen by the OS; the API logs nothing per connection or per event at that level. The one
 * addition is `--inspect` on 127.0.0.1, so the benchmark can collect garbage before reading RSS
 * and time the event loop during the burst.
 */
export async function startVigilApi(databaseUrl: string): Promise<VigilApi> {
  const child = spawnNode([INSPECT_FLAG, 'src/main.ts', '--role=api'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      // This measures fan-out: every subscriber shares one key, whose budget would refuse most of
      // them at subscribe; and no worker runs beside this API.
      RATE_LIMIT_POINTS: '0',
      READY_WORKER_MAX_AGE_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const inspector = inspectorUrl(child);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the Vigil API was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)), READY_TIMEOUT_MS);
      const onData = () => {
        // "Vigil is up: GraphQL API at http://127.0.0.1:<port>/graphql" ("GraphiQL at" when it is served).
        const match = /(?:GraphiQL at |Vigil is up[^\n]*?)(http:\/\/[^\s/"]+)/.exec(output);
        if (!match) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the Vigil API exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    const inspectorAt = await inspector;
    return {
      url,
      pid: child.pid!,
      output: () => output,
      inspectorUrl: inspectorAt,
      collectGarbage: () => collectGarbage(inspectorAt),
      heapUsed: async () => Number(await evaluate(inspectorAt, 'process.memoryUsage().heapUsed')),
      startLoopDelay: () => startLoopDelay(inspectorAt),
      takeLoopDelay: () => takeLoopDelay(inspectorAt),
      stop: () => stopChild(child, 15_000),
    };
  } catch (error) {
    await stopChild(child, 1_000);
    throw error;
  }
}

export interface BaselineServer extends Target {
  /** Sends `text` to every subscribed socket, serialized once. */
  broadcast(text: string): void;
}

/** The bare `ws` server of baseline-server.ts in a process of its own. */
export async function startBaselineServer(): Promise<BaselineServer> {
  const child: ChildProcess = spawnNode([INSPECT_FLAG, 'bench/live/baseline-server.ts'], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' });
  const inspector = inspectorUrl(child);
  // The server's own errors go where the benchmark's go; the inspector's chatter does not.
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = chunk.toString().split('\n').filter((line) => line.trim() && !/^(Debugger (listening|attached|ending)|For help, see)/.test(line));
    if (lines.length > 0) process.stderr.write(`[baseline server] ${lines.join('\n')}\n`);
  });
  try {
    const inspectorAt = await inspector;
    const url = await ask<FromBaselineServer, string>(child, undefined, (m) => (m.type === 'listening' ? m.url : undefined), 'baseline server start', READY_TIMEOUT_MS);
    const post = (message: ToBaselineServer) => child.send(message);
    return {
      url,
      pid: child.pid!,
      inspectorUrl: inspectorAt,
      collectGarbage: () => collectGarbage(inspectorAt),
      heapUsed: async () => Number(await evaluate(inspectorAt, 'process.memoryUsage().heapUsed')),
      startLoopDelay: () => startLoopDelay(inspectorAt),
      takeLoopDelay: () => takeLoopDelay(inspectorAt),
      broadcast: (text) => post({ type: 'broadcast', text }),
      async stop() {
        if (hasExited(child)) return;
        post({ type: 'stop' });
        await stopChild(child, 10_000);
      },
    };
  } catch (error) {
    await stopChild(child, 1_000);
    throw error;
  }
}
