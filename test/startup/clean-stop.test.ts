import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../helpers/ports.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-stop-'));
let pgPort: number;

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts Vigil on embedded PostgreSQL as a terminal would: in a process group of its own (the
 * terminal's foreground group), so a Ctrl+C is a SIGINT to the whole group.
 */
async function startVigil(command: string[]): Promise<Started> {
  pgPort ??= await freeLoopbackPort();
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'info', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  const child = spawn(command[0]!, command.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running within 90 s:\n${output}`)), 90_000);
    const check = setInterval(() => {
      const match = /GraphiQL at (http:\/\/\S+)\/graphql/.exec(output);
      if (match && output.includes('worker running')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(match[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`exited with ${code} during startup:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

/** Ctrl+C: SIGINT to every process in the group. */
function pressCtrlC(started: Started): void {
  process.kill(-started.child.pid!, 'SIGINT');
}

function expectQuietStop(output: string): void {
  expect(output).not.toMatch(/Unhandled/i);
  // A stack trace has "    at fn (file:line:col)" lines.
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(output).toContain('Vigil stopped');
}

async function demoMonitorNames(url: string): Promise<string[]> {
  const apiKey = fs.readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: '{ monitors(first: 100) { nodes { name } } }' }),
  });
  const body = (await response.json()) as { data: { monitors: { nodes: { name: string }[] } } };
  return body.data.monitors.nodes.map((node) => node.name).sort();
}

async function createMonitorAt(url: string, name: string): Promise<void> {
  const apiKey = fs.readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      query: 'mutation($input: CreateMonitorInput!) { createMonitor(input: $input) { __typename } }',
      variables: { input: { name, kind: 'BRAND', terms: ['acme'], sources: ['DEMO'], frequency: 'DAILY' } },
    }),
  });
  expect(((await response.json()) as { data: unknown }).data).toEqual({ createMonitor: { __typename: 'CreateMonitorPayload' } });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('Ctrl+C on Vigil with embedded PostgreSQL', () => {
  it('node src/main.ts exits 0 without errors, 5 times in a row, and starts warm with its data', async () => {
    let expected: string[] | undefined;
    for (let round = 1; round <= 5; round++) {
      const vigil = await startVigil([process.execPath, 'src/main.ts']);
      try {
        const names = await demoMonitorNames(vigil.url);
        if (expected) expect(names, `round ${round}`).toEqual(expected);
        // Every round leaves one more monitor behind, which the next must find.
        await createMonitorAt(vigil.url, `Kept through restart ${round}`);
        expected = [...names, `Kept through restart ${round}`].sort();
        if (round > 1) expect(vigil.output()).not.toContain('seeded the demo workspace');
      } finally {
        pressCtrlC(vigil);
      }
      const code = await vigil.exited;
      expect(code, `round ${round} exited ${code}:\n${vigil.output()}`).toBe(0);
      expectQuietStop(vigil.output());
    }
  }, 400_000);

  it('a Vigil killed outright leaves its PostgreSQL running, and the next start stops that and starts warm', async () => {
    const killed = await startVigil([process.execPath, 'src/main.ts']);
    const names = await demoMonitorNames(killed.url);
    const pidFile = path.join(dataDir, 'pgdata', 'postmaster.pid');
    const postgresPid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    killed.child.kill('SIGKILL'); // Vigil's process alone, as the OOM killer would
    await killed.exited;
    expect(isAlive(postgresPid)).toBe(true); // its own process group: it outlives Vigil

    const next = await startVigil([process.execPath, 'src/main.ts']);
    try {
      expect(isAlive(postgresPid)).toBe(false);
      expect(await demoMonitorNames(next.url)).toEqual(names);
    } finally {
      pressCtrlC(next);
    }
    expect(await next.exited).toBe(0);
  }, 200_000);

  it('npm start stops as quietly (npm itself reports 130, its convention after a Ctrl+C)', async () => {
    const vigil = await startVigil(['npm', 'start']);
    pressCtrlC(vigil);
    await vigil.exited;
    expectQuietStop(vigil.output());
  }, 120_000);
});
