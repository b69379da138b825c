import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { workerHeartbeats } from '../../src/db/schema/index.ts';
import { checkReadiness } from '../../src/http/health.ts';
import { releaseDeadWorkers } from '../../src/worker/heartbeat.ts';
import type { WorkerHandle } from '../../src/worker/runner.ts';
import { sleep, waitUntil } from '../helpers/live.ts';
import { startTestWorker } from '../helpers/scanning.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startTestServer({ readiness: { workerMaxAgeSeconds: 3 } });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.database.db.delete(workerHeartbeats);
});
afterAll(async () => {
  await server?.stop();
});

async function ready(): Promise<{ status: number; body: { isReady: boolean; worker: string; database: string; migrations: string } }> {
  const response = await fetch(`${server.url}/ready`);
  return { status: response.status, body: (await response.json()) as never };
}

async function startWorker(): Promise<WorkerHandle> {
  const worker = await startTestWorker(server, { operations: { workerHeartbeatSeconds: 1, workerDeadAfterSeconds: 5 } });
  cleanups.push(() => worker.stop());
  return worker;
}

describe('worker heartbeats and /ready', () => {
  it('is not ready without a worker, ready while one beats, and not ready again once it stops', async () => {
    expect(await ready()).toEqual({ status: 503, body: { isReady: false, database: 'ok', migrations: 'current', worker: 'none' } });

    const worker = await startWorker();
    const [row] = await server.database.db.select().from(workerHeartbeats);
    expect(row).toMatchObject({ workerId: worker.workerId, pid: process.pid });
    expect(worker.workerId).toMatch(/^pool-/);
    expect(await ready()).toEqual({ status: 200, body: { isReady: true, database: 'ok', migrations: 'current', worker: 'ok' } });

    // It keeps beating: last_seen_at moves on.
    const first = row!.lastSeenAt.getTime();
    await waitUntil(
      async () => ((await server.database.db.select().from(workerHeartbeats))[0]?.lastSeenAt.getTime() ?? 0) > first,
      'a second heartbeat',
      5_000,
    );

    await worker.stop();
    expect(await server.database.db.select().from(workerHeartbeats)).toEqual([]);
    expect(await ready()).toMatchObject({ status: 503, body: { isReady: false, worker: 'none' } });
  });

  it('reports a worker that stopped beating as stale', async () => {
    await server.database.db.insert(workerHeartbeats).values({ workerId: 'pool-gone', hostname: 'elsewhere', pid: 1, lastSeenAt: sql`now() - interval '1 minute'` });
    expect(await ready()).toEqual({ status: 503, body: { isReady: false, database: 'ok', migrations: 'current', worker: 'stale' } });
  });

  it('leaves workers out when the limit is 0 or not given', async () => {
    expect(await checkReadiness(server.database)).toEqual({ isReady: true, database: 'ok', migrations: 'current', worker: 'not-checked' });
    expect(await checkReadiness(server.database, { workerMaxAgeSeconds: 0 })).toMatchObject({ isReady: true, worker: 'not-checked' });
  });
});

describe('releasing the jobs of dead workers', () => {
  let other: Database;
  beforeAll(() => {
    other = connectDatabase(server.databaseUrl, { max: 2 });
  });
  afterAll(async () => {
    await other?.close();
  });

  /** A job locked the way graphile-worker locks it, by a worker pool that no longer exists. */
  async function jobLockedBy(workerId: string): Promise<string> {
    const [job] = await server.database.sql<{ id: string }[]>`
      select id::text from graphile_worker.add_job('monitors__enqueue_due', '{}'::json, max_attempts := 3)`;
    await server.database.sql`update graphile_worker._private_jobs set locked_by = ${workerId}, locked_at = now(), attempts = 1 where id = ${job!.id}`;
    return job!.id;
  }

  async function lockOf(jobId: string) {
    const [job] = await server.database.sql<{ locked_by: string | null; locked_at: Date | null }[]>`
      select locked_by, locked_at from graphile_worker.jobs where id = ${jobId}`;
    return job;
  }

  it('two workers sweeping at once release a dead worker’s jobs exactly once, and leave live workers alone', async () => {
    await server.database.db.insert(workerHeartbeats).values([
      { workerId: 'pool-dead', hostname: 'a', pid: 1, lastSeenAt: sql`now() - interval '1 minute'` },
      { workerId: 'pool-alive', hostname: 'b', pid: 2 },
    ]);
    const deadJob = await jobLockedBy('pool-dead');
    const liveJob = await jobLockedBy('pool-alive');

    const results = await Promise.all([
      releaseDeadWorkers(server.database.db, 'pool-sweeper-1', 30),
      releaseDeadWorkers(other.db, 'pool-sweeper-2', 30),
    ]);

    expect(results.flat()).toEqual(['pool-dead']);
    expect(await lockOf(deadJob)).toEqual({ locked_by: null, locked_at: null });
    expect(await lockOf(liveJob)).toMatchObject({ locked_by: 'pool-alive' });
    const rows = await server.database.db.select({ workerId: workerHeartbeats.workerId }).from(workerHeartbeats);
    expect(rows).toEqual([{ workerId: 'pool-alive' }]);
    await server.database.sql`delete from graphile_worker._private_jobs where id in (${deadJob}, ${liveJob})`;
  });

  it('a running worker sweeps on its own heartbeat', async () => {
    await server.database.db.insert(workerHeartbeats).values({ workerId: 'pool-crashed', hostname: 'a', pid: 1, lastSeenAt: sql`now() - interval '1 minute'` });
    const job = await jobLockedBy('pool-crashed');
    // Keep the job away from the worker under test: it would run it once unlocked.
    await server.database.sql`update graphile_worker._private_jobs set run_at = now() + interval '1 hour' where id = ${job}`;

    const worker = await startWorker();
    // Not before it has beaten steadily for the dead-after period (5 s) itself.
    await waitUntil(async () => (await lockOf(job))?.locked_by === null, 'the crashed worker’s job to be unlocked', 10_000);
    const rows = await server.database.db.select({ workerId: workerHeartbeats.workerId }).from(workerHeartbeats);
    expect(rows).toEqual([{ workerId: worker.workerId }]);
    expect(await server.database.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.workerId, 'pool-crashed'))).toEqual([]);
    await server.database.sql`delete from graphile_worker._private_jobs where id = ${job}`;
  });

  it('after an outage longer than the dead-after period, a worker back first does not take the others, still beating, for dead', { timeout: 30_000 }, async () => {
    // Another live worker, beating every second as a real one would, holding a job. Set up before the
    // worker under test starts: a running worker could take the job in the moment before it is locked.
    await server.database.db.insert(workerHeartbeats).values({ workerId: 'pool-elsewhere', hostname: 'b', pid: 2 });
    const job = await jobLockedBy('pool-elsewhere');
    await server.database.sql`update graphile_worker._private_jobs set run_at = now() + interval '1 hour' where id = ${job}`;
    const worker = await startWorker();
    let isOutage = false;
    const otherBeats = setInterval(() => {
      if (!isOutage) void server.database.sql`update worker_heartbeats set last_seen_at = now() where worker_id = 'pool-elsewhere'`.catch(() => {});
    }, 1_000);
    try {
      await waitUntil(async () => (await server.database.db.select().from(workerHeartbeats)).length === 2, 'both workers beating');
      // The outage, as the heartbeats see it: for 7 s (past the 5 s dead-after) no beat gets through.
      isOutage = true;
      const outage = server.database.sql.begin(async (tx) => {
        await tx`lock table worker_heartbeats in access exclusive mode`;
        await sleep(7_000);
      });
      await outage;
      // The worker under test is back first (its write was waiting on the lock); the other resumes
      // beating only after that, as a live worker up to an interval behind would.
      await waitUntil(
        async () => (await server.database.sql`select 1 from worker_heartbeats where worker_id = ${worker.workerId} and last_seen_at > now() - interval '1 second'`).length > 0,
        'the worker under test to beat again',
      );
      isOutage = false;
      await sleep(3_000);
      expect(await lockOf(job)).toMatchObject({ locked_by: 'pool-elsewhere' });
      const rows = await server.database.db.select({ workerId: workerHeartbeats.workerId }).from(workerHeartbeats);
      expect(rows.map((r) => r.workerId).sort()).toEqual([worker.workerId, 'pool-elsewhere'].sort());
    } finally {
      clearInterval(otherBeats);
      await server.database.sql`delete from graphile_worker._private_jobs where id = ${job}`;
    }
  });
});
