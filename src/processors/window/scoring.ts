// How a model is scored: binary against its positive class, or a multiclass average; the same rule for the
// live window and for the daily history.
import { averageScores, scoresOf, type Average, type ClassCounts, type Scores } from '../../stats/classification_metrics.js';
import type { MetricsMode } from '../../stats/classification.js';
import type { WindowConfig } from './config.js';

export function modeFor(config: Pick<WindowConfig, 'positive_class' | 'average'>, modelName: string): MetricsMode {
  const pc = config.positive_class;
  const positive = typeof pc === 'string' ? pc : pc?.[modelName];
  if (positive !== undefined) return { mode: 'binary', positiveClass: positive };
  return { mode: 'multiclass', average: config.average as Average };
}

/** Precision, recall and F1 of pooled counts under `mode`; NaN without any labels. */
export function scoresFor(classes: readonly ClassCounts[], mode: MetricsMode): Scores {
  if (classes.length === 0) return { precision: NaN, recall: NaN, f1: NaN };
  if (mode.mode === 'multiclass') return averageScores(classes, mode.average ?? 'macro');
  const c = classes.find((k) => k.label === mode.positiveClass);
  if (c === undefined) return { precision: 0, recall: 0, f1: 0 };
  const { precision, recall, f1 } = scoresOf(c);
  return { precision, recall, f1 };
}
