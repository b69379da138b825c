import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ipcRequest, stopChild } from './ipc.ts';
import type { FromPeerProcess, PeerStart } from './peer-protocol.ts';

export interface PeerServer {
  url: string;
  pid: number;
  /** The process's CPU time so far (user + system), in milliseconds. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

const peerProcessPath = fileURLToPath(new URL('./peer-process.ts', import.meta.url));

/** Starts a contender (PostGraphile or raw) in a child process on 127.0.0.1, port 0. */
export async function startPeerServer(options: PeerStart): Promise<PeerServer> {
  const child = fork(peerProcessPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const listening = await ipcRequest<FromPeerProcess, 'listening'>(child, { type: 'start', options }, 'listening', 120_000);
    return {
      url: listening.url,
      pid: child.pid!,
      async cpuMs() {
        const { usage } = await ipcRequest<FromPeerProcess, 'cpu'>(child, { type: 'cpu' }, 'cpu');
        return (usage.user + usage.system) / 1000;
      },
      stop: () => stopChild(child, exited, () => ipcRequest<FromPeerProcess, 'stopped'>(child, { type: 'stop' }, 'stopped')),
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
