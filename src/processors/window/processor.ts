// The `window` processor: model quality over the last N labelled predictions of each model version
// (accuracy, precision, recall, F1; per class; the confusion-matrix counter), and the daily history behind
// GET /api/v1/models/{name}/history.
import type { Processor, ProcessorContext } from '../../pipeline/component.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import { LabelJoins, type LabelJoinHandle, type SharedLabelJoinState } from '../../pipeline/labels/shared-join.js';
import type { LabelledPrediction } from '../../pipeline/labels/join.js';
import { SlidingConfusionWindow, type SlidingConfusionWindowState } from '../../stats/classification.js';
import type { Counter, Gauge } from '../../telemetry/metric-store.js';
import type { WindowConfig } from './config.js';
import { classCounts, DAY_MS, dayString, HistoryTable, RecentDays, type DayRow } from './history.js';
import { modeFor, scoresFor } from './scoring.js';

const SEP = '\u0001';
const MODEL = ['model_name', 'model_version'] as const;

interface ModelWindow {
  modelName: string;
  modelVersion: string;
  window: SlidingConfusionWindow;
  /** Classes whose model_class_* series are exported now (to remove them when they leave). */
  exportedClasses: string[];
}

interface WindowState {
  version: 1;
  join: SharedLabelJoinState;
  windows: { modelName: string; modelVersion: string; window: SlidingConfusionWindowState; exportedClasses: string[] }[];
  days: ReturnType<RecentDays['toJSON']>;
}

