// The `concept_drift` processor: per model version, the accuracy drop against a baseline (configured or
// learnt from the version's first labels), the concept-drift verdict, the weekly accuracy trend and the
// streak of declining days, checked daily on a cron schedule and on demand
// (POST /api/v1/concept-drift/run?model=NAME); and streaming change detection on the 0/1 error stream
// (ADWIN by default), whose gauges follow every label.
import type { Processor, ProcessorContext } from '../../pipeline/component.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import { LabelJoins, type LabelJoinHandle, type SharedLabelJoinState } from '../../pipeline/labels/shared-join.js';
import type { LabelledPrediction } from '../../pipeline/labels/join.js';
import type { Counter, Gauge } from '../../telemetry/metric-store.js';
import { checkVersion, type CheckResult } from './check.js';
import type { ConceptDriftConfig } from './config.js';
import { CronSchedule } from './schedule.js';
import { VersionState, type VersionStateJSON } from './version_state.js';
import { sendJson } from '../../admin/routes.js';

const SEP = '\u0001';
const MODEL = ['model_name', 'model_version'] as const;
const DAY_MS = 86_400_000;

interface ConceptDriftState {
  version: 1;
  join: SharedLabelJoinState;
  versions: VersionStateJSON[];
  lastCheckMs: number | null;
}

export class ConceptDriftProcessor implements Processor {
  private readonly join: LabelJoinHandle;
  private readonly versions = new Map<string, VersionState>();
  private readonly schedule: CronSchedule;
  private lastCheckMs: number | null = null;
  private catchUp?: NodeJS.Timeout;
  private currentAt = 0;
  private readonly touched = new Set<VersionState>();

  private readonly dropPercent: Gauge;
  private readonly detected: Gauge;
  private readonly trend: Gauge;
  private readonly declining: Gauge;
  private readonly baseline: Gauge;
  private readonly errorEstimate: Gauge;
  private readonly errorChange: Gauge;
  private readonly unmatched?: Counter;

  constructor(private readonly config: ConceptDriftConfig, private readonly ctx: ProcessorContext) {
    const m = ctx.metrics;
    this.dropPercent = m.gauge({ name: 'model_accuracy_drop_percent', help: 'Drop of the current accuracy below the baseline, percent (at the last check)', labels: MODEL });
    this.detected = m.gauge({ name: 'model_concept_drift_detected', help: '1 when the last check found the accuracy dropped past the threshold or under the floor', labels: MODEL });
    this.trend = m.gauge({ name: 'model_accuracy_trend', help: 'Accuracy of the last trend_days days minus the days before (at the last check)', labels: MODEL });
    this.declining = m.gauge({ name: 'model_accuracy_declining_days', help: 'Labelled days in a row whose accuracy fell (at the last check)', labels: MODEL });
    this.baseline = m.gauge({ name: 'model_accuracy_baseline', help: 'The baseline accuracy a version is judged against (configured or learnt)', labels: MODEL });
    this.errorEstimate = m.gauge({ name: 'model_error_rate_estimate', help: 'Error rate since the last detected change (change detector estimate)', labels: MODEL });
    this.errorChange = m.gauge({ name: 'model_error_rate_change_detected', help: '1 after the change detector saw the error rate rise, until the next check or change_hold', labels: MODEL });
    if (config.unmatched_metric) {
      this.unmatched = m.counter({ name: 'model_feedback_unmatched', help: 'Labels that never met their prediction', labels: ['model_name', 'reason'] });
    }
    // Shared with the chain's other quality processors (one map and table of predictions awaiting labels).
    this.join = (ctx.labelJoins ?? new LabelJoins(ctx.db)).subscribe(ctx.id, config.labels, {
      labelled: (l) => this.labelled(l),
      unmatched: (model, reason) => this.unmatched?.add([model, reason]),
    });
    this.schedule = new CronSchedule(config.schedule, config.timezone, ctx.clock, () => this.runCheck());
    ctx.admin.add('POST', '/api/v1/concept-drift/run', (req, res) => {
      const model = req.url.searchParams.get('model') ?? undefined;
      const results = this.runCheck(model);
      const status = model !== undefined && results.length === 0 ? 404 : 200;
      sendJson(res, status, status === 404 ? { error: `no labelled predictions of model ${model}` } : { checked_at: new Date(this.ctx.clock.now()).toISOString(), results });
    });
  }

