// Daily quality of each model version: the labels of one UTC day (of label arrival) pooled into class
// counts, from which accuracy, precision, recall and F1 are computed on read (so the averaging mode
// applies to old days too). Recent days live in memory (checkpointed in the snapshot); every change is
// written behind to a table of the processor's own, only from persist(), so the table and the
// checkpoint agree after a crash.
import type { Db } from '../../storage/database.js';
import type { ClassCounts } from '../../stats/classification_metrics.js';

export const DAY_MS = 86_400_000;

/** Pooled counts of one day: per class [true positives, predicted, actual]. */
export interface DayCounts {
  count: number;
  correct: number;
  classes: Record<string, [number, number, number]>;
}

export interface DayRow {
  modelName: string;
  modelVersion: string;
  /** Days since 1970-01-01 UTC. */
  day: number;
  counts: DayCounts;
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function classCounts(c: DayCounts): ClassCounts[] {
  return Object.entries(c.classes)
    .map(([label, [truePositives, predicted, actual]]) => ({ label, truePositives, predicted, actual }))
    .sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
}

const SEP = '\u0001';

/** The days being filled, in memory, and which of them changed since the last persist. */
export class RecentDays {
  private readonly days = new Map<string, DayRow>();
  private readonly dirty = new Set<string>();
  latestDay = 0;

  add(modelName: string, modelVersion: string, predicted: string, actual: string, at: number): void {
    const day = dayOf(at);
    if (day > this.latestDay) this.latestDay = day;
    const key = modelName + SEP + modelVersion + SEP + day;
    let row = this.days.get(key);
    if (row === undefined) {
      row = { modelName, modelVersion, day, counts: { count: 0, correct: 0, classes: {} } };
      this.days.set(key, row);
    }
    const c = row.counts;
    c.count++;
    const p = (c.classes[predicted] ??= [0, 0, 0]);
    const a = (c.classes[actual] ??= [0, 0, 0]);
    p[1]++;
    a[2]++;
    if (predicted === actual) {
      c.correct++;
      p[0]++;
    }
    this.dirty.add(key);
  }

  /** Rows changed since the last call; days before yesterday leave memory once handed out. */
  takeDirty(): DayRow[] {
    const out = [...this.dirty].map((k) => this.days.get(k)!);
    this.dirty.clear();
    for (const [k, row] of this.days) if (row.day < this.latestDay - 1) this.days.delete(k);
    return out;
  }

  rows(): DayRow[] {
    return [...this.days.values()];
  }

  toJSON(): { latestDay: number; days: DayRow[]; dirty: string[] } {
    return { latestDay: this.latestDay, days: this.rows(), dirty: [...this.dirty] };
  }

  restore(s: { latestDay: number; days: DayRow[]; dirty: string[] }): void {
    this.days.clear();
    this.dirty.clear();
    this.latestDay = s.latestDay;
    for (const r of s.days) this.days.set(r.modelName + SEP + r.modelVersion + SEP + r.day, r);
    for (const k of s.dirty) this.dirty.add(k);
  }
}

/** The table of daily counts, one row per component, model version and day. */
export class HistoryTable {
  private readonly upsert;
  private readonly prune;
  private readonly byModel;

  constructor(db: Db, private readonly owner: string) {
    db.exec(`CREATE TABLE IF NOT EXISTS window_history (
      owner TEXT NOT NULL,
      model_name TEXT NOT NULL,
      model_version TEXT NOT NULL,
      day INTEGER NOT NULL,
      counts TEXT NOT NULL,
      PRIMARY KEY (owner, model_name, model_version, day)) WITHOUT ROWID`);
    this.upsert = db.prepare(`INSERT INTO window_history (owner, model_name, model_version, day, counts) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (owner, model_name, model_version, day) DO UPDATE SET counts = excluded.counts`);
    this.prune = db.prepare('DELETE FROM window_history WHERE owner = ? AND day < ?');
    this.byModel = db.prepare('SELECT model_version, day, counts FROM window_history WHERE owner = ? AND model_name = ? ORDER BY model_version, day');
  }

  /** Call inside the checkpoint transaction. */
  write(rows: readonly DayRow[], keepFromDay: number): void {
    for (const r of rows) this.upsert.run(this.owner, r.modelName, r.modelVersion, r.day, JSON.stringify(r.counts));
    this.prune.run(this.owner, keepFromDay);
  }

  read(modelName: string): DayRow[] {
    const rows = this.byModel.all(this.owner, modelName) as { model_version: string; day: number; counts: string }[];
    return rows.map((r) => ({ modelName, modelVersion: r.model_version, day: r.day, counts: JSON.parse(r.counts) as DayCounts }));
  }
}
