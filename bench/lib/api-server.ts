import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromApiProcess, ToApiProcess } from './api-protocol.ts';

export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
  /** The SQL statements the API sent while `run` was going on. Run requests one at a time. */
  statementsDuring(run: () => Promise<unknown>): Promise<string[]>;
  /** Waits until the API has finished what earlier load left in flight. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const apiProcessPath = fileURLToPath(new URL('./api-process.ts', import.meta.url));
const REPLY_TIMEOUT_MS = 30_000;

/** Starts the real API (buildApp) in a child process on 127.0.0.1, port 0. */
export async function startApiServer(options: { databaseUrl: string; poolMax: number }): Promise<ApiServer> {
  const child = fork(apiProcessPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        try {
          await request(child, { type: 'stop' }, 'stopped');
        } finally {
          await Promise.race([exited, delay(15_000)]);
          // Still there after the drain grace period: it is ours, so end it.
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

type Reply<T extends FromApiProcess['type']> = Extract<FromApiProcess, { type: T }>;

/** Sends `message` and waits for the reply of type `expected`, a failure report, exit or timeout. */
function request<T extends FromApiProcess['type']>(
  child: ChildProcess,
  message: ToApiProcess,
  expected: T,
  timeoutMs = REPLY_TIMEOUT_MS,
): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the API process did not answer ${message.type} within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (reply: FromApiProcess) => {
      if (reply.type === expected) finish(undefined, reply as Reply<T>);
      else if (reply.type === 'failed') finish(new Error(`the API process failed:\n${reply.error}`));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`the API process exited (${signal ?? `code ${code}`}) while handling ${message.type}`));
    function finish(error: Error | undefined, reply?: Reply<T>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(reply!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(message);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
