// The current window of one model version: tumbling sub-windows (aligned on the Unix epoch) of one
// mergeable summary per reference column. The window at time t is the merge of every sub-window that
// overlaps (t - window, t]; sub-windows wholly before that are dropped, so memory is bounded by
// window/sub_window sub-windows whatever the traffic.
import { CategoricalSummary, NumericSummary, type FeatureSummary } from '../../stats/drift.js';
import type { Prediction } from '../../pipeline/records.js';
import { asCategory, asNumber, columnValue, type ReferenceColumn } from './columns.js';
import { decodeSummary, encodeSummary, type SummaryState } from './summary-codec.js';

export interface WindowOptions {
  windowMs: number;
  subWindowMs: number;
  exactMax: number;
  maxCategories: number;
}

interface SubWindow {
  start: number;
  /** Predictions added. */
  count: number;
  /** One per reference column, in the reference's order. */
  summaries: FeatureSummary[];
  /** Checkpoint form, kept until the next add: closed sub-windows are encoded once, not per checkpoint. */
  encoded?: SummaryState[];
}

export interface MergedWindow {
  /** Start of the oldest and end of the newest sub-window merged (ms); NaN when empty. */
  start: number;
  end: number;
  count: number;
  summaries: FeatureSummary[];
}

export interface WindowState {
  subWindows: { start: number; count: number; summaries: SummaryState[] }[];
}

export class SlidingWindow {
  /** Sub-windows by start time, in insertion order (ascending as long as `at` does not go back). */
  private readonly subWindows = new Map<number, SubWindow>();
  private last?: SubWindow;

  constructor(readonly columns: readonly ReferenceColumn[], readonly opts: WindowOptions) {}

  get size(): number {
    return this.subWindows.size;
  }

  /** Hot path: one prediction received at `at` (ms). No allocation unless a sub-window opens. */
  add(p: Prediction, at: number): void {
    const sw = this.subWindowAt(at);
    if (!sw) return;
    sw.count++;
    sw.encoded = undefined;
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) {
      const v = columnValue(p, cols[i].name);
      const s = sw.summaries[i];
      if (s.kind === 'num') s.add(asNumber(v));
      else s.add(asCategory(v));
    }
  }

  private subWindowAt(at: number): SubWindow | undefined {
    const last = this.last;
    if (last && at >= last.start && at < last.start + this.opts.subWindowMs) return last;
    const start = Math.floor(at / this.opts.subWindowMs) * this.opts.subWindowMs;
    let sw = this.subWindows.get(start);
    if (!sw) {
      // A new sub-window: the time to drop the ones that left the window.
      this.expire(at);
      if (this.expired(start, at)) return undefined;
      sw = { start, count: 0, summaries: this.columns.map((c) => this.emptySummary(c)) };
      this.subWindows.set(start, sw);
    }
    if (!this.last || start >= this.last.start) this.last = sw;
    return sw;
  }

  private expired(start: number, now: number): boolean {
    return start + this.opts.subWindowMs <= now - this.opts.windowMs;
  }

  /** Drops sub-windows wholly before (now - window). */
  expire(now: number): void {
    for (const [start, sw] of this.subWindows) {
      if (!this.expired(start, now)) continue;
      this.subWindows.delete(start);
      if (this.last === sw) this.last = undefined;
    }
  }

  /** The merge of the sub-windows in the window at `now` (the sub-windows themselves are not changed). */
  merged(now: number): MergedWindow {
    const summaries = this.columns.map((c) => this.emptySummary(c));
    let count = 0;
    let start = Infinity;
    let end = -Infinity;
    for (const sw of this.subWindows.values()) {
      if (this.expired(sw.start, now) || sw.start > now) continue;
      count += sw.count;
      start = Math.min(start, sw.start);
      end = Math.max(end, sw.start + this.opts.subWindowMs);
      for (let i = 0; i < summaries.length; i++) mergeInto(summaries[i], sw.summaries[i]);
    }
    return { start: count ? start : NaN, end: count ? end : NaN, count, summaries };
  }

  private emptySummary(c: ReferenceColumn): FeatureSummary {
    return c.type === 'num' ? new NumericSummary(c.spec!, this.opts.exactMax) : new CategoricalSummary(this.opts.maxCategories);
  }

  toJSON(): WindowState {
    return {
      subWindows: [...this.subWindows.values()].map((sw) => ({ start: sw.start, count: sw.count, summaries: (sw.encoded ??= sw.summaries.map(encodeSummary)) })),
    };
  }

  static fromJSON(state: WindowState, columns: readonly ReferenceColumn[], opts: WindowOptions): SlidingWindow {
    const w = new SlidingWindow(columns, opts);
    for (const s of state.subWindows) {
      if (s.summaries.length !== columns.length) throw new Error('window state does not match the reference columns');
      const sw: SubWindow = { start: s.start, count: s.count, summaries: s.summaries.map((j, i) => decodeSummary(j, columns[i].spec, opts.exactMax)) };
      w.subWindows.set(s.start, sw);
      if (!w.last || sw.start >= w.last.start) w.last = sw;
    }
    return w;
  }
}

function mergeInto(into: FeatureSummary, from: FeatureSummary): void {
  if (into.kind === 'num' && from.kind === 'num') into.merge(from);
  else if (into.kind === 'cat' && from.kind === 'cat') into.merge(from);
  else throw new Error('summaries of different kinds');
}
