// Where the HMAC key comes from. The only I/O of src/privacy, kept here so the transform stays pure and
// tests inject keys. The key is never logged and never part of an error message.
import { readFileSync } from 'node:fs';

export type SecretSource = { file: string } | { env: string };
/** The key's bytes, or undefined when the source holds nothing. */
export type ReadSecret = (source: SecretSource) => Buffer | undefined;

export const readSecretFromSystem: ReadSecret = (source) => {
  if ('env' in source) {
    const v = process.env[source.env];
    return v === undefined || v === '' ? undefined : Buffer.from(v, 'utf8');
  }
  const bytes = readFileSync(source.file);
  // `echo key > file` adds a newline that is not part of the key.
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return end === 0 ? undefined : bytes.subarray(0, end);
};

export function describeSource(source: SecretSource): string {
  return 'env' in source ? `environment variable ${source.env}` : `file ${source.file}`;
}
