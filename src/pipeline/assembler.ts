// Joins stage child spans to their prediction. The OTel SDK exports spans in the order they end, so a
// prediction's children usually arrive one Export call before the prediction, sometimes after it.
// Children that come first wait (bounded, with a TTL) and are attached when the prediction arrives;
// children that come after are handed on as LateStage under the prediction's labels.
// Time here is the queue row's receive time, so a replay after restart assembles exactly the same way.
import { FifoMap } from './fifo-map.js';
import type { ConsumerRecord, LateStage, PredictionRecord, StageRecord, WireRecord } from './records.js';

export interface AssemblerOptions {
  /** How long a child waits for its prediction, and a prediction for late children (ms). */
  ttlMs: number;
  /** Most entries held in each buffer; the oldest go first past it. */
  maxEntries: number;
}

interface RootInfo {
  id: string;
  modelName: string;
  modelVersion: string;
  at: number;
}

/**
 * The roots in columns, oldest first: checkpointed every few seconds while up to 50k of them are held, so
 * kept compact (a prediction id equal to traceId + spanId, the usual case, is stored as null; model names
 * and versions as indexes into `models`). Checkpoints written before hold `[key, RootInfo][]`.
 */
interface RootColumns {
  keys: string[];
  ids: (string | null)[];
  models: [string, string][];
  model: number[];
  at: Float64Array;
}

interface AssemblerState {
  waiting: [string, StageRecord[], number][];
  roots: RootColumns | [string, RootInfo][];
  expired: number;
}

/** The prediction id the decoder derives when a span has no ml.prediction.id: trace id + span id. */
const derivedId = (key: string) => key.replace('/', '');

/** derivedId(key) === id, without building the string (checked for every root at each checkpoint). */
function isDerivedId(id: string, key: string): boolean {
  const slash = key.indexOf('/');
  return id.length === key.length - 1 && key.startsWith(id.slice(0, slash)) && id.endsWith(key.slice(slash + 1));
}

export class Assembler {
  /** children waiting for their prediction: key traceId/parentSpanId */
  private waiting = new FifoMap<string, { stages: StageRecord[]; at: number }>();
  /** predictions already handed on: key traceId/spanId */
  private roots = new FifoMap<string, RootInfo>();
  /** children whose prediction never came (dropped after the TTL) */
  expired = 0;

  constructor(private readonly opts: AssemblerOptions) {}

  process(records: readonly WireRecord[], at: number, out: ConsumerRecord[] = []): ConsumerRecord[] {
    this.expire(at);
    for (const r of records) {
      if (r.kind === 'stage') this.stage(r, at, out);
      else if (r.kind === 'prediction') out.push(this.prediction(r, at));
      else out.push(r);
    }
    return out;
  }

  private prediction(p: PredictionRecord, at: number): PredictionRecord {
    const key = p.traceId + '/' + p.spanId;
    const children = this.waiting.get(key);
    let result = p;
    if (children) {
      this.waiting.delete(key);
      const stages = { ...p.stages };
      for (const c of children.stages) stages[c.stage] = (stages[c.stage] ?? 0) + c.seconds;
      result = { ...p, stages };
    }
    this.roots.set(key, { id: p.id, modelName: p.modelName, modelVersion: p.modelVersion, at });
    if (this.roots.size > this.opts.maxEntries) this.roots.delete(this.roots.oldest()![0]);
    return result;
  }

  private stage(s: StageRecord, at: number, out: ConsumerRecord[]): void {
    const key = s.traceId + '/' + s.parentSpanId;
    const root = this.roots.get(key);
    if (root) {
      const late: LateStage = { kind: 'late_stage', predictionId: root.id, modelName: root.modelName, modelVersion: root.modelVersion, stage: s.stage, seconds: s.seconds };
      out.push(late);
      return;
    }
    const w = this.waiting.get(key);
    if (w) w.stages.push(s);
    else {
      this.waiting.set(key, { stages: [s], at });
      if (this.waiting.size > this.opts.maxEntries) {
        const [oldest, w] = this.waiting.oldest()!;
        this.expired += w.stages.length;
        this.waiting.delete(oldest);
      }
    }
  }

  /** Maps keep insertion order, which is arrival order: expire from the front. */
  private expire(now: number): void {
    const limit = now - this.opts.ttlMs;
    for (const [k, w] of this.waiting) {
      if (w.at >= limit) break;
      this.expired += w.stages.length;
      this.waiting.delete(k);
    }
    for (const [k, r] of this.roots) {
      if (r.at >= limit) break;
      this.roots.delete(k);
    }
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  snapshot(): AssemblerState {
    return {
      waiting: [...this.waiting].map(([k, w]) => [k, w.stages, w.at]),
      roots: this.rootColumns(),
      expired: this.expired,
    };
  }

  private rootColumns(): RootColumns {
    const cols: RootColumns = { keys: [], ids: [], models: [], model: [], at: new Float64Array(this.roots.size) };
    const index = new Map<string, Map<string, number>>();
    let i = 0;
    let m = -1;
    this.roots.forEach((r, key) => {
      // Neighbours mostly share a model: look the index up only when it changes.
      if (m < 0 || cols.models[m][0] !== r.modelName || cols.models[m][1] !== r.modelVersion) {
        let versions = index.get(r.modelName);
        if (!versions) index.set(r.modelName, (versions = new Map()));
        const found = versions.get(r.modelVersion);
        m = found ?? cols.models.push([r.modelName, r.modelVersion]) - 1;
        if (found === undefined) versions.set(r.modelVersion, m);
      }
      cols.keys.push(key);
      cols.ids.push(isDerivedId(r.id, key) ? null : r.id);
      cols.model.push(m);
      cols.at[i++] = r.at;
    });
    return cols;
  }

  restore(state: unknown): void {
    const s = state as AssemblerState | undefined;
    if (!s) return;
    this.waiting = new FifoMap();
    for (const [k, stages, at] of s.waiting) this.waiting.set(k, { stages, at });
    this.roots = new FifoMap();
    if (Array.isArray(s.roots)) {
      for (const [k, r] of s.roots) this.roots.set(k, r);
    } else {
      const c = s.roots;
      for (let i = 0; i < c.keys.length; i++) {
        const [modelName, modelVersion] = c.models[c.model[i]];
        this.roots.set(c.keys[i], { id: c.ids[i] ?? derivedId(c.keys[i]), modelName, modelVersion, at: c.at[i] });
      }
    }
    this.expired = s.expired;
  }
}
