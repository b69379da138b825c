/**
 * The child side of the benchmarks' helper processes (process-pool.ts is the parent's): the live
 * benchmark's client-process.ts and the soak's subscriber-process.ts. Imports nothing, so that a
 * helper process carries nothing but its own work.
 */

type Message = { type: string };

/** A message to the benchmark; the benchmark may have gone away meanwhile (a timeout): the callback takes the EPIPE. */
export function sendToParent<T extends Message>(message: T): void {
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

/**
 * Serves the benchmark that started this process: each message goes to the handler of its type,
 * and what a handler throws (or rejects with) is answered with `failed`. When the benchmark goes
 * away (finished, failed or interrupted) `onDisconnect` runs and the process exits, so it never
 * outlives it; Ctrl-C, which reaches the whole process group, is left to the benchmark. Says
 * `ready` last.
 */
export function serveParent<To extends Message>(handlers: { [K in To['type']]: (message: Extract<To, { type: K }>) => void | Promise<void> }, onDisconnect: () => void): void {
  process.on('message', (message: To) => {
    const fail = (error: unknown) => sendToParent({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    const handler = handlers[message.type as To['type']] as ((message: To) => void | Promise<void>) | undefined;
    if (!handler) return;
    try {
      const done = handler(message);
      if (done instanceof Promise) done.catch(fail);
    } catch (error) {
      fail(error);
    }
  });
  process.on('disconnect', () => {
    onDisconnect();
    process.exit(0);
  });
  process.on('SIGINT', () => {});
  sendToParent({ type: 'ready' });
}

/**
 * Runs `open(0)` … `open(count - 1)`, at most `inFlight` at a time, appending what each resolves
 * with to `opened`; failures are counted and the first one's message kept.
 */
export async function openConcurrently<T>(count: number, inFlight: number, open: (index: number) => Promise<T>, opened: T[]): Promise<{ failed: number; firstError: string | undefined }> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        opened.push(await open(index));
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return { failed, firstError };
}
