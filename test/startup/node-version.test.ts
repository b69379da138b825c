import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript, so that old Nodes can run it
import { isSupported, REQUIRED_RANGE } from '../../scripts/require-node.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
const CHECK = 'node scripts/require-node.mjs';

describe('the Node versions Vigil accepts', () => {
  it('is one range, no wider than any installed package allows (npm enforces them all under engine-strict)', () => {
    expect(fs.readFileSync(path.join(root, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
    const range = packageJson.engines.node;
    expect(lock.packages['']!.engines).toEqual({ node: range });
    const wider: string[] = [];
    for (const [name, entry] of Object.entries(lock.packages)) {
      const required = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (required && !semver.subset(range, required)) wider.push(`${name || 'vigil'} needs ${required}`);
    }
    expect(wider).toEqual([]);
  });

  it('scripts/require-node.mjs and .ci/run read that range and judge every version as npm does', () => {
    expect(REQUIRED_RANGE).toBe(packageJson.engines.node);
    for (const version of ['20.20.2', '22.18.0', '22.22.1', '22.22.2', '22.23.3', '23.11.0', '24.14.9', '24.15.0', '25.2.1', '26.0.0', '27.1.0']) {
      expect({ version, ok: isSupported(version) }).toEqual({ version, ok: semver.satisfies(version, packageJson.engines.node) });
    }
    const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ci).toContain(CHECK);
    // No second copy of the minimum that could drift from package.json.
    expect(ci).not.toMatch(/REQUIRED_(MAJOR|MINOR)|22\.\d+/);
  });

  it('checks the version before every npm script that runs TypeScript, and before installing', () => {
    const runsTypeScript = /\.ts\b|\btsc\b|vitest|graphql-codegen|drizzle-kit/;
    const unchecked = Object.entries(packageJson.scripts)
      .filter(([, command]) => runsTypeScript.test(command) && !command.startsWith(`${CHECK} && `))
      .map(([name]) => name);
    expect(unchecked).toEqual([]);
    expect(packageJson.scripts.preinstall).toBe(CHECK);
  });
});

/** The machine's own Node, when it is one Vigil refuses (Node 20 on these machines). */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((candidate) => {
  if (!fs.existsSync(candidate)) return false;
  const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  return !semver.satisfies(version, packageJson.engines.node);
});

describe.skipIf(!oldNode)('on a Node that is too old', () => {
  const env = () => ({ ...process.env, PATH: `${path.dirname(oldNode!)}:${process.env.PATH}` });

  it('npm run schema:print stops with Vigil’s instructions instead of a Node error', () => {
    const result = spawnSync('npm', ['run', '-s', 'schema:print'], { cwd: root, env: env(), encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Vigil needs a current Node.js 22 or 24 LTS');
    expect(result.stderr).toContain('npm install --prefix ~/.node22 node@22');
    expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
  });

  it('npm install stops at once, before downloading anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-old-node-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc']) fs.copyFileSync(path.join(root, file), path.join(dir, file));
      const started = Date.now();
      const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: env(), encoding: 'utf8', timeout: 60_000 });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('EBADENGINE');
      expect(result.stderr).toContain(packageJson.engines.node);
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
