import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApiKey } from '../helpers/accounts.ts';
import { createMonitor, fireAlert, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { waitUntil } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
let server: TestServer;
let account: TestAccount;
let watcher: ChildProcess | undefined;

beforeAll(async () => {
  server = await startTestServer();
  account = await signUpAccount(server);
});
afterAll(async () => {
  watcher?.kill('SIGINT');
  await server?.stop();
});

describe('npm run watch, as the README runs it', () => {
  it('says where it connects and that it is waiting, then prints each new alert', async () => {
    const { secret } = await createTestApiKey(server, account.accessToken, { role: 'VIEWER' });
    const monitorId = await createMonitor(server, account.accessToken, { name: 'Watched' });
    let stdout = '';
    let stderr = '';
    watcher = spawn('npm', ['run', '-s', 'watch', '--', '--min-severity=HIGH'], {
      cwd: root,
      env: { ...process.env, VIGIL_URL: server.url, VIGIL_TOKEN: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    watcher.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    watcher.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitUntil(() => stderr.includes('Waiting for new alerts at least HIGH'), `the waiting line; it printed:\n${stderr}${stdout}`, 60_000);
    expect(stderr).toContain(`Connecting to ${server.url.replace('http', 'ws')}/graphql`);
    expect(stdout).toBe('');

    await server.waitForSubscribers(1);
    await fireAlert(server, account, monitorId, { title: 'Seen by npm run watch', severity: 'critical' });
    await waitUntil(() => stdout.includes('Seen by npm run watch'), `the alert; it printed:\n${stderr}${stdout}`, 20_000);
    expect(stdout).toMatch(/CRITICAL\s+\w+\s+Watched: Seen by npm run watch/);
  }, 90_000);
});
