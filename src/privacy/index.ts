// Masking and keyed hashing of features and tags before anything is stored (see transform.ts).
export { privacyConfig, PRIVACY_ACTIONS, type PrivacyAction, type PrivacyConfig, type PrivacyConfigInput } from './config.js';
export { HASH_HEX_CHARS, MIN_KEY_BYTES } from './hmac.js';
export { createPrivacyTransform, createTagLookup, type PrivacyTransform } from './transform.js';
export { readSecretFromSystem, type ReadSecret, type SecretSource } from './secret.js';
