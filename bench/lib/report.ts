import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  platform: string;
}

export function describeMachine(postgresVersion: string): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    postgres: postgresVersion,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * Which code was measured: the commit, and whether src/ or drizzle/ differed from it. Read-only
 * (GIT_OPTIONAL_LOCKS=0 keeps `git status` from refreshing the index).
 */
export function describeRevision(cwd: string): string {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git(['rev-parse', '--short', 'HEAD']);
    const changed = git(['status', '--porcelain', '--', 'src', 'drizzle']);
    return changed ? `${commit} with uncommitted changes in src/ or drizzle/` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** First line of a statement, trimmed, for the report. */
export function abbreviate(statement: string, length = 110): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
