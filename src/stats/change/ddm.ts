// DDM, the Drift Detection Method (Gama, Medas, Castillo & Rodrigues, SBIA 2004), for a 0/1 error stream.
// With p_i the error rate after i observations and s_i = sqrt(p_i (1 − p_i) / i), it remembers the point
// where p_i + s_i was lowest (p_min, s_min) and signals
//   warning when p_i + s_i ≥ p_min + warningLevel · s_min   (2σ by default)
//   drift   when p_i + s_i ≥ p_min + driftLevel · s_min     (3σ by default)
// once at least minInstances observations were seen. After a drift it starts afresh at the next update.
//
// One deliberate guard: the minimum is only taken at points where s_i > 0. At p_i = 0 (no error yet)
// s_i = 0, and a minimum of 0 + 0 would turn the first error after a clean start into a "drift"; the
// original paper leaves this case open, implementations that skip the guard raise exactly that alarm.

import type { ChangeDetector } from './index.js';
import { booleanField, countField, finiteField, minimumField } from './checkpoint.js';

export interface DdmOptions {
  /** Observations before any warning or drift. Default 30. */
  minInstances?: number;
  /** Warning at p_min + warningLevel · s_min. Default 2. */
  warningLevel?: number;
  /** Drift at p_min + driftLevel · s_min. Default 3. */
  driftLevel?: number;
}

export interface DdmState {
  kind: 'ddm';
  minInstances: number;
  warningLevel: number;
  driftLevel: number;
  count: number;
  errorRate: number;
  /** null stands for +Infinity (no minimum yet). */
  minErrorRate: number | null;
  minDeviation: number | null;
  warning: boolean;
  detected: boolean;
}

export class Ddm implements ChangeDetector {
  readonly minInstances: number;
  readonly warningLevel: number;
  readonly driftLevel: number;

  private count = 0;
  private errorRate = 0;
  private minErrorRate = Infinity;
  private minDeviation = Infinity;
  private warned = false;
  private changed = false;

  constructor(options: DdmOptions = {}) {
    this.minInstances = options.minInstances ?? 30;
    this.warningLevel = options.warningLevel ?? 2;
    this.driftLevel = options.driftLevel ?? 3;
    if (!Number.isInteger(this.minInstances) || this.minInstances < 1) {
      throw new RangeError('DDM minInstances must be a positive integer');
    }
    if (!(this.warningLevel > 0 && this.driftLevel >= this.warningLevel && Number.isFinite(this.driftLevel))) {
      throw new RangeError('DDM levels must satisfy 0 < warningLevel ≤ driftLevel');
    }
  }

  /** Error rate since the last drift; 0 before any observation. */
  get estimate(): number {
    return this.errorRate;
  }

  get detected(): boolean {
    return this.changed;
  }

  /** In the warning zone at the last update (true also when a drift was detected). */
  get warning(): boolean {
    return this.warned;
  }

  /** x must be 0 (right) or 1 (wrong); other values in [0, 1] are treated as a probability of error. */
  update(x: number): boolean {
    if (!(x >= 0 && x <= 1)) throw new RangeError(`DDM input must be in [0, 1], got ${x}`);
    if (this.changed) this.reset();
    this.count++;
    this.errorRate += (x - this.errorRate) / this.count;
    const deviation = Math.sqrt((this.errorRate * (1 - this.errorRate)) / this.count);
    this.warned = false;
    if (this.count < this.minInstances) return false;
    const level = this.errorRate + deviation;
    if (deviation > 0 && level < this.minErrorRate + this.minDeviation) {
      this.minErrorRate = this.errorRate;
      this.minDeviation = deviation;
    }
    this.warned = level >= this.minErrorRate + this.warningLevel * this.minDeviation;
    this.changed = level >= this.minErrorRate + this.driftLevel * this.minDeviation;
    return this.changed;
  }

  reset(): void {
    this.count = 0;
    this.errorRate = 0;
    this.minErrorRate = Infinity;
    this.minDeviation = Infinity;
    this.warned = false;
    this.changed = false;
  }

  toJSON(): DdmState {
    return {
      kind: 'ddm',
      minInstances: this.minInstances,
      warningLevel: this.warningLevel,
      driftLevel: this.driftLevel,
      count: this.count,
      errorRate: this.errorRate,
      minErrorRate: this.minErrorRate === Infinity ? null : this.minErrorRate,
      minDeviation: this.minDeviation === Infinity ? null : this.minDeviation,
      warning: this.warned,
      detected: this.changed,
    };
  }

  static fromJSON(state: DdmState): Ddm {
    if (state?.kind !== 'ddm') throw new TypeError('not a DDM state');
    const ddm = new Ddm({
      minInstances: countField(state, 'minInstances'),
      warningLevel: finiteField(state, 'warningLevel'),
      driftLevel: finiteField(state, 'driftLevel'),
    });
    ddm.count = countField(state, 'count');
    ddm.errorRate = finiteField(state, 'errorRate');
    ddm.minErrorRate = minimumField(state, 'minErrorRate');
    ddm.minDeviation = minimumField(state, 'minDeviation');
    ddm.warned = booleanField(state, 'warning');
    ddm.changed = booleanField(state, 'detected');
    return ddm;
  }
}
