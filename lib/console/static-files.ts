/**
 * The console's built front end (console/dist, made by Vite): index.html for /console, and the
 * hashed assets under /console/assets, which never change and may be cached for good.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { HttpResponse } from '../http/response.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Scripts, styles and connections only from the console's own origin; nothing inline. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** `relative`: the path below /console ('' or '/' for the page itself). */
export async function serveStatic(distDir: string, relative: string): Promise<HttpResponse | undefined> {
  const wanted = relative === '' || relative === '/' ? 'index.html' : relative.replace(/^\/+/, '');
  const file = path.resolve(distDir, wanted);
  if (!file.startsWith(path.resolve(distDir) + path.sep)) return undefined;
  const type = TYPES[path.extname(file)];
  if (!type) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (wanted === 'index.html') {
      throw new AppError(
        'CONSOLE_NOT_BUILT',
        `The console is not built (no ${file}): run npm run console:build, or npm start, which builds it.`,
      );
    }
    return undefined;
  }
  const text = type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml';
  return {
    statusCode: 200,
    headers: {
      'content-type': type,
      'cache-control': wanted.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    },
    body: text ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !text,
  };
}
