// Benchmark: offline `modelwatch drift` on two seeded CSV files (100k rows × 20 numerical columns by
// default, 4 columns shifted by 0.05 sd) against scipy, on the same files, in the same run.
//   modelwatch: runDrift() in this process (the `drift` command minus Node start-up and module loading):
//     read both files + parse + type inference + number conversion + one test per column + JSON output.
//     Timed once with --stattest ks and once with --stattest psi (each run reads the files again).
//   python (/usr/bin/python3, timed inside the script, excluding interpreter start and imports):
//     numpy.loadtxt of both files, scipy.stats.ks_2samp per column, a numpy PSI per column (same
//     reference-quantile bins as ours: numpy 'linear' quantiles, searchsorted side='right').
// Each side is repeated (default 5 times, alternating) and medians are reported, since other processes
// share the machine; each speed-up is the median of the per-repeat ratios. The results are compared column by column (KS D and p-value, PSI) so
// both sides are seen to do the same work.
// Run: node --import tsx test/bench/drift.ts [rows] [columns] [repeats]
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runDrift } from '../../src/cli/commands/drift.js';
import type { DriftResult } from '../../src/stats/drift_types.js';
import { normals } from '../unit/stats/seeded.js';

export interface DriftOfflineOptions {
  rows?: number;
  cols?: number;
  repeats?: number;
}

const PYTHON = `
import sys, time, json
import numpy as np
from scipy import stats
def edges(ref, bins=10):
    s = np.sort(ref); n = len(s); out = []
    for j in range(1, bins):
        pos = ((n - 1) * j) / bins; lo = int(np.floor(pos)); frac = pos - lo
        e = s[n - 1] if lo + 1 >= n else s[lo] + (s[lo + 1] - s[lo]) * frac
        if not out or e > out[-1]: out.append(e)
    return np.array(out)
def psi(a, b):
    e = edges(a)
    r = np.bincount(np.searchsorted(e, a, side='right'), minlength=len(e) + 1) / len(a)
    c = np.bincount(np.searchsorted(e, b, side='right'), minlength=len(e) + 1) / len(b)
    r = np.where(r == 0, 1e-4, r); c = np.where(c == 0, 1e-4, c)
    return float(np.sum((c - r) * np.log(c / r)))
t0 = time.perf_counter()
A = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
B = np.loadtxt(sys.argv[2], delimiter=',', skiprows=1)
t1 = time.perf_counter()
ks = [stats.ks_2samp(A[:, i], B[:, i]) for i in range(A.shape[1])]
t2 = time.perf_counter()
ps = [psi(A[:, i], B[:, i]) for i in range(A.shape[1])]
t3 = time.perf_counter()
print(json.dumps({'load': (t1 - t0) * 1000, 'ks': (t2 - t1) * 1000, 'psi': (t3 - t2) * 1000,
                  'ks_d': [float(r.statistic) for r in ks], 'ks_p': [float(r.pvalue) for r in ks], 'psi_v': ps}))
`;

