/** `npm start` runs this first: rebuilds the browser console when its sources changed (see console-build.ts). */
import { ensureConsoleBuilt } from './console-build.ts';

await ensureConsoleBuilt();
