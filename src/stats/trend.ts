// Daily accuracy history of a model version: its weekly trend, how many days in a row it got worse, the
// drop against a baseline, and the concept-drift verdict the concept_drift processor reports
// (model_concept_drift_detected, model_accuracy_drop_percent).
//
// Days are UTC calendar days written 'YYYY-MM-DD'. Averages over several days are weighted by each day's
// label count, i.e. they are the accuracy of all labels of those days pooled (a day with 10 labels must
// not weigh as much as a day with 10,000). Days with count 0 carry no information and are ignored.

export interface DailyAccuracy {
  /** UTC day, 'YYYY-MM-DD'. */
  day: string;
  /** Share of correct predictions among the labels of that day, 0..1. */
  accuracy: number;
  /** Labels received that day. */
  count: number;
}

export interface AccuracyTrend {
  /** Count-weighted accuracy of the last `days` calendar days (ending on `asOf`); NaN without labels. */
  current: number;
  /** The same over the `days` calendar days before those. */
  previous: number;
  /** current − previous: negative means the model is getting worse; NaN when either side has no labels. */
  trend: number;
  currentCount: number;
  previousCount: number;
}

export interface ConceptDriftVerdict {
  detected: boolean;
  /** (baseline − current) / baseline × 100; negative when the model improved; NaN when current is NaN. */
  dropPercent: number;
  /** The drop exceeded dropThresholdPercent. */
  dropExceeded: boolean;
  /** Accuracy fell under the floor. */
  belowFloor: boolean;
}

export const DEFAULT_TREND_DAYS = 7;
export const DEFAULT_DROP_THRESHOLD_PERCENT = 5;
export const DEFAULT_ACCURACY_FLOOR = 0.8;

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (UTC) of a 'YYYY-MM-DD' string; throws on anything else, including 2024-02-30. */
export function dayNumber(day: string): number {
  const m = DAY_PATTERN.exec(day);
  if (m) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (new Date(ms).toISOString().slice(0, 10) === day) return ms / DAY_MS;
  }
  throw new RangeError(`not a calendar day 'YYYY-MM-DD': ${JSON.stringify(day)}`);
}

interface IndexedDay {
  day: number;
  accuracy: number;
  count: number;
}

/** Validated days with labels, oldest first. Duplicate days are an error (the history keeps one row per day). */
function labelledDays(points: readonly DailyAccuracy[]): IndexedDay[] {
  const days = points.map((p) => {
    if (!(p.accuracy >= 0 && p.accuracy <= 1)) throw new RangeError(`accuracy of ${p.day} must be in [0, 1]`);
    if (!Number.isInteger(p.count) || p.count < 0) throw new RangeError(`count of ${p.day} must be an integer ≥ 0`);
    return { day: dayNumber(p.day), accuracy: p.accuracy, count: p.count };
  });
  days.sort((a, b) => a.day - b.day);
  for (let k = 1; k < days.length; k++) {
    if (days[k].day === days[k - 1].day) throw new RangeError(`day ${new Date(days[k].day * DAY_MS).toISOString().slice(0, 10)} appears twice`);
  }
  return days.filter((d) => d.count > 0);
}

/** Pooled accuracy Σ accuracy·count / Σ count of the days in [from, to] (day numbers, inclusive). */
function pooled(days: readonly IndexedDay[], from: number, to: number): { accuracy: number; count: number } {
  let correct = 0;
  let count = 0;
  for (const d of days) {
    if (d.day < from || d.day > to) continue;
    correct += d.accuracy * d.count;
    count += d.count;
  }
  return { accuracy: count === 0 ? NaN : correct / count, count };
}

/**
 * Count-weighted accuracy of the `days` calendar days ending on `asOf` (default: the latest day in the
 * history) against the `days` calendar days before them. Calendar days, not data points: a week with
 * missing days is still that week.
 */
export function accuracyTrend(
  points: readonly DailyAccuracy[],
  options: { days?: number; asOf?: string } = {},
): AccuracyTrend {
  const span = options.days ?? DEFAULT_TREND_DAYS;
  if (!Number.isInteger(span) || span < 1) throw new RangeError('trend days must be a positive integer');
  const days = labelledDays(points);
  const end = options.asOf !== undefined ? dayNumber(options.asOf) : days.length > 0 ? days[days.length - 1].day : 0;
  const current = pooled(days, end - span + 1, end);
  const previous = pooled(days, end - 2 * span + 1, end - span);
  return {
    current: current.accuracy,
    previous: previous.accuracy,
    trend: current.accuracy - previous.accuracy,
    currentCount: current.count,
    previousCount: previous.count,
  };
}

