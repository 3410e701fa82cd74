// Which records a sampled prediction log keeps (`sample_ratio`). The choice is a hash of the prediction id,
// not a random draw: a prediction's ground truth and late stage spans, which arrive later and maybe on
// another replica or after a restart, are kept exactly when the prediction was. Metrics are not sampled:
// processors read the queue through a cursor of their own.
import { predictionIdOf, type ConsumerRecord } from '../../pipeline/records.js';
import { stringHash } from '../../pipeline/string-hash.js';

/**
 * The id's place in [0, 2^32): FNV-1a, then MurmurHash3's finalizer, without which ids that differ only
 * in their last characters (counters) left the high bits, which the threshold reads, uneven (1,727 kept
 * instead of ~2,000 of 20,000 numeric ids at 0.1).
 */
export function idHash(id: string): number {
  return stringHash(id) >>> 0;
}

/** The records of a batch whose prediction is in the sample; undefined when every record is kept. */
export function sampler(ratio: number): ((batch: readonly ConsumerRecord[]) => readonly ConsumerRecord[]) | undefined {
  if (ratio >= 1) return undefined;
  // Ids hashing below this are kept: ratio of the 2^32 hash values.
  const below = Math.round(ratio * 2 ** 32);
  return (batch) => batch.filter((r) => idHash(predictionIdOf(r)) < below);
}
