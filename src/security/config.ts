// TLS and bearer-token settings shared by the receivers and the admin port.
import { z } from 'zod';

export const tlsConfig = z.strictObject({
  cert_file: z.string().min(1),
  key_file: z.string().min(1),
  /** When set, clients must present a certificate signed by this CA (mutual TLS). */
  client_ca_file: z.string().min(1).optional(),
});
export type TlsConfig = z.output<typeof tlsConfig>;

/** A token is never written in the YAML itself: it comes from a file or an environment variable. */
export const authConfig = z
  .strictObject({
    bearer_token_file: z.string().min(1).optional(),
    bearer_token_env: z.string().min(1).optional(),
  })
  .refine((a) => (a.bearer_token_file === undefined) !== (a.bearer_token_env === undefined), {
    message: 'set exactly one of bearer_token_file and bearer_token_env',
  });
export type AuthConfig = z.output<typeof authConfig>;
