// Bearer-token checks for receivers and the admin port. The token is read from a file or the
// environment, compared in constant time, and never logged.
import { timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuthConfig } from './config.js';

export type TokenCheck = (authorizationHeader: string | undefined) => boolean;

export function readToken(config: AuthConfig, env: NodeJS.ProcessEnv = process.env): string {
  let token: string | undefined;
  if (config.bearer_token_file) {
    try {
      token = readFileSync(config.bearer_token_file, 'utf8').trim();
    } catch (err) {
      throw new Error(`cannot read bearer token file ${config.bearer_token_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else {
    token = env[config.bearer_token_env!]?.trim();
    if (!token) throw new Error(`environment variable ${config.bearer_token_env} (bearer token) is not set`);
  }
  if (token.length < 16) throw new Error('bearer token is shorter than 16 characters: use a long random token');
  return token;
}

/** Hashing both sides first makes the comparison constant-time whatever the lengths. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function bearerCheck(token: string): TokenCheck {
  const expected = digest(token);
  return (header) => {
    if (!header) return false;
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    return m !== null && timingSafeEqual(digest(m[1]), expected);
  };
}
