import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from './helpers/ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-start-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/**
 * The README's start command with no DATABASE_URL: an embedded PostgreSQL in a fresh data folder,
 * migrations, the demo workspace, and GraphiQL at the printed URL.
 */
describe('npm start without DATABASE_URL', () => {
  it('serves GraphiQL and the demo workspace on an embedded PostgreSQL, then stops cleanly', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: String(await freeLoopbackPort()), LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no GraphiQL URL within 90 s:\n${output}`)), 90_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /GraphiQL at (http:\/\/\S+\/graphql)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    try {
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('GraphiQL');

      const apiKey = fs.readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
      // Not on a terminal, so no banner: the log says where the key is, never the key itself.
      expect(output).not.toContain(apiKey);
      expect(output).toContain(path.join(dataDir, 'demo-api-key'));
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: '{ viewer { organization { name } } monitors(first: 10) { edges { node { sources } } } }' }),
      });
      const body = (await response.json()) as { data: { viewer: { organization: { name: string } }; monitors: { edges: { node: { sources: string[] } }[] } } };
      expect(body.data.viewer.organization.name).toBe('Acme Corp (demo)');
      expect(body.data.monitors.edges.length).toBeGreaterThan(0);
      expect(body.data.monitors.edges.every((e) => e.node.sources.includes('DEMO'))).toBe(true);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
  }, 120_000);
});
