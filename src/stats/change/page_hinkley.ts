// Page-Hinkley test for an increase of the mean (Page 1954; as used for concept drift by Gama et al.,
// "On evaluating stream learning algorithms", 2013). One-sided on purpose: on the error stream only a
// rising error rate is a problem. In its recursive (CUSUM) form:
//   x̄_t = mean of x_1..x_t,   S_t = max(0, α · S_{t−1} + (x_t − x̄_t − δ)),   change when t ≥ minInstances and S_t > λ.
// With α = 1 this is exactly the textbook m_t − min_{s≤t} m_s with m_t = Σ (x_s − x̄_s − δ). δ is the
// increase tolerated, λ the alarm threshold, α ≤ 1 a fading factor applied to the statistic itself, so old
// excursions are forgotten. (Fading m_t alone while keeping its all-time minimum — another reading of the
// paper — let the statistic wander and gave 1–3 false alarms per 100k stationary samples here.)
// After a change the detector starts afresh at the next update (so `estimate` still describes the stream
// at the moment of detection).

import type { ChangeDetector } from './index.js';
import { booleanField, countField, finiteField } from './checkpoint.js';

export interface PageHinkleyOptions {
  /** Tolerated increase, δ. Default 0.005. */
  delta?: number;
  /** Alarm threshold, λ. Default 50. */
  threshold?: number;
  /** Fading factor, α. Default 1 − 0.0001. */
  alpha?: number;
  /** No alarm before this many observations. Default 30. */
  minInstances?: number;
}

export interface PageHinkleyState {
  kind: 'page_hinkley';
  delta: number;
  threshold: number;
  alpha: number;
  minInstances: number;
  count: number;
  mean: number;
  /** S_t. */
  statistic: number;
  detected: boolean;
}

export class PageHinkley implements ChangeDetector {
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly minInstances: number;

  private count = 0;
  private mean = 0;
  private sum = 0;
  private changed = false;

  constructor(options: PageHinkleyOptions = {}) {
    this.delta = options.delta ?? 0.005;
    this.threshold = options.threshold ?? 50;
    this.alpha = options.alpha ?? 1 - 0.0001;
    this.minInstances = options.minInstances ?? 30;
    if (!(this.delta >= 0) || !Number.isFinite(this.delta)) throw new RangeError('Page-Hinkley delta must be ≥ 0');
    if (!(this.threshold > 0) || !Number.isFinite(this.threshold)) throw new RangeError('Page-Hinkley threshold must be > 0');
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError('Page-Hinkley alpha must be in (0, 1]');
    if (!Number.isInteger(this.minInstances) || this.minInstances < 1) {
      throw new RangeError('Page-Hinkley minInstances must be a positive integer');
    }
  }

  /** Mean of the observations since the last change; 0 before any. */
  get estimate(): number {
    return this.mean;
  }

  get detected(): boolean {
    return this.changed;
  }

  /** The test statistic S_t (an alarm when it exceeds the threshold). */
  get statistic(): number {
    return this.sum;
  }

  update(x: number): boolean {
    if (!Number.isFinite(x)) throw new RangeError(`Page-Hinkley input must be finite, got ${x}`);
    if (this.changed) this.reset();
    this.count++;
    this.mean += (x - this.mean) / this.count;
    this.sum = Math.max(0, this.alpha * this.sum + (x - this.mean - this.delta));
    this.changed = this.count >= this.minInstances && this.sum > this.threshold;
    return this.changed;
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.sum = 0;
    this.changed = false;
  }

  toJSON(): PageHinkleyState {
    return {
      kind: 'page_hinkley',
      delta: this.delta,
      threshold: this.threshold,
      alpha: this.alpha,
      minInstances: this.minInstances,
      count: this.count,
      mean: this.mean,
      statistic: this.sum,
      detected: this.changed,
    };
  }

  static fromJSON(state: PageHinkleyState): PageHinkley {
    if (state?.kind !== 'page_hinkley') throw new TypeError('not a Page-Hinkley state');
    const ph = new PageHinkley({
      delta: finiteField(state, 'delta'),
      threshold: finiteField(state, 'threshold'),
      alpha: finiteField(state, 'alpha'),
      minInstances: countField(state, 'minInstances'),
    });
    ph.count = countField(state, 'count');
    ph.mean = finiteField(state, 'mean');
    ph.sum = finiteField(state, 'statistic');
    if (ph.sum < 0) throw new TypeError('Page-Hinkley state: statistic must be ≥ 0');
    ph.changed = booleanField(state, 'detected');
    return ph;
  }
}
