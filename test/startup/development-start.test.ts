import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { freeLoopbackPort } from '../helpers/ports.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dev-start-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** util-linux `script` runs a command on a pseudo-terminal: the start a person sees. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const stripColors = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').replaceAll('\r', '');

describe.skipIf(!hasScript)('a development start on a terminal', () => {
  it('prints the banner with the demo login and key, and no log line carries a secret', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: String(await freeLoopbackPort()), LOG_LEVEL: 'debug', NODE_ENV: 'development' };
    delete env.DATABASE_URL;
    // `exec`: script runs the command through $SHELL, and a shell left waiting in between (dash,
    // where SHELL=/bin/sh) dies of the Ctrl+C itself, so script would report 130 whatever Vigil did.
    const child = spawn('script', ['-qfec', `exec ${process.execPath} src/main.ts`, '/dev/null'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 90_000;
    // The demo monitors' first scans have run: job logs are in the output too.
    while (!(output.includes('Ctrl+C stops Vigil') && (output.match(/scan recorded/g) ?? []).length >= 3)) {
      if (Date.now() > deadline) throw new Error(`no banner and scans within 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.stdin.write('\x03'); // Ctrl+C, through the terminal
    expect(await exited).toBe(0);

    const text = stripColors(output);
    const apiKey = fs.readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
    const password = fs.readFileSync(path.join(dataDir, 'demo-password'), 'utf8').trim();
    const bannerStart = text.indexOf('  Vigil is running');
    const bannerEnd = text.indexOf('Ctrl+C stops Vigil') + 'Ctrl+C stops Vigil'.length;
    const banner = text.slice(bannerStart, bannerEnd);
    expect(banner).toMatch(/GraphiQL\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(banner).toMatch(/API\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(banner).toContain(`demo@vigil.example / ${password}`);
    expect(banner).toContain(apiKey);

    const logLines = (text.slice(0, bannerStart) + text.slice(bannerEnd)).split('\n').filter((line) => line.trim() !== '');
    expect(logLines.length).toBeGreaterThan(10);
    for (const line of logLines) {
      expect(line).not.toContain(apiKey);
      expect(line).not.toContain(password);
      // Job logs name the job; its row (payload, timestamps, queue) stays out.
      expect(line).not.toMatch(/"payload"|run_at|job_queue_id/);
    }
    // Human-readable lines, not JSON.
    expect(logLines.some((line) => /^\[\d\d:\d\d:\d\d\] INFO: Vigil is up: GraphiQL at http/.test(line))).toBe(true);
    expect(text).toContain('Vigil stopped');
  }, 120_000);
});

describe('log redaction', () => {
  it.each([false, true])('keeps secrets out of fields, headers and job rows (pretty: %s)', (isPretty) => {
    let written = '';
    const destination = new Writable({ write: (chunk, _encoding, done) => ((written += String(chunk)), done()) });
    const logger = createLogger('info', {}, destination, { isPretty });
    logger.info({ password: 'hunter2', user: { token: 'tok-1' }, req: { headers: { authorization: 'Bearer vgl_secret' } } }, 'request');
    logger.info({ job: { id: '7', task_identifier: 'webhook__deliver', attempts: 1, max_attempts: 5, payload: { secret: 's3cret' } } }, 'Completed task 7');
    expect(written).toContain('webhook__deliver');
    expect(written).toContain('[redacted]');
    expect(written).not.toMatch(/hunter2|tok-1|vgl_secret|s3cret|payload/);
  });
});