  async start(): Promise<void> {
    this.schedule.start();
    // After the checkpoint is restored (which follows start()), make up a check missed while down.
    this.catchUp = setTimeout(() => {
      if (this.lastCheckMs !== null && this.schedule.missedSince(this.lastCheckMs)) this.runCheck();
    }, 1000);
    this.catchUp.unref();
  }

  async shutdown(): Promise<void> {
    this.schedule.stop();
    if (this.catchUp) clearTimeout(this.catchUp);
    this.join.release();
  }

  consume(batch: readonly ConsumerRecord[], at: number): void {
    this.currentAt = at;
    this.join.feed(batch, at);
    for (const v of this.touched) {
      const model = [v.modelName, v.modelVersion];
      this.releaseHeldChange(v, at);
      this.errorEstimate.set(model, v.detector.estimate);
      this.errorChange.set(model, v.changeAtMs === null ? 0 : 1);
      const b = v.baseline;
      if (b !== undefined) this.baseline.set(model, b);
    }
    this.touched.clear();
  }

  private labelled(l: LabelledPrediction): void {
    const key = l.modelName + SEP + l.modelVersion;
    let v = this.versions.get(key);
    if (v === undefined) {
      v = new VersionState(l.modelName, l.modelVersion, this.config);
      this.versions.set(key, v);
    }
    if (v.add(l.predictedClass === l.actualClass, this.currentAt)) v.changeAtMs = this.currentAt;
    this.touched.add(v);
  }

  private releaseHeldChange(v: VersionState, nowMs: number): void {
    const hold = this.config.change_hold;
    if (hold !== undefined && v.changeAtMs !== null && nowMs - v.changeAtMs >= hold) v.changeAtMs = null;
  }

  /** The check of every version (of one model, if named): sets the check gauges and returns the results. */
  runCheck(modelName?: string): CheckResult[] {
    const now = this.ctx.clock.now();
    const asOf = new Date(Math.floor(now / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
    const results: CheckResult[] = [];
    for (const v of this.versions.values()) {
      if (modelName !== undefined && v.modelName !== modelName) continue;
      const model = [v.modelName, v.modelVersion];
      const r = checkVersion(v, this.config, asOf);
      results.push(r);
      const put = (g: Gauge, value: number | boolean | null) => (value === null ? g.remove(model) : g.set(model, typeof value === 'boolean' ? Number(value) : value));
      put(this.dropPercent, r.drop_percent);
      put(this.detected, r.concept_drift_detected);
      put(this.trend, r.trend);
      put(this.declining, r.declining_days);
      put(this.baseline, r.baseline);
      // The check has reported the change; without a hold time the flag goes down now.
      if (this.config.change_hold === undefined) v.changeAtMs = null;
      else this.releaseHeldChange(v, this.currentAt);
      this.errorChange.set(model, v.changeAtMs === null ? 0 : 1);
    }
    if (modelName === undefined) this.lastCheckMs = now;
    this.ctx.logger.info({ models: modelName ?? 'all', versions: results.length, drifted: results.filter((r) => r.concept_drift_detected).length }, 'concept drift check');
    return results;
  }

  snapshot(): ConceptDriftState {
    return { version: 1, join: this.join.snapshot(), versions: [...this.versions.values()].map((v) => v.toJSON()), lastCheckMs: this.lastCheckMs };
  }

  restore(state: unknown): void {
    const s = state as ConceptDriftState | null;
    if (!s || s.version !== 1) {
      this.join.restore(undefined);
      return;
    }
    this.join.restore(s.join);
    this.versions.clear();
    for (const v of s.versions) this.versions.set(v.modelName + SEP + v.modelVersion, VersionState.fromJSON(v, this.config));
    this.lastCheckMs = s.lastCheckMs;
  }

  persist(): void {
    this.join.persist();
  }

  persisted(): void {
    this.join.persisted();
  }
}
