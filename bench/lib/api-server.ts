import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromApiProcess, ToApiProcess } from './api-protocol.ts';
import { ipcRequest, stopChild } from './ipc.ts';

export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
  /** The SQL statements the API sent while `run` was going on. Run requests one at a time. */
  statementsDuring(run: () => Promise<unknown>): Promise<string[]>;
  /** Waits until the API has finished what earlier load left in flight. */
  settle(): Promise<void>;
  /** The process's CPU time so far (user + system), in milliseconds. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

const apiProcessPath = fileURLToPath(new URL('./api-process.ts', import.meta.url));

/** Starts the real API (buildApp) in a child process on 127.0.0.1, port 0. */
export async function startApiServer(options: { databaseUrl: string; poolMax: number }): Promise<ApiServer> {
  // BENCH_API_CPU_PROFILE_DIR=dir: the API process writes a V8 CPU profile there when it stops
  // (open it in Chrome's DevTools or speedscope) — where the requests' CPU goes, without the load tool's.
  const profileDir = process.env.BENCH_API_CPU_PROFILE_DIR;
  const execArgv = profileDir ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : process.execArgv;
  const child = fork(apiProcessPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const listening = await request(child, { type: 'start', ...options }, 'listening');
    return {
      url: listening.url,
      pid: child.pid!,
      async statementsDuring(run) {
        await request(child, { type: 'statements:record' }, 'statements:recording');
        await run();
        return (await request(child, { type: 'statements:take' }, 'statements')).statements;
      },
      async settle() {
        const { isIdle } = await request(child, { type: 'settle' }, 'settled', 90_000);
        if (!isIdle) throw new Error('the API was still busy a minute after the load stopped');
      },
      async cpuMs() {
        const { usage } = await request(child, { type: 'cpu' }, 'cpu');
        return (usage.user + usage.system) / 1000;
      },
      stop: () => stopChild(child, exited, () => request(child, { type: 'stop' }, 'stopped')),
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

function request<T extends FromApiProcess['type']>(child: ChildProcess, message: ToApiProcess, expected: T, timeoutMs?: number) {
  return ipcRequest<FromApiProcess, T>(child, message, expected, timeoutMs);
}
