// Grafana's template variables in the dashboard's queries, for the tests that run those queries.
import assert from 'node:assert/strict';

/** Fails when `expr` (variables substituted) still holds a `$`, i.e. a variable the caller left out. */
export function assertNoVariableLeft(expr: string): void {
  // A label_replace replacement ("$1") is a regex group, which Grafana leaves alone (no variable is named 1).
  assert.doesNotMatch(expr.replace(/"\$\d"/g, '""'), /\$/, `unsubstituted variable in ${expr}`);
}