export interface DayQuality {
  day: string;
  count: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export class WindowProcessor implements Processor {
  private readonly join: LabelJoinHandle;
  private readonly windows = new Map<string, ModelWindow>();
  private readonly days = new RecentDays();
  private readonly history: HistoryTable;
  private readonly historyDays: number;
  /** What the last persist() wrote, until its checkpoint commits. */
  private unconfirmedDays?: DayRow[];
  private timer?: NodeJS.Timeout;
  /** Windows that took labels in the current batch. */
  private readonly touched = new Set<ModelWindow>();

  private readonly accuracy: Gauge;
  private readonly precision: Gauge;
  private readonly recall: Gauge;
  private readonly f1: Gauge;
  private readonly samples: Gauge;
  private readonly classPrecision: Gauge;
  private readonly classRecall: Gauge;
  private readonly classF1: Gauge;
  private readonly confusion: Counter;
  private readonly unmatched?: Counter;

  constructor(private readonly config: WindowConfig, private readonly ctx: ProcessorContext) {
    const m = ctx.metrics;
    this.accuracy = m.gauge({ name: 'model_accuracy', help: 'Accuracy over the last N labelled predictions', labels: MODEL });
    this.precision = m.gauge({ name: 'model_precision', help: 'Precision over the last N labelled predictions (binary, or the multiclass average)', labels: MODEL });
    this.recall = m.gauge({ name: 'model_recall', help: 'Recall over the last N labelled predictions (binary, or the multiclass average)', labels: MODEL });
    this.f1 = m.gauge({ name: 'model_f1_score', help: 'F1 score over the last N labelled predictions (binary, or the multiclass average)', labels: MODEL });
    this.samples = m.gauge({ name: 'model_quality_window_samples', help: 'Labelled predictions in the quality window (exported even below min_samples)', labels: MODEL });
    const perClass = [...MODEL, 'class'];
    this.classPrecision = m.gauge({ name: 'model_class_precision', help: 'Precision of one class over the last N labelled predictions', labels: perClass });
    this.classRecall = m.gauge({ name: 'model_class_recall', help: 'Recall of one class over the last N labelled predictions', labels: perClass });
    this.classF1 = m.gauge({ name: 'model_class_f1_score', help: 'F1 score of one class over the last N labelled predictions', labels: perClass });
    this.confusion = m.counter({ name: 'model_labeled_predictions', help: 'Labelled predictions by predicted and actual class: the confusion matrix', labels: [...MODEL, 'predicted_class', 'actual_class'] });
    if (config.unmatched_metric) {
      this.unmatched = m.counter({ name: 'model_feedback_unmatched', help: 'Labels that never met their prediction', labels: ['model_name', 'reason'] });
    }
    // Shared with the chain's other quality processors (one map and table of predictions awaiting labels).
    this.join = (ctx.labelJoins ?? new LabelJoins(ctx.db)).subscribe(ctx.id, config.labels, {
      labelled: (l) => this.labelled(l),
      unmatched: (model, reason) => this.unmatched?.add([model, reason]),
    });
    this.history = new HistoryTable(ctx.db, ctx.id);
    this.historyDays = Math.max(1, Math.ceil(config.history / DAY_MS));
    ctx.admin.add('GET', '/api/v1/models/:name/history', (req, res) => {
      const body = { model: req.params.name, versions: this.historyOf(req.params.name) };
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  }

  async start(): Promise<void> {
    if (this.config.update_interval > 0) {
      this.timer = setInterval(() => this.refreshAll(), this.config.update_interval);
      this.timer.unref();
    }
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.join.release();
  }

  consume(batch: readonly ConsumerRecord[], at: number): void {
    this.currentAt = at;
    this.join.feed(batch, at);
    for (const w of this.touched) this.publish(w);
    this.touched.clear();
  }

  private currentAt = 0;

  private labelled(l: LabelledPrediction): void {
    const key = l.modelName + SEP + l.modelVersion;
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { modelName: l.modelName, modelVersion: l.modelVersion, window: new SlidingConfusionWindow(this.config.size), exportedClasses: [] };
      this.windows.set(key, w);
    }
    w.window.add(l.predictedClass, l.actualClass);
    this.confusion.add([l.modelName, l.modelVersion, l.predictedClass, l.actualClass]);
    this.days.add(l.modelName, l.modelVersion, l.predictedClass, l.actualClass, this.currentAt);
    this.touched.add(w);
  }

  /** Sets (or, below min_samples, removes) the gauges of one window. */
  private publish(w: ModelWindow): void {
    const model = [w.modelName, w.modelVersion];
    const n = w.window.count;
    this.samples.set(model, n);
    const gauges = [this.accuracy, this.precision, this.recall, this.f1];
    const keep = new Set<string>();
    if (n < this.config.min_samples) {
      for (const g of gauges) g.remove(model);
    } else {
      const counts = w.window.classCounts();
      const s = scoresFor(counts, modeFor(this.config, w.modelName));
      this.accuracy.set(model, w.window.accuracy());
      this.precision.set(model, s.precision);
      this.recall.set(model, s.recall);
      this.f1.set(model, s.f1);
      if (this.config.per_class) {
        for (const c of w.window.perClass()) {
          const labels = [w.modelName, w.modelVersion, c.label];
          this.classPrecision.set(labels, c.precision);
          this.classRecall.set(labels, c.recall);
          this.classF1.set(labels, c.f1);
          keep.add(c.label);
        }
      }
    }
    for (const cls of w.exportedClasses) {
      if (keep.has(cls)) continue;
      const labels = [w.modelName, w.modelVersion, cls];
      this.classPrecision.remove(labels);
      this.classRecall.remove(labels);
      this.classF1.remove(labels);
    }
    w.exportedClasses = [...keep];
  }

  /** Re-publishes every window (the update_interval timer; the values follow each label anyway). */
  refreshAll(): void {
    for (const w of this.windows.values()) this.publish(w);
  }

  /** Daily quality of every version of a model, oldest day first: the table merged with unwritten days. */
  historyOf(modelName: string): Record<string, DayQuality[]> {
    const merged = new Map<string, DayRow>();
    for (const r of this.history.read(modelName)) merged.set(r.modelVersion + SEP + r.day, r);
    for (const r of this.days.rows()) if (r.modelName === modelName) merged.set(r.modelVersion + SEP + r.day, r);
    const from = this.days.latestDay - this.historyDays + 1;
    const out: Record<string, DayQuality[]> = {};
    const rows = [...merged.values()].filter((r) => r.day >= from).sort((a, b) => a.day - b.day);
    const mode = modeFor(this.config, modelName);
    for (const r of rows) {
      const s = scoresFor(classCounts(r.counts), mode);
      const num = (v: number) => (Number.isFinite(v) ? v : null);
      (out[r.modelVersion] ??= []).push({
        day: dayString(r.day),
        count: r.counts.count,
        accuracy: num(r.counts.count === 0 ? NaN : r.counts.correct / r.counts.count),
        precision: num(s.precision),
        recall: num(s.recall),
        f1: num(s.f1),
      });
    }
    return out;
  }

  snapshot(): WindowState {
    return {
      version: 1,
      join: this.join.snapshot(),
      windows: [...this.windows.values()].map((w) => ({ modelName: w.modelName, modelVersion: w.modelVersion, window: w.window.toJSON(), exportedClasses: w.exportedClasses })),
      days: this.days.toJSON(),
    };
  }

  restore(state: unknown): void {
    const s = state as WindowState | null;
    if (!s || s.version !== 1) {
      this.join.restore(undefined);
      return;
    }
    this.join.restore(s.join);
    this.windows.clear();
    for (const w of s.windows) {
      this.windows.set(w.modelName + SEP + w.modelVersion, { modelName: w.modelName, modelVersion: w.modelVersion, window: SlidingConfusionWindow.fromJSON(w.window), exportedClasses: w.exportedClasses });
    }
    this.days.restore(s.days);
  }

  /** In the checkpoint transaction: pending predictions and history days changed since the last one. */
  persist(): void {
    this.join.persist();
    // Kept until persisted(): if this checkpoint's transaction rolls back, the next one writes them again.
    const taken = this.days.takeDirty();
    this.unconfirmedDays = this.unconfirmedDays ? [...this.unconfirmedDays, ...taken] : taken;
    this.history.write(this.unconfirmedDays, this.days.latestDay - this.historyDays + 1);
  }

  persisted(): void {
    this.join.persisted();
    this.unconfirmedDays = undefined;
  }
}
