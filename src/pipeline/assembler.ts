// Joins stage child spans to their prediction. The OTel SDK exports spans in the order they end, so a
// prediction's children usually arrive one Export call before the prediction, sometimes after it.
// Children that come first wait (bounded, with a TTL) and are attached when the prediction arrives;
// children that come after are handed on as LateStage under the prediction's labels.
// Time here is the queue row's receive time, so a replay after restart assembles exactly the same way.
import { FifoMap } from './fifo-map.js';
import type { ConsumerRecord, LateStage, PredictionRecord, StageRecord, WireRecord } from './records.js';
import { RootChunk, type RootChanges, type RootColumns } from './roots-journal.js';

export interface AssemblerOptions {
  /** How long a child waits for its prediction, and a prediction for late children (ms). */
  ttlMs: number;
  /** Most entries held in each buffer; the oldest go first past it. */
  maxEntries: number;
}

/** A prediction already handed on, for children that come after it. */
export interface RootInfo {
  /** null when it is the derived id, traceId + spanId (the usual case: no string kept per root). */
  id: string | null;
  modelName: string;
  modelVersion: string;
  at: number;
  /** Arrival order: the roots' durable copy is a FifoJournal (see roots-journal.ts). */
  seq: number;
}

/** A root as the journal keeps it: its key (trace id + span id, see below) with the rest. */
export type RootEntry = Omit<RootInfo, 'seq'> & { key: string };

export interface AssemblerState {
  waiting: [string, StageRecord[], number][];
  expired: number;
  /** The next root's seq (absent in checkpoints written before the journal). */
  nextRootSeq?: number;
  /** Only in checkpoints written before the journal: the roots whole, in columns or, before that, in pairs. */
  roots?: RootColumns | [string, { id: string; modelName: string; modelVersion: string; at: number }][];
}

/**
 * A root's key is trace id + span id (32 and 16 hex digits, so no separator is needed), which is also the
 * prediction id the decoder derives when a span has no ml.prediction.id: for such a prediction the key is
 * its id string itself, one object shared with the other consumers and the label join, hashed once.
 * Checkpoints and journals from before held keys as traceId/spanId: read through fromStoredKey.
 */
const fromStoredKey = (key: string) => key.replace('/', ''); // hex ids hold no other '/'

