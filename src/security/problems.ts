// What would fail at start in a section's TLS and auth settings, for `modelwatch validate`.
import type { ConfigProblem } from '../config/problems.js';
import { checkReadableFile } from '../config/preflight.js';
import { readToken } from './auth.js';
import type { AuthConfig, TlsConfig } from './config.js';

/** Tokens that cannot be read and certificate files that are missing, under `path`. */
export function securityProblems(path: string, section: { auth?: AuthConfig; tls?: TlsConfig }): Omit<ConfigProblem, 'location'>[] {
  const out: Omit<ConfigProblem, 'location'>[] = [];
  if (section.auth) {
    try {
      readToken(section.auth);
    } catch (err) {
      out.push({ path: joinUnder(path, 'auth'), message: (err as Error).message });
    }
  }
  for (const key of ['cert_file', 'key_file', 'client_ca_file'] as const) {
    const file = section.tls?.[key];
    const unreadable = file && checkReadableFile(file);
    if (unreadable) out.push({ path: joinUnder(path, `tls::${key}`), message: unreadable });
  }
  return out;
}


function joinUnder(path: string, rest: string): string {
  return path ? `${path}::${rest}` : rest;
}