/**
 * How many of the most recent labelled days in a row were worse than the labelled day before them.
 * basis 'daily' compares each day's own accuracy; 'moving_average' compares each day's count-weighted
 * trailing average over `days` calendar days (itself included), which ignores one-day noise.
 * Days without labels are skipped (no data is neither better nor worse); equal values end the streak.
 */
export function decliningDays(
  points: readonly DailyAccuracy[],
  options: { basis?: 'daily' | 'moving_average'; days?: number } = {},
): number {
  const basis = options.basis ?? 'daily';
  const span = options.days ?? DEFAULT_TREND_DAYS;
  const days = labelledDays(points);
  const value =
    basis === 'daily'
      ? (k: number) => days[k].accuracy
      : (k: number) => pooled(days, days[k].day - span + 1, days[k].day).accuracy;
  let streak = 0;
  for (let k = days.length - 1; k > 0 && value(k) < value(k - 1); k--) streak++;
  return streak;
}

/** (baseline − current) / baseline × 100. Positive = worse than the baseline. */
export function accuracyDropPercent(baseline: number, current: number): number {
  if (!(baseline > 0 && baseline <= 1)) throw new RangeError(`baseline accuracy must be in (0, 1], got ${baseline}`);
  return ((baseline - current) / baseline) * 100;
}

/**
 * Concept drift: the accuracy dropped more than `dropThresholdPercent` (default 5) below the baseline, or
 * fell under `floor` (default 0.80). Both comparisons are strict. A NaN current accuracy (no labels) is
 * no evidence of drift: not detected.
 */
export function conceptDrift(
  baseline: number,
  current: number,
  options: { dropThresholdPercent?: number; floor?: number } = {},
): ConceptDriftVerdict {
  const threshold = options.dropThresholdPercent ?? DEFAULT_DROP_THRESHOLD_PERCENT;
  const floor = options.floor ?? DEFAULT_ACCURACY_FLOOR;
  const dropPercent = accuracyDropPercent(baseline, current);
  const dropExceeded = dropPercent > threshold;
  const belowFloor = current < floor;
  return { detected: dropExceeded || belowFloor, dropPercent, dropExceeded, belowFloor };
}

export interface BaselineLearnerState {
  version: 1;
  labels: number;
  correct: number;
  seen: number;
}

/**
 * Learns a version's baseline accuracy from its first `labels` labelled predictions (default 1000),
 * then holds it: later labels do not move it.
 */
export class BaselineLearner {
  readonly labels: number;
  private correctCount = 0;
  private seenCount = 0;

  constructor(labels = 1000) {
    if (!Number.isInteger(labels) || labels < 1) throw new RangeError('baseline labels must be a positive integer');
    this.labels = labels;
  }

  /** Feeds one label; ignored once the baseline is learnt. Returns true when this label completed it. */
  add(correct: boolean): boolean {
    if (this.seenCount >= this.labels) return false;
    this.seenCount++;
    if (correct) this.correctCount++;
    return this.seenCount === this.labels;
  }

  /** Labels counted so far (at most `labels`). */
  get seen(): number {
    return this.seenCount;
  }

  get ready(): boolean {
    return this.seenCount >= this.labels;
  }

  /** The learnt baseline accuracy, undefined until `labels` labels were seen. */
  get baseline(): number | undefined {
    return this.ready ? this.correctCount / this.seenCount : undefined;
  }

  toJSON(): BaselineLearnerState {
    return { version: 1, labels: this.labels, correct: this.correctCount, seen: this.seenCount };
  }

  static fromJSON(state: BaselineLearnerState): BaselineLearner {
    if (state?.version !== 1) throw new TypeError('not a BaselineLearner state (version 1)');
    const learner = new BaselineLearner(state.labels);
    const { seen, correct } = state;
    if (!Number.isInteger(seen) || !Number.isInteger(correct) || correct < 0 || correct > seen || seen > learner.labels) {
      throw new TypeError('BaselineLearner state: need 0 ≤ correct ≤ seen ≤ labels');
    }
    learner.seenCount = seen;
    learner.correctCount = correct;
    return learner;
  }
}