export class Assembler {
  /** children waiting for their prediction: key traceId + parentSpanId */
  private waiting = new FifoMap<string, { stages: StageRecord[]; at: number }>();
  /** predictions already handed on: key traceId + spanId */
  private roots = new FifoMap<string, RootInfo>();
  /** children whose prediction never came (dropped after the TTL) */
  expired = 0;
  private nextRootSeq = 0;
  /** Roots added since the last takeRootChanges(), and those removed from the middle; roots that leave
   *  from the old end need nothing (the journal's low mark). */
  private rootChanges: RootChanges = { chunk: new RootChunk(), removed: [] };

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
    const derived = p.id.length === p.traceId.length + p.spanId.length && p.id.startsWith(p.traceId) && p.id.endsWith(p.spanId);
    const key = derived ? p.id : p.traceId + p.spanId;
    const children = this.waiting.get(key);
    let result = p;
    if (children) {
      this.waiting.delete(key);
      const stages = { ...p.stages };
      for (const c of children.stages) stages[c.stage] = (stages[c.stage] ?? 0) + c.seconds;
      result = { ...p, stages };
    }
    // The same prediction again (a retried send) moves to the young end, so the journal's order holds.
    const again = this.roots.get(key);
    if (again) {
      this.roots.delete(key);
      this.rootChanges.removed.push(again.seq);
    }
    const root: RootInfo = { id: derived ? null : p.id, modelName: p.modelName, modelVersion: p.modelVersion, at, seq: this.nextRootSeq++ };
    this.roots.set(key, root);
    this.rootChanges.chunk.add(root.seq, key, root.id, root.modelName, root.modelVersion, at);
    if (this.roots.size > this.opts.maxEntries) this.roots.shift();
    return result;
  }

  private stage(s: StageRecord, at: number, out: ConsumerRecord[]): void {
    const key = s.traceId + s.parentSpanId;
    const root = this.roots.get(key);
    if (root) {
      const late: LateStage = { kind: 'late_stage', predictionId: root.id ?? key, modelName: root.modelName, modelVersion: root.modelVersion, stage: s.stage, seconds: s.seconds };
      out.push(late);
      return;
    }
    const w = this.waiting.get(key);
    if (w) w.stages.push(s);
    else {
      this.waiting.set(key, { stages: [s], at });
      if (this.waiting.size > this.opts.maxEntries) {
        this.expired += this.waiting.shift()!.stages.length;
      }
    }
  }

  /** Maps keep insertion order, which is arrival order: expire from the front. */
  private expire(now: number): void {
    const limit = now - this.opts.ttlMs;
    for (let w = this.waiting.oldest(); w && w.at < limit; w = this.waiting.oldest()) {
      this.expired += w.stages.length;
      this.waiting.shift();
    }
    for (let o = this.roots.oldest(); o && o.at < limit; o = this.roots.oldest()) this.roots.shift();
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  /** The state besides the roots, which live in a journal (takeRootChanges, and restore's `roots`). */
  snapshot(): AssemblerState {
    return {
      waiting: [...this.waiting].map(([k, w]) => [k, w.stages, w.at]),
      expired: this.expired,
      nextRootSeq: this.nextRootSeq,
    };
  }

  /** The root changes since the last call (for the checkpoint); the overlay starts afresh. */
  takeRootChanges(): RootChanges {
    const c = this.rootChanges;
    this.rootChanges = { chunk: new RootChunk(), removed: [] };
    return c;
  }

  /** The oldest root's seq, or the next seq when none is held: no root below it is held. */
  get lowRootSeq(): number {
    return this.roots.oldest()?.seq ?? this.nextRootSeq;
  }

  /** Every root, oldest first, as the journal keeps them (to write them all at once). */
  rootEntries(): { seq: number; value: RootEntry }[] {
    const out: { seq: number; value: RootEntry }[] = [];
    this.roots.forEach((r, key) => out.push({ seq: r.seq, value: { key, id: r.id, modelName: r.modelName, modelVersion: r.modelVersion, at: r.at } }));
    return out;
  }

  /**
   * Restores a checkpoint. Its roots come from the journal (`roots`), or, in a checkpoint written before
   * the journal, from the state itself: then `hadRoots` is true and they must all be written once.
   */
  restore(state: unknown, roots: Iterable<{ seq: number; value: RootEntry }> = []): { hadRoots: boolean } {
    const s = state as AssemblerState | undefined;
    if (!s) return { hadRoots: false };
    this.waiting = new FifoMap();
    for (const [k, stages, at] of s.waiting) this.waiting.set(fromStoredKey(k), { stages, at });
    this.roots = new FifoMap();
    this.rootChanges = { chunk: new RootChunk(), removed: [] };
    this.expired = s.expired;
    if (s.roots) {
      this.nextRootSeq = 0;
      for (const [stored, r] of legacyRoots(s.roots)) {
        const key = fromStoredKey(stored);
        this.roots.set(key, { ...r, id: r.id === key ? null : r.id, seq: this.nextRootSeq++ });
      }
      return { hadRoots: true };
    }
    this.nextRootSeq = s.nextRootSeq ?? 0;
    for (const { seq, value: { key, ...r } } of roots) this.roots.set(fromStoredKey(key), { ...r, seq });
    return { hadRoots: false };
  }
}

function* legacyRoots(roots: NonNullable<AssemblerState['roots']>): Iterable<[string, { id: string; modelName: string; modelVersion: string; at: number }]> {
  if (Array.isArray(roots)) {
    yield* roots;
    return;
  }
  for (let i = 0; i < roots.keys.length; i++) {
    const [modelName, modelVersion] = roots.models[roots.model[i]];
    yield [roots.keys[i], { id: roots.ids[i] ?? fromStoredKey(roots.keys[i]), modelName, modelVersion, at: roots.at[i] }];
  }
}
