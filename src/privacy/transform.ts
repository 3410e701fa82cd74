// The privacy transform: applied in the intake to every batch before it is queued, so no raw value of
// a masked or hashed field is ever stored, checkpointed or exported. Records are shared between
// consumers: changed records are new objects, untouched records are passed through as they are.
import type { FeatureValue, PredictionRecord, WireRecord } from '../pipeline/records.js';
import { privacyConfig, type PrivacyAction, type PrivacyConfigInput } from './config.js';
import { cachedHasher, hashText, hmacHasher, type Hasher } from './hmac.js';
import { describeSource, readSecretFromSystem, type ReadSecret, type SecretSource } from './secret.js';

export type PrivacyTransform = (records: readonly WireRecord[]) => WireRecord[];

interface Plan {
  featureAction(name: string): PrivacyAction;
  tagAction(key: string): PrivacyAction;
  hash?: Hasher;
}

function secretSource(c: { hash_key_file?: string; hash_key_env?: string }): SecretSource | undefined {
  if (c.hash_key_file !== undefined) return { file: c.hash_key_file };
  if (c.hash_key_env !== undefined) return { env: c.hash_key_env };
  return undefined;
}

/** Parses the config and reads the key once; undefined when every field is kept. Throws on a missing or short key. */
function plan(input: PrivacyConfigInput, readSecret: ReadSecret): Plan | undefined {
  const c = privacyConfig.parse(input);
  const featureActions = new Map(Object.entries(c.features));
  const tagActions = new Map(Object.entries(c.tags));
  const all = [c.default, ...featureActions.values(), ...tagActions.values()];
  if (all.every((a) => a === 'keep')) return undefined;
  let hash: Hasher | undefined;
  if (all.includes('hash')) {
    const source = secretSource(c)!;
    let key: Buffer | undefined;
    try {
      key = readSecret(source);
    } catch (err) {
      throw new Error(`privacy: cannot read the HMAC key from ${describeSource(source)}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    if (key === undefined) throw new Error(`privacy: the HMAC key ${describeSource(source)} is empty or not set`);
    try {
      hash = cachedHasher(hmacHasher(key));
    } catch (err) {
      throw new Error(`privacy: ${describeSource(source)}: ${(err as Error).message}`);
    }
  }
  return {
    featureAction: (name) => featureActions.get(name) ?? c.default,
    tagAction: (key) => tagActions.get(key) ?? 'keep',
    hash,
  };
}

function applyFeatures(features: Record<string, FeatureValue>, p: Plan): Record<string, FeatureValue> | undefined {
  let out: Record<string, FeatureValue> | undefined;
  for (const name in features) {
    const action = p.featureAction(name);
    if (action === 'keep') continue;
    out ??= { ...features };
    const v = features[name];
    if (action === 'mask') delete out[name];
    else if (v !== null) out[name] = p.hash!(hashText(v));
  }
  return out;
}

function applyTags(tags: Record<string, string>, p: Plan): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const key in tags) {
    const action = p.tagAction(key);
    if (action === 'keep') continue;
    out ??= { ...tags };
    if (action === 'mask') delete out[key];
    else out[key] = p.hash!(tags[key]);
  }
  return out;
}

function applyPrediction(r: PredictionRecord, p: Plan): PredictionRecord {
  const features = applyFeatures(r.features, p);
  const tags = r.tags && applyTags(r.tags, p);
  if (!features && !tags) return r;
  const out: PredictionRecord = { ...r };
  if (features) out.features = features;
  if (tags) out.tags = tags;
  return out;
}

/**
 * The batch transform, or undefined when the config keeps everything. `mask` drops a feature or tag;
 * `hash` replaces its value by hmac.ts's keyed hash (null features stay null). Only prediction records
 * carry features and tags; stage and feedback records pass through.
 */
export function createPrivacyTransform(config: PrivacyConfigInput, readSecret: ReadSecret = readSecretFromSystem): PrivacyTransform | undefined {
  const p = plan(config, readSecret);
  if (!p) return undefined;
  return (records) => records.map((r) => (r.kind === 'prediction' ? applyPrediction(r, p) : r));
}

/**
 * How a tag value a user asks about (a data-subject request: user_id=42) is stored under this config:
 * the value itself, its hash, or undefined when the tag is masked (never stored).
 */
export function createTagLookup(config: PrivacyConfigInput, readSecret: ReadSecret = readSecretFromSystem): (key: string, value: string) => string | undefined {
  const p = plan(config, readSecret);
  if (!p) return (_key, value) => value;
  return (key, value) => {
    const action = p.tagAction(key);
    if (action === 'mask') return undefined;
    return action === 'hash' ? p.hash!(value) : value;
  };
}
