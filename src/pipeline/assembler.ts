// Joins stage child spans to their prediction. The OTel SDK exports spans in the order they end, so a
// prediction's children usually arrive one Export call before the prediction, sometimes after it.
// Children that come first wait (bounded, with a TTL) and are attached when the prediction arrives;
// children that come after are handed on as LateStage under the prediction's labels.
// Time here is the queue row's receive time, so a replay after restart assembles exactly the same way.
import { FifoMap } from './fifo-map.js';
import { KeyedColumns } from './keyed-columns.js';
import type { ConsumerRecord, LateStage, PredictionRecord, StageRecord, WireRecord } from './records.js';
import { RootChunk, type RootColumns } from './roots-journal.js';
import { ChangesSinceTake, type TakenChanges } from './unconfirmed-changes.js';

export interface AssemblerOptions {
  /** How long a child waits for its prediction, and a prediction for late children (ms). */
  ttlMs: number;
  /** Most entries held in each buffer; the oldest go first past it. */
  maxEntries: number;
}

/**
 * A prediction already handed on, for children that come after it, as the journal keeps it (in memory
 * the roots are columns, with their arrival order as seq: see roots-journal.ts).
 */
export interface RootEntry {
  /** trace id + span id (see below) */
  key: string;
  /** null when it is the derived id, traceId + spanId (the usual case: no string kept per root). */
  id: string | null;
  modelName: string;
  modelVersion: string;
  at: number;
}

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
  /** predictions already handed on: key traceId + spanId; the extra column holds the id when not derived */
  private roots: KeyedColumns;
  /** children whose prediction never came (dropped after the TTL) */
  expired = 0;
  private nextRootSeq = 0;
  /** Roots added and removed since the last takeRootChanges(), for the journal. */
  private readonly rootChanges: ChangesSinceTake<RootChunk>;

  constructor(private readonly opts: AssemblerOptions) {
    this.roots = new KeyedColumns(false, opts.maxEntries);
    this.rootChanges = new ChangesSinceTake(() => new RootChunk(), opts.maxEntries);
  }

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
    const again = this.roots.slotOf(key);
    if (again >= 0) {
      this.rootChanges.removedSeq(this.roots.seqAt(again));
      this.roots.delete(key);
    }
    const seq = this.nextRootSeq++;
    const id = derived ? null : p.id;
    this.roots.add(key, seq, p.modelName, p.modelVersion, id, at);
    this.rootChanges.chunk?.add(seq, key, id, p.modelName, p.modelVersion, at);
    this.rootChanges.appended();
    if (this.roots.size > this.opts.maxEntries) this.roots.dropOldest();
    return result;
  }

  private stage(s: StageRecord, at: number, out: ConsumerRecord[]): void {
    const key = s.traceId + s.parentSpanId;
    const root = this.roots.slotOf(key);
    if (root >= 0) {
      const r = this.roots;
      const late: LateStage = { kind: 'late_stage', predictionId: r.extraAt(root) ?? key, modelName: r.modelNameAt(root), modelVersion: r.modelVersionAt(root), stage: s.stage, seconds: s.seconds };
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
    for (let t = this.roots.oldestAtMs(); t !== undefined && t < limit; t = this.roots.oldestAtMs()) this.roots.dropOldest();
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  get rootCount(): number {
    return this.roots.size;
  }

  /** The state besides the roots, which live in a journal (takeRootChanges, and restore's `roots`). */
  snapshot(): AssemblerState {
    return {
      waiting: [...this.waiting].map(([k, w]) => [k, w.stages, w.at]),
      expired: this.expired,
      nextRootSeq: this.nextRootSeq,
    };
  }

  /** The root changes since the last call (for the checkpoint), undefined when too many were kept; afresh after. */
  takeRootChanges(): TakenChanges<RootChunk> | undefined {
    return this.rootChanges.take();
  }

  /** The oldest root's seq, or the next seq when none is held: no root below it is held. */
  get lowRootSeq(): number {
    return this.roots.oldestSeq() ?? this.nextRootSeq;
  }

  /** Every root, oldest first, as the journal keeps them (to write them all at once). */
  rootEntries(): { seq: number; value: RootEntry }[] {
    const out: { seq: number; value: RootEntry }[] = [];
    this.roots.eachFrom(-Infinity, (seq, key, modelName, modelVersion, id, at) => out.push({ seq, value: { key, id, modelName, modelVersion, at } }));
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
    this.roots = new KeyedColumns(false, this.opts.maxEntries);
    this.rootChanges.reset();
    this.expired = s.expired;
    if (s.roots) {
      this.nextRootSeq = 0;
      for (const [stored, r] of legacyRoots(s.roots)) {
        const key = fromStoredKey(stored);
        this.roots.add(key, this.nextRootSeq++, r.modelName, r.modelVersion, r.id === key ? null : r.id, r.at);
      }
      return { hadRoots: true };
    }
    this.nextRootSeq = s.nextRootSeq ?? 0;
    for (const { seq, value: r } of roots) this.roots.add(fromStoredKey(r.key), seq, r.modelName, r.modelVersion, r.id, r.at);
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
