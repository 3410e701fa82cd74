// Precision, recall and F1 from per-class counts, with scikit-learn's semantics and zero_division=0:
// a ratio whose denominator is zero is 0 (a class never predicted has precision 0; a class absent from
// the true labels has recall 0). Kept apart from the window so the formulas can be checked on their own.

/** The sufficient statistics of the confusion matrix for one class. */
export interface ClassCounts {
  label: string;
  /** Predicted this class and it was this class. */
  truePositives: number;
  /** Times this class was predicted (column sum). */
  predicted: number;
  /** Times this class was the true class (row sum): sklearn's "support". */
  actual: number;
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassScores extends Scores {
  label: string;
  support: number;
}

/**
 * macro: unweighted mean over the classes present in the window as a true OR a predicted label
 * (sklearn's default label set: the union of y_true and y_pred). weighted: mean weighted by support.
 * micro: global counts; for single-label multiclass data precision = recall = F1 = accuracy.
 */
export type Average = 'macro' | 'weighted' | 'micro';
export const AVERAGES: readonly Average[] = ['macro', 'weighted', 'micro'];

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Scores of one class. F1 = 2TP / (2TP + FP + FN) = 2TP / (predicted + actual), 0 when both are 0. */
export function scoresOf(c: ClassCounts): ClassScores {
  return {
    label: c.label,
    precision: ratio(c.truePositives, c.predicted),
    recall: ratio(c.truePositives, c.actual),
    f1: ratio(2 * c.truePositives, c.predicted + c.actual),
    support: c.actual,
  };
}

/**
 * Averages over `classes`, which must be exactly the classes present (predicted or actual at least once).
 * Returns NaN scores when there are none (an empty window has no defined quality).
 */
export function averageScores(classes: readonly ClassCounts[], average: Average): Scores {
  if (classes.length === 0) return { precision: NaN, recall: NaN, f1: NaN };
  if (average === 'micro') {
    let tp = 0;
    let predicted = 0;
    let actual = 0;
    for (const c of classes) {
      tp += c.truePositives;
      predicted += c.predicted;
      actual += c.actual;
    }
    return { precision: ratio(tp, predicted), recall: ratio(tp, actual), f1: ratio(2 * tp, predicted + actual) };
  }
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let weightSum = 0;
  for (const c of classes) {
    const s = scoresOf(c);
    const w = average === 'weighted' ? c.actual : 1;
    precision += w * s.precision;
    recall += w * s.recall;
    f1 += w * s.f1;
    weightSum += w;
  }
  // sklearn: a weighted average with zero total support is 0.
  return { precision: ratio(precision, weightSum), recall: ratio(recall, weightSum), f1: ratio(f1, weightSum) };
}
