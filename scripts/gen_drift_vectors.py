#!/usr/bin/python3
"""Expected values for modelwatch's drift statistics, computed with scipy and numpy.

Run with Debian's python3 (it has scipy): /usr/bin/python3 scripts/gen_drift_vectors.py
Writes test/fixtures/drift/vectors.json (inputs and outputs). Seeded: re-running gives the same file.
The PSI and binned Jensen-Shannon here re-implement the binning documented in src/stats/quantile_bins.ts
with numpy, independently of the TypeScript code.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20240611)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'drift', 'vectors.json')


def r(x, digits=6):
    """Round inputs so the JSON stays small; scipy then sees exactly the numbers we store."""
    return [float(v) for v in np.round(np.asarray(x, dtype=float), digits)]


def quantile_edges(ref, bins):
    s = np.sort(ref)
    n = len(s)
    edges = []
    for j in range(1, bins):
        pos = ((n - 1) * j) / bins
        lo = int(np.floor(pos))
        frac = pos - lo
        e = s[n - 1] if lo + 1 >= n else s[lo] + (s[lo + 1] - s[lo]) * frac
        if not edges or e > edges[-1]:
            edges.append(float(e))
    return np.array(edges)


def binned(ref, cur, bins):
    edges = quantile_edges(ref, bins)
    rc = np.bincount(np.searchsorted(edges, ref, side='right'), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side='right'), minlength=len(edges) + 1)
    return rc, cc


def psi_numpy(ref, cur, bins=10):
    rc, cc = binned(ref, cur, bins)
    rs = rc / rc.sum()
    cs = cc / cc.sum()
    rs = np.where(rs == 0, 0.0001, rs)
    cs = np.where(cs == 0, 0.0001, cs)
    return float(np.sum((cs - rs) * np.log(cs / rs)))


def ks_case(name, a, b):
    a, b = r(a), r(b)
    res = stats.ks_2samp(a, b, method='auto')
    return {'name': name, 'a': a, 'b': b, 'statistic': float(res.statistic), 'pvalue': float(res.pvalue)}


ks = [
    ks_case('tiny exact 5 vs 6', rng.normal(size=5), rng.normal(0.5, 1, size=6)),
    ks_case('equal sizes 20', rng.normal(size=20), rng.normal(size=20)),
    ks_case('unequal 50 vs 70', rng.normal(size=50), rng.normal(0.3, 1, size=70)),
    ks_case('ties: small integers 40 vs 60', rng.integers(0, 5, size=40), rng.integers(0, 6, size=60)),
    ks_case('shifted 200 vs 250 (tiny p)', rng.normal(size=200), rng.normal(1.0, 1, size=250)),
    ks_case('same distribution 300 vs 1000', rng.exponential(size=300), rng.exponential(size=1000)),
    ks_case('exact boundary 1000 vs 10000', rng.normal(size=1000), rng.normal(0.05, 1, size=10000)),
    ks_case('asymptotic 1000 vs 12000', rng.normal(size=1000), rng.normal(0.08, 1, size=12000)),
    ks_case('asymptotic 800 vs 15000 no drift', rng.uniform(size=800), rng.uniform(size=15000)),
]

kstwo = []
for n, x in [(990, 0.03), (990, 0.05), (990, 0.1), (5000, 0.015), (5000, 0.005), (200000, 0.003),
             (100, 0.1), (100, 0.2), (100, 0.004), (100, 0.008), (30, 0.6), (30, 0.97), (141, 0.02),
             (2000, 0.03), (50000, 0.004), (1000, 0.0)]:
    kstwo.append({'n': n, 'x': x, 'sf': float(stats.kstwo.sf(x, n))})


def chi_case(name, ref_counts, cur_counts):
    ref_counts = np.asarray(ref_counts, dtype=float)
    cur_counts = np.asarray(cur_counts, dtype=float)
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    res = stats.chisquare(cur_counts, expected)
    return {'name': name, 'ref': r(ref_counts), 'cur': r(cur_counts),
            'statistic': float(res.statistic), 'pvalue': float(res.pvalue)}


chisq = [
    chi_case('3 categories, no drift', [300, 500, 200], [290, 520, 190]),
    chi_case('4 categories, drift', [250, 250, 250, 250], [400, 200, 200, 200]),
    chi_case('uneven totals', [30, 70, 15, 5, 80], [300, 650, 170, 60, 800]),
    chi_case('many categories', rng.integers(20, 200, size=30), rng.integers(20, 200, size=30)),
    chi_case('large statistic', [100, 100], [10, 190]),
]


def w_case(name, a, b):
    a, b = r(a), r(b)
    return {'name': name, 'a': a, 'b': b, 'distance': float(stats.wasserstein_distance(a, b)),
            'normed': float(stats.wasserstein_distance(a, b) / max(np.std(a), 0.001))}


wass = [
    w_case('normal shift', rng.normal(size=500), rng.normal(0.2, 1, size=700)),
    w_case('scale change', rng.normal(10, 2, size=2000), rng.normal(10, 3, size=1500)),
    w_case('ties', rng.integers(0, 4, size=100), rng.integers(0, 5, size=80)),
    w_case('constant reference', [3.0] * 50, rng.normal(3, 0.01, size=40)),
]

js = []
for name, p, q in [('disjoint', [5, 0, 3], [0, 7, 0]), ('close', [100, 200, 300], [110, 190, 300]),
                   ('random', rng.integers(0, 50, size=12), rng.integers(0, 50, size=12))]:
    js.append({'name': name, 'ref': r(p), 'cur': r(q), 'distance': float(jensenshannon(p, q))})
js_num = []
for name, a, b in [('normal shift', rng.normal(size=3000), rng.normal(0.3, 1.2, size=2500)),
                   ('lognormal same', rng.lognormal(size=1500), rng.lognormal(size=1800))]:
    a, b = r(a), r(b)
    rc, cc = binned(np.array(a), np.array(b), 10)
    js_num.append({'name': name, 'a': a, 'b': b, 'bins': 10, 'distance': float(jensenshannon(rc, cc))})

psi = []
for name, a, b, bins in [('no drift', rng.normal(size=2000), rng.normal(size=2000), 10),
                         ('shift', rng.normal(size=1500), rng.normal(0.5, 1, size=1200), 10),
                         ('current outside reference range (empty bins)', rng.uniform(0, 1, size=800),
                          rng.uniform(0.5, 1.5, size=600), 10),
                         ('ties in reference', rng.integers(0, 4, size=500), rng.integers(0, 4, size=400), 10),
                         ('20 bins', rng.gamma(2.0, size=1000), rng.gamma(2.4, size=1000), 20)]:
    a, b = r(a), r(b)
    psi.append({'name': name, 'a': a, 'b': b, 'bins': bins, 'psi': psi_numpy(np.array(a), np.array(b), bins),
                'edges': [float(e) for e in quantile_edges(np.array(a), bins)]})

ztest = []
for name, h1, n1, h2, n2 in [('equal', 40, 100, 44, 110), ('drift', 300, 1000, 380, 1000), ('small', 3, 9, 8, 11)]:
    p1, p2 = h1 / n1, h2 / n2
    pooled = (h1 + h2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    ztest.append({'name': name, 'refHits': h1, 'refTotal': n1, 'curHits': h2, 'curTotal': n2,
                  'statistic': float(z), 'pvalue': float(2 * stats.norm.sf(abs(z)))})

with open(OUT, 'w') as f:
    json.dump({'generator': 'scripts/gen_drift_vectors.py', 'scipy': scipy.__version__, 'numpy': np.__version__,
               'ks_2samp': ks, 'kstwo_sf': kstwo, 'chisquare': chisq, 'wasserstein': wass,
               'jensenshannon_counts': js, 'jensenshannon_numeric': js_num, 'psi': psi, 'ztest': ztest}, f)
print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')
