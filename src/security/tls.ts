// Reads certificate files once at start; a missing or unreadable file is a clear start-up error.
import { readFileSync } from 'node:fs';
import type { TlsConfig } from './config.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read TLS ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function loadTls(config: TlsConfig): TlsMaterial {
  return {
    cert: read(config.cert_file, 'certificate'),
    key: read(config.key_file, 'key'),
    ca: config.client_ca_file ? read(config.client_ca_file, 'client CA') : undefined,
  };
}
