// What the concept_drift processor knows of one model version: its baseline (configured or being learnt),
// the last N outcomes (right/wrong) for the current accuracy, daily accuracy counts, and the change
// detector on the error stream. All of it round-trips through toJSON for the checkpoint.
import { BaselineLearner, type BaselineLearnerState, type DailyAccuracy } from '../../stats/trend.js';
import { Adwin, Ddm, PageHinkley, restoreDetector, type ChangeDetector, type ChangeDetectorState } from '../../stats/change/index.js';
import type { ConceptDriftConfig } from './config.js';

const DAY_MS = 86_400_000;

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function makeDetector(c: ConceptDriftConfig): ChangeDetector {
  if (c.detector === 'page_hinkley') {
    const o = c.page_hinkley;
    return new PageHinkley({ delta: o.delta, threshold: o.threshold, alpha: o.alpha, minInstances: o.min_instances });
  }
  if (c.detector === 'ddm') return new Ddm({ minInstances: c.ddm.min_instances, warningLevel: c.ddm.warning_level, driftLevel: c.ddm.drift_level });
  return new Adwin({ delta: c.delta });
}

export interface VersionStateJSON {
  modelName: string;
  modelVersion: string;
  learner?: BaselineLearnerState;
  /** The last `window` outcomes, oldest first. */
  outcomes: number[];
  days: [number, number, number][];
  detector: ChangeDetectorState;
  changeAtMs: number | null;
}

export class VersionState {
  learner?: BaselineLearner;
  /** Ring of the last `window` outcomes, 1 = correct. */
  private outcomes: Uint8Array;
  private next = 0;
  private filled = 0;
  private correctInWindow = 0;
  /** day number → [correct, count]. */
  private readonly days = new Map<number, [number, number]>();
  detector: ChangeDetector;
  /** Queue time of the change that raised model_error_rate_change_detected; null when it is down. */
  changeAtMs: number | null = null;

  constructor(readonly modelName: string, readonly modelVersion: string, private readonly config: ConceptDriftConfig) {
    this.outcomes = new Uint8Array(config.window);
    if (config.baseline_accuracy === undefined) this.learner = new BaselineLearner(config.baseline_samples);
    this.detector = makeDetector(config);
  }

  /** One label. Returns true when the detector saw the error rate rise. */
  add(correct: boolean, at: number): boolean {
    this.learner?.add(correct);
    const bit = correct ? 1 : 0;
    if (this.filled === this.outcomes.length) this.correctInWindow -= this.outcomes[this.next];
    else this.filled++;
    this.outcomes[this.next] = bit;
    this.correctInWindow += bit;
    this.next = (this.next + 1) % this.outcomes.length;
    const day = Math.floor(at / DAY_MS);
    const d = this.days.get(day) ?? [0, 0];
    d[0] += bit;
    d[1]++;
    this.days.set(day, d);
    const keepFrom = day - Math.ceil(this.config.history / DAY_MS) + 1;
    for (const k of this.days.keys()) if (k < keepFrom) this.days.delete(k);
    const before = this.detector.estimate;
    const changed = this.detector.update(correct ? 0 : 1);
    // ADWIN cuts on a change either way; only a rising error rate is news (Page-Hinkley and DDM are one-sided).
    return changed && (this.config.detector !== 'adwin' || this.detector.estimate > before);
  }

  get samples(): number {
    return this.filled;
  }

  /** Accuracy of the last `window` labels; NaN when empty. */
  get accuracy(): number {
    return this.filled === 0 ? NaN : this.correctInWindow / this.filled;
  }

  get baseline(): number | undefined {
    return this.config.baseline_accuracy ?? this.learner?.baseline;
  }

  daily(): DailyAccuracy[] {
    return [...this.days].sort((a, b) => a[0] - b[0]).map(([day, [correct, count]]) => ({ day: dayString(day), accuracy: correct / count, count }));
  }

  toJSON(): VersionStateJSON {
    const outcomes: number[] = [];
    for (let k = 0; k < this.filled; k++) outcomes.push(this.outcomes[(this.next - this.filled + k + this.outcomes.length) % this.outcomes.length]);
    return {
      modelName: this.modelName,
      modelVersion: this.modelVersion,
      learner: this.learner?.toJSON(),
      outcomes,
      days: [...this.days].map(([d, [c, n]]) => [d, c, n]),
      detector: this.detector.toJSON(),
      changeAtMs: this.changeAtMs,
    };
  }

  static fromJSON(s: VersionStateJSON, config: ConceptDriftConfig): VersionState {
    const v = new VersionState(s.modelName, s.modelVersion, config);
    if (s.learner && v.learner) v.learner = BaselineLearner.fromJSON(s.learner);
    // Outcomes oldest first; a changed `window` size keeps the newest that fit.
    for (const bit of s.outcomes.slice(-v.outcomes.length)) {
      v.outcomes[v.next] = bit;
      v.correctInWindow += bit;
      v.next = (v.next + 1) % v.outcomes.length;
      v.filled++;
    }
    for (const [d, c, n] of s.days) v.days.set(d, [c, n]);
    v.detector = s.detector.kind === config.detector ? restoreDetector(s.detector) : makeDetector(config);
    v.changeAtMs = s.changeAtMs;
    return v;
  }
}
