// The `drift` processor: consume() only adds predictions to the summaries of their model version's
// window (or to the reference capture); runs (on the cron schedule or on demand) merge the window,
// test it against the reference, set the gauges and write the report, outside the hot path.
import { Cron } from 'croner';
import { join, resolve } from 'node:path';
import type { Processor, ProcessorContext } from '../../pipeline/component.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import { renderDriftReport } from '../../report/html.js';
import { referenceFingerprint } from './columns.js';
import { isCaptured, type DriftConfig } from './config.js';
import { DriftGauges } from './gauges.js';
import { ModelVersions, type VersionState } from './model-versions.js';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSetState, type SummaryOptions } from './reference-build.js';
import { ReferenceCapture, type CaptureState } from './reference-capture.js';
import { ReferenceFiles } from './reference-files.js';
import { ReportsStore } from './reports.js';
import { computeRun, skipped, type ComputedRun, type DriftRunOutcome, type RunSettings } from './run.js';
import { SlidingWindow, type WindowOptions, type WindowState } from './window.js';
import { registerDriftRoutes } from './routes.js';

interface VersionSnapshot {
  model: string;
  version: string;
  unreferenced: number;
  capture?: CaptureState;
  /** Captured references only: file references are read again from their file. */
  reference?: ReferenceSetState;
  /** The reference the window was built on. */
  fingerprint?: string;
  window?: WindowState;
}

interface DriftSnapshot {
  format: 1;
  versions: VersionSnapshot[];
}

export type RunOutcomeWithReport = DriftRunOutcome & { report?: string };

export class DriftProcessor implements Processor {
  private readonly versions: ModelVersions;
  private readonly files?: ReferenceFiles;
  private readonly gauges: DriftGauges;
  readonly reports: ReportsStore;
  private readonly summaryOpts: SummaryOptions;
  private readonly windowOpts: WindowOptions;
  private readonly settings: RunSettings;
  private readonly modelFilter?: ReadonlySet<string>;
  private readonly latest = new Map<string, Map<string, RunOutcomeWithReport>>();
  private cron?: Cron;
  /** Runs one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private overLimit = 0;

  constructor(private readonly config: DriftConfig, private readonly ctx: ProcessorContext) {
    this.summaryOpts = { exactMax: config.exact_max, maxCategories: config.max_categories };
    this.windowOpts = { windowMs: config.current.window, subWindowMs: config.current.sub_window, ...this.summaryOpts };
    this.settings = {
      stattest: config.stattest, threshold: config.threshold, features: config.features,
      driftShare: config.drift_share, correction: config.correction, minSamples: config.min_samples,
    };
    this.versions = new ModelVersions(config.max_model_versions);
    if (!isCaptured(config.reference)) this.files = new ReferenceFiles(config.reference, this.summaryOpts);
    this.modelFilter = config.models ? new Set(config.models) : undefined;
    this.gauges = new DriftGauges(ctx.metrics);
    this.reports = new ReportsStore(resolve(config.reports.dir ?? join(ctx.dataDir, 'reports')), config.reports.retention);
    registerDriftRoutes(ctx.admin, this);
  }

  async start(): Promise<void> {
    // A missing or malformed reference fails the start, with its file, line and column.
    if (this.files) {
      await this.files.load();
      if (this.files.size === 0) this.ctx.logger.warn({ path: (this.config.reference as { path: string }).path }, 'no reference file matches the pattern yet');
    }
    await this.reports.init();
    if (this.config.schedule) {
      this.cron = new Cron(this.config.schedule, { timezone: this.config.timezone, catch: (err) => this.ctx.logger.error({ err }, 'scheduled drift run failed') }, () => {
        void this.run().catch((err) => this.ctx.logger.error({ err }, 'scheduled drift run failed'));
      });
    }
  }

  async shutdown(): Promise<void> {
    this.cron?.stop();
    this.cron = undefined;
    await this.queue.catch(() => undefined);
  }

  consume(batch: readonly ConsumerRecord[], at: number): void {
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      // Errored predictions carry no class nor confidence: they would read as missing values.
      if (r.kind !== 'prediction' || r.errorType !== undefined) continue;
      if (this.modelFilter && !this.modelFilter.has(r.modelName)) continue;
      const st = this.versions.getOrCreate(r.modelName, r.modelVersion, () => this.newVersion(r.modelName, r.modelVersion));
      if (!st) {
        if (this.overLimit++ === 0) this.ctx.logger.warn({ max: this.config.max_model_versions, model: r.modelName, version: r.modelVersion }, 'too many model versions: predictions of new versions are not tracked for drift');
        continue;
      }
      if (st.window) st.window.add(r, at);
      else if (st.capture) {
        if (st.capture.add(r)) this.freezeCapture(st);
      } else st.unreferenced++;
    }
  }

  private newVersion(model: string, version: string): VersionState {
    const st: VersionState = { model, version, unreferenced: 0 };
    if (isCaptured(this.config.reference)) st.capture = new ReferenceCapture(this.config.reference.capture.first);
    else this.attachReference(st);
    return st;
  }

  private attachReference(st: VersionState): void {
    const ref = this.files?.find(st.model, st.version);
    if (!ref) return;
    st.reference = ref;
    st.window = new SlidingWindow(ref.columns, this.windowOpts);
  }

  /** Once per version: the captured values become the reference; later predictions fill the window. */
  private freezeCapture(st: VersionState): void {
    try {
      st.reference = st.capture!.build(this.config.reference.types, this.summaryOpts);
      st.window = new SlidingWindow(st.reference.columns, this.windowOpts);
      st.capture = undefined;
      this.ctx.logger.info({ model: st.model, version: st.version, columns: st.reference.columns.map((c) => c.name) }, 'drift reference captured');
    } catch (err) {
      this.ctx.logger.error({ err, model: st.model, version: st.version }, 'cannot build the captured reference; capturing again');
      st.capture = new ReferenceCapture(st.capture!.first);
    }
  }

