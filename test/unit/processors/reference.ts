// Straightforward quality metrics for the tests, written independently of src/stats: recompute from the
// list of (predicted, actual) pairs with no incremental state. sklearn semantics, zero_division = 0.
export interface RefScores {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  perClass: Map<string, { precision: number; recall: number; f1: number }>;
}

const div = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function referenceScores(pairs: readonly [string, string][], opts: { positive?: string; average?: 'macro' | 'weighted' | 'micro' } = {}): RefScores {
  const classes = [...new Set(pairs.flatMap(([p, a]) => [p, a]))].sort();
  const perClass = new Map<string, { precision: number; recall: number; f1: number; support: number }>();
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [p, a] of pairs) {
      if (p === c && a === c) tp++;
      else if (p === c) fp++;
      else if (a === c) fn++;
    }
    const precision = div(tp, tp + fp);
    const recall = div(tp, tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.set(c, { precision, recall, f1, support: tp + fn });
  }
  const accuracy = pairs.filter(([p, a]) => p === a).length / pairs.length;
  let precision: number;
  let recall: number;
  let f1: number;
  if (opts.positive !== undefined) {
    const s = perClass.get(opts.positive) ?? { precision: 0, recall: 0, f1: 0 };
    ({ precision, recall, f1 } = s);
  } else if ((opts.average ?? 'macro') === 'micro') {
    precision = recall = f1 = accuracy;
  } else {
    const weighted = opts.average === 'weighted';
    const w = (c: string) => (weighted ? perClass.get(c)!.support : 1);
    const total = classes.reduce((s, c) => s + w(c), 0);
    precision = div(classes.reduce((s, c) => s + w(c) * perClass.get(c)!.precision, 0), total);
    recall = div(classes.reduce((s, c) => s + w(c) * perClass.get(c)!.recall, 0), total);
    f1 = div(classes.reduce((s, c) => s + w(c) * perClass.get(c)!.f1, 0), total);
  }
  return { accuracy, precision, recall, f1, perClass };
}

/** Equal within floating-point rounding (the two sides sum in different orders). */
export function close(a: number | undefined, b: number, what: string): void {
  if (a === undefined || Math.abs(a - b) > 1e-12) throw new Error(`${what}: got ${a}, expected ${b}`);
}
