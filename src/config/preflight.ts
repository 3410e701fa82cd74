// Checks of what would fail at start, for `modelwatch validate`: ports in use, paths not writable.
import { createServer } from 'node:net';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEndpoint } from './units.js';

/** undefined when the endpoint can be listened on, else why not. */
export async function checkPortFree(endpoint: string): Promise<string | undefined> {
  const ep = parseEndpoint(endpoint);
  if (!ep) return `"${endpoint}" is not host:port`;
  if (ep.port === 0) return undefined;
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'EADDRINUSE' ? `port ${ep.port} on ${ep.host} is already in use` : `cannot listen on ${endpoint}: ${err.message}`),
    );
    srv.listen(ep.port, ep.host, () => srv.close(() => done(undefined)));
  });
}

/** undefined when a file can be created or written at this path, else why not. */
export function checkWritablePath(path: string): string | undefined {
  const abs = resolve(path);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) return `${abs} is a directory, not a file`;
    try {
      accessSync(abs, constants.W_OK);
      return undefined;
    } catch {
      return `${abs} is not writable`;
    }
  }
  // The nearest existing ancestor must be a writable directory (we create the rest).
  let dir = dirname(abs);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return `cannot create ${abs}: ${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch {
    return `cannot create ${abs}: ${dir} is not writable`;
  }
}

export function checkReadableFile(path: string): string | undefined {
  try {
    accessSync(resolve(path), constants.R_OK);
    return undefined;
  } catch {
    return `cannot read ${resolve(path)}`;
  }
}
