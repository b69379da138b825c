/** Messages between the read benchmark and a contender it runs in a child process (see peer-process.ts). */
export interface PeerStatement {
  text: string;
  parameters: unknown[];
}

export interface PeerStart {
  kind: 'postgraphile' | 'raw';
  databaseUrl: string;
  poolMax: number;
  /** `raw` only: the statements one Vigil request sent, in order, with their parameters. */
  statements?: PeerStatement[];
}

export type ToPeerProcess = { type: 'start'; options: PeerStart } | { type: 'cpu' } | { type: 'stop' };

export type FromPeerProcess =
  | { type: 'listening'; url: string }
  | { type: 'cpu'; usage: NodeJS.CpuUsage }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };
