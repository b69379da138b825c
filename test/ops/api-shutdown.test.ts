import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanMonitorNowDocument, ViewerDocument } from '../generated/graphql.ts';
import { createMonitor, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { gqlAt, spawnVigil, waitUntil, type VigilProcess } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * SIGTERM to an API process: it stops accepting at once, lets a request already running finish
 * with its answer, and exits 0 as soon as it has — an operator's rolling restart loses no request
 * in flight and does not wait on idle keep-alive connections.
 */
let server: TestServer;
let account: TestAccount;
let api: VigilProcess | undefined;

beforeAll(async () => {
  server = await startTestServer({ scanNowCooldownSeconds: 0 });
  account = await signUpAccount(server);
});
afterAll(async () => {
  await api?.stop();
  await server?.stop();
});

describe('SIGTERM to an API process', () => {
  it('refuses new connections, finishes the request in flight with its answer, and exits 0', { timeout: 60_000 }, async () => {
    api = await spawnVigil('api', server.databaseUrl, { READY_WORKER_MAX_AGE_SECONDS: '0' });
    const url = api.url!;
    expect((await gqlAt(url, ViewerDocument, {}, account.accessToken)).data?.viewer).toBeTruthy();
    const monitorId = await createMonitor(server, account.accessToken);

    // scanMonitorNow locks its monitor's row first: holding that lock here keeps the request running.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let isLocked = false;
    const lock = server.database.sql.begin(async (tx) => {
      await tx`select id from monitors where id = ${rawId(monitorId)} for update`;
      isLocked = true;
      await held;
    });
    await waitUntil(() => isLocked, 'the test to lock the monitor');
    const inFlight = gqlAt(url, ScanMonitorNowDocument, { id: monitorId }, account.accessToken);
    await waitUntil(
      async () => (await server.database.sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and application_name = 'vigil-api'`).length > 0,
      'the request to wait on the lock',
    );

    api.kill('SIGTERM');
    // No new connections: the listening socket closes at once.
    await waitUntil(
      async () =>
        fetch(`${url}/health`).then(
          () => false,
          (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
        ),
      'the API to stop accepting connections',
      5_000,
    );
    // The request in flight is still running, and still gets its answer once it can proceed.
    expect(await Promise.race([inFlight.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('running'), 300))])).toBe('running');
    release();
    await lock;
    const answer = await inFlight;
    const answeredAt = Date.now();
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.scanMonitorNow).toMatchObject({ __typename: 'ScanMonitorNowPayload', scan: { status: 'QUEUED' } });
    expect(await api.exited).toEqual({ code: 0, signal: null });
    // Once nothing is in flight the process is done: idle keep-alive connections (this client's
    // among them) do not hold it until the 10 s cut-off for requests that never finish.
    expect(Date.now() - answeredAt).toBeLessThan(5_000);
    expect(api.output()).toContain('"reason":"SIGTERM"');
  });
});
