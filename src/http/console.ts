/**
 * Serves the built browser console (src/console, built by scripts/console-build.ts): hashed assets
 * cached for good, index.html revalidated on every load, and index.html for the console's own routes
 * so a reload on /alerts/… works. Anything else is left to the other handlers.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../console/dist/', import.meta.url));

/** First path segments the console's router owns (see src/console/ui/App.tsx). */
const CONSOLE_ROUTES = new Set(['', 'alerts', 'monitors', 'stats', 'sign-in']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export interface ConsoleFiles {
  /** Answers the request if it is the console's; false leaves it to the caller. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean;
}

/**
 * Null when the console has not been built into `dir`. With persisted operations required, the page
 * tells the console so (a meta tag), and it sends operation ids instead of documents.
 */
export function consoleFiles(dir: string = DEFAULT_CONSOLE_DIR, persistedOperations?: 'allow' | 'require'): ConsoleFiles | null {
  const root = path.resolve(dir);
  const indexFile = path.join(root, 'index.html');
  if (!fs.existsSync(indexFile)) return null;
  const meta = persistedOperations ? `<meta name="vigil-persisted-operations" content="${persistedOperations}" />` : '';
  const indexHtml = Buffer.from(fs.readFileSync(indexFile, 'utf8').replace('<head>', `<head>${meta}`));
  const headers = (type: string, length: number, cacheControl: string) => ({
    'content-type': type,
    'content-length': length,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  });
  const send = (req: http.IncomingMessage, res: http.ServerResponse, file: string, cacheControl: string) => {
    res.writeHead(200, headers(CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', fs.statSync(file).size, cacheControl));
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  };
  return {
    handle(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const segments = pathname.split('/').filter(Boolean);
      if (segments[0] === 'assets') {
        let file = '';
        try {
          file = path.join(root, ...segments.map((s) => decodeURIComponent(s)));
        } catch {
          // Malformed percent-encoding: no such file.
        }
        // Hashed names: a changed file gets a new name, so a cached one never goes stale.
        if (file.startsWith(root + path.sep) && fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
          send(req, res, file, 'public, max-age=31536000, immutable');
        } else {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        }
        return true;
      }
      if (!CONSOLE_ROUTES.has(segments[0] ?? '')) return false;
      // Revalidated on every load, so a new build reaches browsers at once.
      res.writeHead(200, headers(CONTENT_TYPES['.html']!, indexHtml.length, 'no-cache'));
      res.end(req.method === 'HEAD' ? undefined : indexHtml);
      return true;
    },
  };
}