  snapshot(): DriftSnapshot {
    return {
      format: 1,
      versions: this.versions.select().map((st) => {
        const s: VersionSnapshot = { model: st.model, version: st.version, unreferenced: st.unreferenced };
        if (st.capture) s.capture = st.capture.toJSON();
        if (st.reference && isCaptured(this.config.reference)) s.reference = encodeReferenceSet(st.reference);
        if (st.window && st.reference) {
          s.fingerprint = referenceFingerprint(st.reference);
          s.window = st.window.toJSON();
        }
        return s;
      }),
    };
  }

  restore(state: unknown): void {
    const s = state as DriftSnapshot | null | undefined;
    if (!s || s.format !== 1) return;
    this.versions.clear();
    for (const v of s.versions) {
      this.versions.getOrCreate(v.model, v.version, () => {
        const st: VersionState = { model: v.model, version: v.version, unreferenced: v.unreferenced };
        if (isCaptured(this.config.reference)) {
          if (v.reference) st.reference = decodeReferenceSet(v.reference);
          else st.capture = v.capture ? ReferenceCapture.fromJSON(v.capture) : new ReferenceCapture(this.config.reference.capture.first);
        } else st.reference = this.files?.find(v.model, v.version);
        if (st.reference) {
          if (v.window && v.fingerprint === referenceFingerprint(st.reference)) st.window = SlidingWindow.fromJSON(v.window, st.reference.columns, this.windowOpts);
          else {
            if (v.window) this.ctx.logger.warn({ model: v.model, version: v.version }, 'the reference changed since the checkpoint: the current window starts again');
            st.window = new SlidingWindow(st.reference.columns, this.windowOpts);
          }
        }
        return st;
      });
    }
  }

  /** Runs drift for the matching model versions (all when no filter); one run at a time. */
  run(filter: { model?: string; version?: string } = {}): Promise<RunOutcomeWithReport[]> {
    const next = this.queue.then(() => this.runNow(filter));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Known model versions of a model (for 404s). */
  hasModel(model: string): boolean {
    return this.versions.select(model).length > 0;
  }

  private async runNow(filter: { model?: string; version?: string }): Promise<RunOutcomeWithReport[]> {
    if (this.files?.pattern) {
      // Reference files added since start: versions without one get it now.
      await this.files.load().catch((err) => this.ctx.logger.error({ err }, 'cannot load a new reference file'));
      for (const st of this.versions.select()) if (!st.reference) this.attachReference(st);
    }
    const now = this.ctx.clock.now();
    const time = new Date(now).toISOString();
    const out: RunOutcomeWithReport[] = [];
    for (const st of this.versions.select(filter.model, filter.version)) {
      const id = { model: st.model, version: st.version, time };
      let computed: ComputedRun;
      if (st.reference && st.window) computed = computeRun(id, st.reference, st.window, now, this.settings);
      else if (st.capture) computed = skipped(id, 'capturing_reference', 0, `capturing the reference: ${st.capture.rows} of ${st.capture.first} predictions`);
      else computed = skipped(id, 'no_reference', 0, `no reference for this model version (${st.unreferenced} predictions passed over)`);
      const outcome: RunOutcomeWithReport = computed.outcome;
      this.gauges.publish(outcome);
      if (outcome.status === 'ok') {
        const html = renderDriftReport(outcome, { title: `Data drift: ${st.model} ${st.version}`, generatedAt: new Date(now), model: `${st.model} version ${st.version}`, histograms: computed.histograms });
        const file = await this.reports.write(st.model, st.version, now, html, outcome);
        outcome.report = `/reports/${file}`;
      } else if (outcome.status === 'error') this.ctx.logger.error({ model: st.model, version: st.version, error: outcome.message }, 'drift run failed');
      this.remember(outcome);
      out.push(outcome);
    }
    const removed = await this.reports.prune(now);
    if (removed) this.ctx.logger.info({ removed }, 'removed drift reports past their retention');
    return out;
  }

  private remember(o: RunOutcomeWithReport): void {
    let m = this.latest.get(o.model);
    if (!m) this.latest.set(o.model, (m = new Map()));
    m.set(o.version, o);
  }

  /** The last outcome per version of a model: this process's runs, else the reports saved on disk. */
  async latestOf(model: string): Promise<unknown[]> {
    const m = this.latest.get(model);
    if (m && m.size) return [...m.values()];
    return [...(await this.reports.latestResults(model)).values()];
  }
}
