// Seeded random numbers for the drift tests (mulberry32 + Box–Muller), so failures reproduce.
import { mulberry32 } from '../../helpers/random.js';
export const rng = mulberry32;

export function normals(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
}

export function choices(seed: number, n: number, cats: string[], weights: number[]): string[] {
  const u = rng(seed);
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let x = u() * total;
    for (let i = 0; i < cats.length; i++) if ((x -= weights[i]) < 0) return cats[i];
    return cats[cats.length - 1];
  });
}
