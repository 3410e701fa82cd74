// Checks for detector checkpoints read back from storage: a corrupt state must fail loudly at restore,
// not turn into NaN estimates later.

export function finiteField(state: object, field: string): number {
  const value = (state as Record<string, unknown>)[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`change detector state: ${field} must be a finite number`);
  }
  return value;
}

export function countField(state: object, field: string): number {
  const value = finiteField(state, field);
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`change detector state: ${field} must be a non-negative integer`);
  }
  return value;
}

export function booleanField(state: object, field: string): boolean {
  const value = (state as Record<string, unknown>)[field];
  if (typeof value !== 'boolean') throw new TypeError(`change detector state: ${field} must be a boolean`);
  return value;
}

/** Numbers that may legitimately be +Infinity (a minimum not yet seen), stored as null in JSON. */
export function minimumField(state: object, field: string): number {
  const value = (state as Record<string, unknown>)[field];
  if (value === null) return Infinity;
  return finiteField(state, field);
}
