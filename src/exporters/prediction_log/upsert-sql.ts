// The SQL form of merge() in row.ts, for both drivers: the SET list that merges an incoming patch,
// aliased `excluded`, into a stored row aliased `cur`. PostgreSQL runs it as ON CONFLICT DO UPDATE;
// SQLite, whose log finds rows through its own id index (sqlite-ids/), as UPDATE ... FROM. Every SET
// expression sees the row as it was.
import { GROUND_TRUTH_COLUMNS, MODEL_COLUMNS, PREDICTION_COLUMNS, STAGE_COLUMNS } from './row.js';

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function mergeAssignments(): string {
  const set: string[] = [];
  const isPrediction = 'excluded.time IS NOT NULL';
  for (const c of PREDICTION_COLUMNS) set.push(`${c} = CASE WHEN ${isPrediction} THEN excluded.${c} ELSE cur.${c} END`);
  for (const c of MODEL_COLUMNS) set.push(`${c} = CASE WHEN ${isPrediction} THEN excluded.${c} ELSE COALESCE(cur.${c}, excluded.${c}) END`);
  for (const c of STAGE_COLUMNS) set.push(`${c} = COALESCE(excluded.${c}, cur.${c})`);
  const newerLabel = 'excluded.ground_truth_at IS NOT NULL AND (cur.ground_truth_at IS NULL OR excluded.ground_truth_at >= cur.ground_truth_at)';
  for (const c of GROUND_TRUTH_COLUMNS) set.push(`${c} = CASE WHEN ${newerLabel} THEN excluded.${c} ELSE cur.${c} END`);
  return set.join(', ');
}

export function onConflictUpdate(): string {
  return `ON CONFLICT (prediction_id) DO UPDATE SET ${mergeAssignments()}`;
}
