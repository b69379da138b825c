import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import WebSocket from 'ws';
import { repoRoot } from './config.ts';

/**
 * Starts `node <args>` with its open-file limit raised to the hard limit first: a process holding
 * 10,000 sockets needs more than the common soft default of 1,024, and only the process itself
 * (here the shell that then becomes node through `exec`) may raise it. The pid is node's own.
 */
export function spawnNode(args: string[], options: SpawnOptions): ChildProcess {
  return spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...args], {
    cwd: repoRoot,
    ...options,
  });
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS, or VmHWM for the peak). */
export function readMemory(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time a process has used so far, in seconds (/proc/<pid>/stat). */
export function readCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `graceMs`: only ever the child given, by its pid. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Sends `message` over IPC and waits for the next message `accept` takes, a failure, an exit or a timeout. */
export function ask<Reply extends { type: string }, Out>(
  child: ChildProcess,
  message: unknown,
  accept: (reply: Reply) => Out | undefined,
  what: string,
  timeoutMs: number,
): Promise<Out> {
  return new Promise((resolve, reject) => {
    const finish = (action: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      action();
    };
    const onMessage = (reply: Reply) => {
      if (reply.type === 'failed') return finish(() => reject(new Error(`${what}: ${(reply as unknown as { error: string }).error}`)));
      const out = accept(reply);
      if (out !== undefined) finish(() => resolve(out));
    };
    const onExit = (code: number | null, signal: string | null) => finish(() => reject(new Error(`${what}: the process exited (${code ?? signal})`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`))), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== undefined) child.send(message as never);
  });
}

/** Node's inspector on a port the OS picks, so the benchmark can ask for a full garbage collection. */
export const INSPECT_FLAG = '--inspect=127.0.0.1:0';

/** The inspector's WebSocket URL, from the "Debugger listening on ws://…" line a child prints to stderr. */
export function inspectorUrl(child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(text);
      if (!match) return;
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      resolve(match[1]!);
    };
    const timer = setTimeout(() => reject(new Error(`no inspector URL within ${timeoutMs} ms`)), timeoutMs);
    child.stderr!.on('data', onData);
  });
}

/**
 * Calls inspector methods in another process over one short session: the server measured runs no
 * benchmark code of its own, and nothing stays attached to it between calls.
 */
export async function inspect(url: string, calls: { method: string; params?: Record<string, unknown> }[]): Promise<unknown[]> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const results: unknown[] = [];
    for (const [index, call] of calls.entries()) {
      const id = index + 1;
      results.push(
        await new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the inspector did not answer ${call.method} within 60 s`)), 60_000);
          const onMessage = (data: WebSocket.RawData) => {
            const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
            if (reply.id !== id) return;
            clearTimeout(timer);
            socket.off('message', onMessage);
            if (reply.error) reject(new Error(`${call.method}: ${reply.error.message}`));
            else resolve(reply.result);
          };
          socket.on('message', onMessage);
          socket.send(JSON.stringify({ id, method: call.method, params: call.params }));
        }),
      );
    }
    return results;
  } finally {
    socket.close();
  }
}

/**
 * A full, memory-reducing garbage collection in another process. Without it a process's RSS says
 * more about when V8 last collected than about what it holds: an idle API sits at its start-up
 * peak for ~25 s before V8's memory reducer runs.
 */
export async function collectGarbage(url: string): Promise<void> {
  await inspect(url, [{ method: 'HeapProfiler.collectGarbage' }, { method: 'HeapProfiler.collectGarbage' }]);
}

/** Evaluates an expression in another process's main context and returns its value. */
export async function evaluate(url: string, expression: string): Promise<unknown> {
  const [result] = (await inspect(url, [{ method: 'Runtime.evaluate', params: { expression, returnByValue: true } }])) as {
    result: { value?: unknown };
    exceptionDetails?: { text: string; exception?: { description?: string } };
  }[];
  if (result!.exceptionDetails) throw new Error(`evaluation failed: ${result!.exceptionDetails.exception?.description ?? result!.exceptionDetails.text}`);
  return result!.result.value;
}

const LOOP_DELAY = 'globalThis.__vigilBenchLoopDelay';

/** Starts an event-loop delay histogram (perf_hooks, 10 ms resolution) in another process. */
export async function startLoopDelay(url: string): Promise<void> {
  await evaluate(
    url,
    `(() => { ${LOOP_DELAY}?.disable(); const h = process.getBuiltinModule('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable(); ${LOOP_DELAY} = h; return true; })()`,
  );
}

/** Stops the histogram started by startLoopDelay; the longest and 99th-percentile delays in ms. */
export async function takeLoopDelay(url: string): Promise<{ maxMs: number; p99Ms: number }> {
  const value = await evaluate(url, `(() => { const h = ${LOOP_DELAY}; h.disable(); ${LOOP_DELAY} = undefined; return { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 }; })()`);
  return value as { maxMs: number; p99Ms: number };
}
