// Stops an npm script (or CI) at once on a Node too old for Vigil, with what to do about it.
// Runs on whatever `node` is first on PATH, so it must stay plain JavaScript that old Nodes parse.
// The range is package.json's `engines.node`: the strictest range any installed package declares
// (npm enforces those too, through engine-strict in .npmrc), so there is one number to keep.
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageJson = fileURLToPath(new URL('../package.json', import.meta.url));
export const REQUIRED_RANGE = JSON.parse(fs.readFileSync(packageJson, 'utf8')).engines.node;

function parse(version) {
  return version.replace(/^v/, '').split('.').map(Number).concat(0, 0).slice(0, 3);
}
function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** Whether `version` is in `range`, for the forms engines use here: `^x.y.z` and `>=x.y.z`, joined by `||`. */
export function isSupported(version, range = REQUIRED_RANGE) {
  const actual = parse(version);
  return range.split('||').some((part) => {
    const text = part.trim();
    const caret = /^\^(\d+(?:\.\d+){0,2})$/.exec(text);
    if (caret) {
      const min = parse(caret[1]);
      return actual[0] === min[0] && compare(actual, min) >= 0;
    }
    const atLeast = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(text);
    if (atLeast) return compare(actual, parse(atLeast[1])) >= 0;
    throw new Error(`scripts/require-node.mjs cannot read the engines range part "${text}"`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && !isSupported(process.versions.node)) {
  console.error(
    `Vigil needs a current Node.js 22 or 24 LTS (${REQUIRED_RANGE}); this is Node ${process.versions.node}.\n` +
      'Install a current Node 22 LTS (https://nodejs.org, or `nvm install 22`), or without root:\n' +
      '  npm install --prefix ~/.node22 node@22 && export PATH=~/.node22/node_modules/node/bin:$PATH',
  );
  process.exit(1);
}
