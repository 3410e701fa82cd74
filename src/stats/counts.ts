// Category counts and their alignment over the union of categories (tests compare two count vectors).

export type CategoryCounts = Map<string, number>;

export function countCategories(values: Iterable<string | null | undefined>): CategoryCounts {
  const counts: CategoryCounts = new Map();
  for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

export interface AlignedCounts {
  keys: string[];
  reference: Float64Array;
  current: Float64Array;
}

/** Both count vectors over the sorted union of categories (absent categories count 0). */
export function alignCounts(reference: CategoryCounts, current: CategoryCounts): AlignedCounts {
  const keys = [...new Set([...reference.keys(), ...current.keys()])].sort();
  return {
    keys,
    reference: Float64Array.from(keys, (k) => reference.get(k) ?? 0),
    current: Float64Array.from(keys, (k) => current.get(k) ?? 0),
  };
}

export function total(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i];
  return s;
}
