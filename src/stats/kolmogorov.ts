// The distribution of the one-sample two-sided Kolmogorov statistic D_n, needed for the asymptotic
// two-sample KS p-value (scipy's ks_2samp uses kstwo.sf(D, round(m*n/(m+n))) there).
// Method selection follows Simard & L'Ecuyer (2011), as scipy does:
//   - Ruben–Gambino closed forms at the extremes (n·x <= 1, n·x >= n-1);
//   - Durbin's matrix formula (exact) for small n·x;
//   - Pelz–Good asymptotic series for large n with moderate n·x²;
//   - 2 × the exact one-sided Smirnov tail in the upper tail (n·x² >= 2.2, or x >= 0.5), where the
//     two one-sided events are nearly disjoint.
import { logChoose, logGamma } from './special.js';

/** P(D_n >= x) for the one-sample two-sided Kolmogorov statistic. */
export function kolmogorovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf = Math.exp(logGamma(n + 1) - n * Math.log(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  if (n <= 100000 && n * Math.pow(x, 1.5) <= 1.4) return clip(1 - durbinCdf(n, x));
  return clip(1 - pelzGoodCdf(n, x));
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/**
 * Exact one-sided Smirnov tail P(D_n^+ >= x) (Birnbaum–Tingey sum), summed in log space:
 * x · Σ_{j=0}^{⌊n(1-x)⌋} C(n,j) (1-x-j/n)^{n-j} (x+j/n)^{j-1}.
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const jmax = Math.floor(n * (1 - x) + 1e-12);
  const lg = logFactorials(n);
  let sum = 0;
  for (let j = 0; j <= jmax; j++) {
    const base = 1 - x - j / n;
    if (base <= 0) continue; // (1-x-j/n)^(n-j) vanishes (j < n since x > 0)
    // ln C(n, j) as logChoose computes it, from the same logGamma values (table or direct)
    const lc = lg ? lg[n] - lg[j] - lg[n - j] : logChoose(n, j);
    sum += Math.exp(lc + (n - j) * Math.log(base) + (j - 1) * Math.log(x + j / n));
  }
  return clip(x * sum);
}

/** Largest n whose table of ln k! is kept (8 bytes per entry). */
const LOG_FACTORIAL_TABLE_MAX = 1_000_000;
let logFactorialTable: { n: number; table: Float64Array } | undefined;

/**
 * logGamma(k + 1) for k = 0..n, kept for the last n asked: the Smirnov sum needs ln C(n, j) for every
 * j up to n, i.e. 3 logGamma calls per term, and every column of one drift run has the same n. The
 * values are logGamma's own, so results are bit-identical to calling logChoose.
 */
function logFactorials(n: number): Float64Array | undefined {
  if (!Number.isInteger(n) || n < 0 || n > LOG_FACTORIAL_TABLE_MAX) return undefined;
  if (logFactorialTable?.n === n) return logFactorialTable.table;
  const table = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) table[k] = logGamma(k + 1);
  logFactorialTable = { n, table };
  return table;
}

/**
 * Durbin's matrix formula (Marsaglia–Tsang–Wang form): P(D_n < x) = n!/n^n · (H^n)[k-1][k-1], with
 * k = ⌈n·x⌉ and H of order 2k-1. Powers are rescaled by 2^±256 to stay in range.
 */
export function durbinCdf(n: number, x: number): number {
  const nd = n * x;
  if (nd <= 0.5) return 0;
  if (x >= 1) return 1;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  // v[j] = (1 - h^(j+1)) / (j+1)!, w[j] = 1/j!
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac;
  }
  v[m - 1] = (1 + Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m)) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  const SCALE = 2 ** 256;
  let power: Float64Array | null = null as Float64Array | null;
  let powerExp = 0;
  let base: Float64Array = H;
  let baseExp = 0;
  let e = n;
  while (e > 0) {
    if (e & 1) {
      power = power === null ? base.slice() : matMul(power, base, m);
      powerExp += baseExp;
    }
    e = Math.floor(e / 2);
    if (e > 0) {
      base = matMul(base, base, m);
      baseExp *= 2;
      if (Math.abs(base[(k - 1) * m + (k - 1)]) > SCALE) {
        for (let i = 0; i < base.length; i++) base[i] /= SCALE;
        baseExp += 256;
      }
    }
  }
  let p = power![(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      powerExp -= 256;
    }
  }
  return clip(p * Math.pow(2, powerExp));
}

function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      const rowB = l * m;
      const rowO = i * m;
      for (let j = 0; j < m; j++) out[rowO + j] += ail * b[rowB + j];
    }
  }
  return out;
}

const PI2 = Math.PI * Math.PI;
const PI4 = PI2 * PI2;
const PI6 = PI4 * PI2;
const SQRT2PI = Math.sqrt(2 * Math.PI);

/**
 * Pelz–Good (1976) expansion P(D_n <= x) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5, z = x√n,
 * with each K written as a theta-type series that converges fast for small z.
 */
export function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  const q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z4 * z4;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Σ over odd m = 2k-1 of c_m q^(m²), by Horner in q^(8k).
  for (let kk = maxk; kk >= 1; kk--) {
    const mm = 2 * kk - 1;
    const m2 = mm * mm;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * kk);
    K[0] = K[0] * qp + 1;
    K[1] = K[1] * qp + (k1a + k1b * m2);
    K[2] = K[2] * qp + (k2a + k2b * m2 + k2c * m4);
    K[3] = K[3] * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const div = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / div[i];
  // The terms over all integers k in K2 and K3.
  const q2 = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const s3z = Math.sqrt(3) * z;
  for (let kk = maxk; kk >= 1; kk--) {
    const ks = kk * kk;
    const qp = Math.pow(q2, ks);
    k2extra += ks * qp;
    const kpi = Math.PI * kk;
    k3extra += (s3z + kpi) * (s3z - kpi) * ks * qp;
  }
  K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z2 * z);
  K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  return clip(K[0] + K[1] / Math.sqrt(n) + K[2] / n + K[3] / Math.pow(n, 1.5));
}
