/** Messages between the benchmark and the API it runs in a child process (see api-process.ts). */
export type ToApiProcess =
  | { type: 'start'; databaseUrl: string; poolMax: number }
  /** Start keeping the SQL statements the API sends; only on while counting, so the load run stores nothing. */
  | { type: 'statements:record' }
  /** Stop keeping statements and answer with those sent since `statements:record`. */
  | { type: 'statements:take' }
  /** Answer once no request is in flight and no statement was sent for a moment (stragglers of a load run). */
  | { type: 'settle' }
  /** Answer with the process's `process.cpuUsage()`, for CPU time per request. */
  | { type: 'cpu' }
  | { type: 'stop' };

export type FromApiProcess =
  | { type: 'listening'; url: string }
  | { type: 'statements:recording' }
  | { type: 'statements'; statements: string[] }
  | { type: 'settled'; isIdle: boolean }
  | { type: 'cpu'; usage: NodeJS.CpuUsage }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };
