// Config of the privacy transform: what happens to each feature (ml.feature.<name>) and tag
// (ml.tag.<key>) before a prediction is queued, stored or exported. The HMAC key never sits in the
// YAML: it is named by a file or an environment variable, read once at start.
import { z } from 'zod';

export const PRIVACY_ACTIONS = ['mask', 'hash', 'keep'] as const;
export type PrivacyAction = (typeof PRIVACY_ACTIONS)[number];

const action = z.enum(PRIVACY_ACTIONS);

export const privacyConfig = z
  .strictObject({
    /** Per feature name (without the ml.feature. prefix). mask drops it, hash replaces its value by a keyed HMAC. */
    features: z.record(z.string(), action).default({}),
    /** For features not listed. */
    default: action.default('keep'),
    /** Per tag key (without the ml.tag. prefix); tags not listed are kept. */
    tags: z.record(z.string(), action).default({}),
    /** A file holding the HMAC key (at least 16 bytes; one trailing newline is ignored). */
    hash_key_file: z.string().min(1).optional(),
    /** An environment variable holding the HMAC key. */
    hash_key_env: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const hashes = c.default === 'hash' || Object.values(c.features).includes('hash') || Object.values(c.tags).includes('hash');
    if (c.hash_key_file !== undefined && c.hash_key_env !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['hash_key_env'], message: 'give the HMAC key by hash_key_file or hash_key_env, not both' });
    } else if (hashes && c.hash_key_file === undefined && c.hash_key_env === undefined) {
      ctx.addIssue({ code: 'custom', path: ['hash_key_file'], message: 'hash needs a key: set hash_key_file (a file holding the key) or hash_key_env (an environment variable)' });
    }
  });

export type PrivacyConfig = z.output<typeof privacyConfig>;
/** What the YAML may hold (defaults not yet applied). */
export type PrivacyConfigInput = z.input<typeof privacyConfig>;
