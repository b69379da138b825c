import type { ChildProcess } from 'node:child_process';

/**
 * Sends `message` to a benchmark child process and waits for the reply of type `expected`, a
 * `failed` report, the child's exit, or the timeout.
 */
export function ipcRequest<Reply extends { type: string }, Expected extends Reply['type']>(
  child: ChildProcess,
  message: { type: string; [key: string]: unknown },
  expected: Expected,
  timeoutMs = 30_000,
): Promise<Extract<Reply, { type: Expected }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the child process did not answer ${message.type} within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (reply: Reply) => {
      if (reply.type === expected) finish(undefined, reply as Extract<Reply, { type: Expected }>);
      else if (reply.type === 'failed') finish(new Error(`the child process failed:\n${(reply as unknown as { error: string }).error}`));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`the child process exited (${signal ?? `code ${code}`}) while handling ${message.type}`));
    function finish(error: Error | undefined, reply?: Extract<Reply, { type: Expected }>) {
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

/**
 * Asks a benchmark child process to stop (`requestStop`), then gives it 15 s to exit before
 * killing it: it is ours, and must not outlive the benchmark.
 */
export async function stopChild(child: ChildProcess, exited: Promise<void>, requestStop: () => Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    await requestStop();
  } finally {
    await Promise.race([exited, delay(15_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
