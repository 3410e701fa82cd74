import type { DecodeOptions } from '../../otlp/result.js';
import type { TokenCheck } from '../../security/auth.js';
import type { TlsMaterial } from '../../security/tls.js';

/** What one OTLP transport server needs. */
export interface ServerOptions {
  endpoint: string;
  maxBytes: number;
  decodeOptions: DecodeOptions;
  tls?: TlsMaterial;
  /** When set, every call must carry a valid bearer token. */
  authorized?: TokenCheck;
}
