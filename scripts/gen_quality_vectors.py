#!/usr/bin/python3
"""Reference values for src/stats/classification.ts, computed by scikit-learn (an independent implementation).

Writes test/fixtures/quality/vectors.json: seeded label streams and, at several points, sklearn's metrics
over the last `size` labels (the window). Needs Debian's python3-sklearn: run with /usr/bin/python3.

    /usr/bin/python3 scripts/gen_quality_vectors.py
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'quality', 'vectors.json')


def noisy_labels(rng, truth, classes, accuracy):
    """Predictions that equal the truth with probability `accuracy`, else a uniformly random class (possibly the true one)."""
    pred = []
    for t in truth:
        if rng.random() < accuracy:
            pred.append(t)
        else:
            pred.append(classes[rng.integers(len(classes))])
    return pred


def window_values(y_true, y_pred, positive):
    def prf(average, **kw):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0, **kw)
        return {'precision': float(p), 'recall': float(r), 'f1': float(f)}

    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None, zero_division=0)
    out = {
        'count': len(y_true),
        'accuracy': float(accuracy_score(y_true, y_pred)),
        'macro': prf('macro'),
        'weighted': prf('weighted'),
        'micro': prf('micro'),
        'perClass': [
            {'label': lab, 'precision': float(p[i]), 'recall': float(r[i]), 'f1': float(f[i]), 'support': int(s[i])}
            for i, lab in enumerate(labels)
        ],
    }
    if positive is not None:
        # sklearn refuses average='binary' when the window holds more than two labels; use the positive
        # class's own row, which is what 'binary' means, and cross-check with 'binary' when sklearn allows it.
        if positive in labels:
            k = labels.index(positive)
            out['binary'] = {'precision': float(p[k]), 'recall': float(r[k]), 'f1': float(f[k])}
        else:
            out['binary'] = {'precision': 0.0, 'recall': 0.0, 'f1': 0.0}
        if len(labels) <= 2:
            check = prf('binary', pos_label=positive)
            assert all(abs(check[m] - out['binary'][m]) < 1e-15 for m in check), (check, out['binary'])
    return out


def stream(name, size, y_true, y_pred, points, positive=None):
    assert len(y_true) == len(y_pred)
    checkpoints = []
    for n in points:
        lo = max(0, n - size)
        values = window_values(y_true[lo:n], y_pred[lo:n], positive)
        values['after'] = n
        checkpoints.append(values)
    return {
        'name': name,
        'size': size,
        'positiveClass': positive,
        'predicted': list(y_pred),
        'actual': list(y_true),
        'checkpoints': checkpoints,
    }


def main():
    rng = np.random.default_rng(20240611)
    streams = []

    # Binary, imbalanced, then a stretch with no positives at all (positive absent from the window).
    classes = ['neg', 'pos']
    truth = [classes[int(rng.random() < 0.3)] for _ in range(300)] + ['neg'] * 120
    pred = noisy_labels(rng, truth[:300], classes, 0.85) + ['neg'] * 120
    streams.append(stream('binary_imbalanced', 50, truth, pred, [1, 2, 7, 49, 50, 51, 137, 300, 330, 350, 420], 'pos'))

    # Binary where the model only ever predicts the negative class: positive never predicted (precision 0).
    truth = [classes[int(rng.random() < 0.5)] for _ in range(200)]
    pred = ['neg'] * 200
    streams.append(stream('binary_never_positive', 64, truth, pred, [10, 64, 65, 200], 'pos'))

    # Three classes, window 100.
    classes = ['cat', 'dog', 'éléphant']
    truth = [classes[rng.integers(3)] for _ in range(1000)]
    pred = noisy_labels(rng, truth, classes, 0.8)
    streams.append(stream('multiclass_3', 100, truth, pred, [1, 5, 99, 100, 101, 250, 517, 1000], None))

    # Five classes whose presence changes by phase: classes absent from some windows, classes predicted
    # but never true (and the reverse), and a hallucinated class only ever predicted.
    phases = [
        (['a', 'b', 'c'], ['a', 'b', 'c', 'z'], 0.7, 300),
        (['c', 'd', 'e'], ['c', 'd', 'e'], 0.9, 300),
        (['a', 'e'], ['a', 'b', 'e'], 0.6, 300),
    ]
    truth, pred = [], []
    for true_classes, pred_classes, acc, n in phases:
        t = [true_classes[rng.integers(len(true_classes))] for _ in range(n)]
        truth += t
        pred += noisy_labels(rng, t, pred_classes, acc)
    streams.append(stream('multiclass_5_phases', 120, truth, pred, [30, 120, 299, 300, 360, 420, 600, 719, 840, 900], None))

    # Window of one entry: every read is about the last label only.
    classes = ['x', 'y', 'w', 'v']
    truth = [classes[rng.integers(4)] for _ in range(20)]
    pred = noisy_labels(rng, truth, classes, 0.5)
    streams.append(stream('window_of_one', 1, truth, pred, [1, 2, 3, 10, 20], 'x'))

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump({'generator': 'scripts/gen_quality_vectors.py', 'sklearn': sklearn.__version__, 'numpy': np.__version__,
                   'streams': streams}, f, ensure_ascii=False, indent=1)
        f.write('\n')
    print(f'wrote {OUT}: {len(streams)} streams', file=sys.stderr)


if __name__ == '__main__':
    main()