interface PythonRun {
  load: number;
  ks: number;
  psi: number;
  ks_d: number[];
  ks_p: number[];
  psi_v: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function writeCsv(path: string, rows: number, cols: number, seed: number, shift: number): void {
  const columns = Array.from({ length: cols }, (_, c) => normals(seed * 100 + c, rows, c % 4 === 0 ? shift : 0));
  const lines = [Array.from({ length: cols }, (_, c) => `f${c}`).join(',')];
  for (let i = 0; i < rows; i++) lines.push(columns.map((v) => v[i].toFixed(5)).join(','));
  writeFileSync(path, lines.join('\n') + '\n');
}

async function timeRun(ref: string, cur: string, stattest: 'ks' | 'psi'): Promise<{ ms: number; result: DriftResult }> {
  let out = '';
  const t0 = performance.now();
  const code = await runDrift({ reference: ref, current: cur, stattest, stdout: (s) => (out += s), stderr: (s) => (out += s) });
  const ms = performance.now() - t0;
  if (code === 2) throw new Error(`modelwatch drift failed: ${out}`);
  return { ms, result: JSON.parse(out) as DriftResult };
}

function runPython(ref: string, cur: string): PythonRun | string {
  const p = spawnSync('/usr/bin/python3', ['-c', PYTHON, ref, cur], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return p.status === 0 ? (JSON.parse(p.stdout) as PythonRun) : `python failed: ${p.stderr || p.error?.message}`;
}

/** Largest |a - b| / max(|b|, tiny) over the columns. */
function maxRelDiff(a: number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}

export async function benchDriftOffline(o: DriftOfflineOptions = {}): Promise<Record<string, unknown>> {
  const rows = o.rows ?? 100_000;
  const cols = o.cols ?? 20;
  const repeats = o.repeats ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'mw-bench-drift-'));
  try {
    const ref = join(dir, 'ref.csv');
    const cur = join(dir, 'cur.csv');
    writeCsv(ref, rows, cols, 1, 0);
    writeCsv(cur, rows, cols, 2, 0.05);
    const mwKs: number[] = [];
    const mwPsi: number[] = [];
    const py: PythonRun[] = [];
    let ksResult: DriftResult | undefined;
    let psiResult: DriftResult | undefined;
    for (let r = 0; r < repeats; r++) {
      const k = await timeRun(ref, cur, 'ks');
      mwKs.push(k.ms);
      ksResult = k.result;
      const p = await timeRun(ref, cur, 'psi');
      mwPsi.push(p.ms);
      psiResult = p.result;
      const f = runPython(ref, cur);
      if (typeof f === 'string') throw new Error(f);
      py.push(f);
    }
    const names = Array.from({ length: cols }, (_, c) => `f${c}`);
    const last = py[py.length - 1];
    const agreement = {
      ksStatisticMaxRelDiff: maxRelDiff(names.map((n) => ksResult!.columns[n].statistic!), last.ks_d),
      ksPValueMaxRelDiff: maxRelDiff(names.map((n) => ksResult!.columns[n].score), last.ks_p),
      psiMaxRelDiff: maxRelDiff(names.map((n) => psiResult!.columns[n].score), last.psi_v),
      driftedKs: { modelwatch: ksResult!.number_drifted_columns, scipy: last.ks_p.filter((p) => p <= 0.05).length },
    };
    const m = {
      modelwatchKsRunMs: median(mwKs),
      modelwatchPsiRunMs: median(mwPsi),
      pythonLoadMs: median(py.map((f) => f.load)),
      pythonKsMs: median(py.map((f) => f.ks)),
      pythonPsiMs: median(py.map((f) => f.psi)),
      pythonLoadKsMs: median(py.map((f) => f.load + f.ks)),
      pythonLoadPsiMs: median(py.map((f) => f.load + f.psi)),
      pythonAllMs: median(py.map((f) => f.load + f.ks + f.psi)),
    };
    // Ratios per repeat (both sides measured within seconds of each other, under the same load from
    // other processes), then their median.
    const perRepeat = py.map((f, r) => ({
      ks: (f.load + f.ks) / mwKs[r],
      psi: (f.load + f.psi) / mwPsi[r],
      // python loads once for both tests; modelwatch's two runs load the files twice
      all: (f.load + f.ks + f.psi) / (mwKs[r] + mwPsi[r]),
    }));
    const ratios = {
      ks: median(perRepeat.map((x) => x.ks)),
      psi: median(perRepeat.map((x) => x.psi)),
      all: median(perRepeat.map((x) => x.all)),
    };
    const row = (what: string, value: string) => console.log(`${what.padEnd(58)} ${value}`);
    row(`drift offline: ${rows} rows × ${cols} cols, median of ${repeats}`, '');
    row('drift: modelwatch drift --stattest ks (ms)', `${m.modelwatchKsRunMs.toFixed(0)}  [${mwKs.map((x) => x.toFixed(0)).join(', ')}]`);
    row('drift: modelwatch drift --stattest psi (ms)', `${m.modelwatchPsiRunMs.toFixed(0)}  [${mwPsi.map((x) => x.toFixed(0)).join(', ')}]`);
    row('drift: python loadtxt / ks_2samp / numpy psi (ms)', `${m.pythonLoadMs.toFixed(0)} / ${m.pythonKsMs.toFixed(0)} / ${m.pythonPsiMs.toFixed(0)}`);
    const each = (k: 'ks' | 'psi' | 'all') => `${ratios[k].toFixed(2)}x  [${perRepeat.map((x) => x[k].toFixed(2)).join(', ')}]`;
    row('drift: speed-up vs python, ks (load+ks_2samp / ks run)', each('ks'));
    row('drift: speed-up vs python, psi (load+psi / psi run)', each('psi'));
    row('drift: speed-up vs python, both (load+ks+psi / 2 runs)', each('all'));
    row('drift: agreement with scipy (max rel. diff D, p, psi)', `${agreement.ksStatisticMaxRelDiff.toExponential(1)}, ${agreement.ksPValueMaxRelDiff.toExponential(1)}, ${agreement.psiMaxRelDiff.toExponential(1)}; drifted ${agreement.driftedKs.modelwatch} vs ${agreement.driftedKs.scipy}`);
    return { rows, cols, repeats, samples: { modelwatchKs: mwKs, modelwatchPsi: mwPsi, python: py.map(({ load, ks, psi }) => ({ load, ks, psi })), ratios: perRepeat }, median: m, ratios, agreement };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rows, cols, repeats] = process.argv.slice(2).map(Number);
  await benchDriftOffline({ rows: rows || undefined, cols: cols || undefined, repeats: repeats || undefined });
}
