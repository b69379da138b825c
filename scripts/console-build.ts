/**
 * Builds the browser console (src/console) with Vite when its sources changed since the last build:
 * the hash of every source file, the schema and the lockfile is kept in a stamp in the output folder,
 * so `npm start` rebuilds a stale console and otherwise costs one hash.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const CONSOLE_ROOT = path.join(REPO, 'src/console');
export const CONSOLE_OUT = path.join(CONSOLE_ROOT, 'dist');
const STAMP = '.build-stamp';
/** Inside the console's folder but not its sources: build output and generated types. */
const NOT_SOURCES = new Set(['dist', 'generated', 'node_modules']);

export interface ConsoleBuildOptions {
  root?: string;
  outDir?: string;
  log?: (message: string) => void;
}

export type ConsoleBuildResult = 'up to date' | 'built' | 'unavailable';

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !NOT_SOURCES.has(entry.name) && !entry.name.endsWith('.png'))
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

export function consoleSourceHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(root), path.join(REPO, 'schema/schema.graphql'), path.join(REPO, 'package-lock.json')]) {
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export async function ensureConsoleBuilt(options: ConsoleBuildOptions = {}): Promise<ConsoleBuildResult> {
  const root = options.root ?? CONSOLE_ROOT;
  const outDir = options.outDir ?? path.join(root, 'dist');
  const log = options.log ?? ((message: string) => console.log(message));
  const hash = consoleSourceHash(root);
  const stampFile = path.join(outDir, STAMP);
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8').trim() === hash) return 'up to date';

  // Vite and the codegen are dev dependencies: an install without them (npm ci --omit=dev) serves
  // whatever build it was shipped with.
  let tools;
  try {
    tools = { vite: await import('vite'), react: (await import('@vitejs/plugin-react')).default, codegen: await import('@graphql-codegen/cli') };
  } catch {
    log(fs.existsSync(path.join(outDir, 'index.html')) ? 'console: sources changed but Vite is not installed; serving the existing build' : 'console: not built (Vite is not installed); / will point to GraphiQL');
    return 'unavailable';
  }
  const { default: codegen } = await import('../codegen.ts');
  log('console: building…');
  const started = performance.now();
  // The console's output of codegen.ts, for this root: the same file `npm run codegen` writes.
  const output = (codegen.generates as Record<string, { documents?: string[] }>)['src/console/generated/graphql.ts']!;
  const fromRepo = (patterns: unknown) => (Array.isArray(patterns) ? patterns.map((pattern: string) => path.join(REPO, pattern)) : []);
  await tools.codegen.generate(
    {
      schema: path.join(REPO, String(codegen.schema)),
      documents: fromRepo(codegen.documents),
      generates: { [path.join(root, 'generated/graphql.ts')]: { ...output, documents: [path.join(root, '**/*.graphql')] } },
      silent: true,
    },
    true,
  );
  await tools.vite.build({
    root,
    configFile: false,
    base: '/',
    logLevel: 'warn',
    plugins: [tools.react()],
    build: { outDir, emptyOutDir: true, assetsDir: 'assets', chunkSizeWarningLimit: 1_500 },
  });
  fs.writeFileSync(stampFile, `${hash}\n`);
  log(`console: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}
