// Benchmark: offline drift on two 100k-row × 20-column CSV files, modelwatch vs scipy.
// Generates the files (seeded), then times
//   - modelwatch: runDrift (read + parse + KS per column) and again with PSI, in this process;
//   - Python: numpy.loadtxt + scipy.stats.ks_2samp per column + a numpy PSI with the same binning,
//     in /usr/bin/python3, timing parse and statistics separately.
// Prints the figures and the ratio. Run: node --import tsx test/bench/drift.ts [rows] [columns]
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { runDrift } from '../../src/cli/commands/drift.js';
import { normals } from '../unit/stats/seeded.js';

const rows = Number(process.argv[2] ?? 100_000);
const cols = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'mw-bench-'));

function writeCsv(path: string, seed: number, shift: number): void {
  const columns = Array.from({ length: cols }, (_, c) => normals(seed * 100 + c, rows, c % 4 === 0 ? shift : 0));
  const lines = [Array.from({ length: cols }, (_, c) => `f${c}`).join(',')];
  for (let i = 0; i < rows; i++) lines.push(columns.map((v) => v[i].toFixed(5)).join(','));
  writeFileSync(path, lines.join('\n') + '\n');
}
const ref = join(dir, 'ref.csv');
const cur = join(dir, 'cur.csv');
writeCsv(ref, 1, 0);
writeCsv(cur, 2, 0.05);

async function time(label: string, stattest: 'ks' | 'psi'): Promise<number> {
  let out = '';
  const t0 = performance.now();
  const code = await runDrift({ reference: ref, current: cur, stattest, stdout: (s) => (out += s) });
  const ms = performance.now() - t0;
  const r = JSON.parse(out);
  console.log(`modelwatch ${label}: ${ms.toFixed(0)} ms (exit ${code}, ${r.number_drifted_columns}/${r.number_of_columns} drifted)`);
  return ms;
}

const py = `
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
print(json.dumps({'parse': (t1 - t0) * 1000, 'ks': (t2 - t1) * 1000, 'psi': (t3 - t2) * 1000,
                  'drifted_ks': sum(1 for r in ks if r.pvalue <= 0.05)}))
`;

const ksMs = await time('ks  (parse + tests)', 'ks');
const psiMs = await time('psi (parse + tests)', 'psi');
const p = spawnSync('/usr/bin/python3', ['-c', py, ref, cur], { encoding: 'utf8' });
if (p.status !== 0) {
  console.log('python failed:', p.stderr);
} else {
  const f = JSON.parse(p.stdout);
  const pyTotal = f.parse + f.ks + f.psi;
  console.log(`python: loadtxt ${f.parse.toFixed(0)} ms, ks_2samp ${f.ks.toFixed(0)} ms (${f.drifted_ks} drifted), numpy psi ${f.psi.toFixed(0)} ms`);
  console.log(`ratio python(parse + ks + psi) / modelwatch(ks run + psi run): ${(pyTotal / (ksMs + psiMs)).toFixed(2)}x`);
  console.log(`ratio python(parse + ks) / modelwatch(ks run): ${((f.parse + f.ks) / ksMs).toFixed(2)}x`);
}
console.log(`(${rows} rows × ${cols} columns per file, 4 of ${cols} columns shifted by 0.05 sd)`);
rmSync(dir, { recursive: true, force: true });
