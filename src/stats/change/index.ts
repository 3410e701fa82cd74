// Streaming change detectors for a model's 0/1 error stream (1 = wrong prediction). All three share one
// contract so the concept_drift processor can hold any of them and checkpoint it as JSON.

import { Adwin, type AdwinState } from './adwin.js';
import { Ddm, type DdmState } from './ddm.js';
import { PageHinkley, type PageHinkleyState } from './page_hinkley.js';

export { Adwin, type AdwinOptions, type AdwinState } from './adwin.js';
export { Ddm, type DdmOptions, type DdmState } from './ddm.js';
export { PageHinkley, type PageHinkleyOptions, type PageHinkleyState } from './page_hinkley.js';

export interface ChangeDetector {
  /** Feeds one observation (for the error stream: 1 = wrong, 0 = right). True if a change was detected now. */
  update(x: number): boolean;
  /** Current estimate of the stream's mean (the error rate) since the last change. */
  readonly estimate: number;
  /** Whether the last update detected a change. */
  readonly detected: boolean;
  /** Forgets everything except the options. */
  reset(): void;
  /** Plain JSON that `restoreDetector` (or the class's fromJSON) turns back into an identical detector. */
  toJSON(): ChangeDetectorState;
}

export type ChangeDetectorState = AdwinState | PageHinkleyState | DdmState;

/** Restores any detector from its checkpoint; the result continues exactly as the original would. */
export function restoreDetector(state: ChangeDetectorState): ChangeDetector {
  switch (state?.kind) {
    case 'adwin':
      return Adwin.fromJSON(state);
    case 'page_hinkley':
      return PageHinkley.fromJSON(state);
    case 'ddm':
      return Ddm.fromJSON(state);
    default:
      throw new TypeError(`unknown change detector state kind: ${String((state as { kind?: unknown })?.kind)}`);
  }
}
