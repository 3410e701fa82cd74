// The label join's predictions awaiting a label (up to 200k by default), in columns (keyed-columns.ts):
// keyed by prediction id, the extra column holding the predicted class.
import { KeyedColumns, type EachEntry } from '../keyed-columns.js';
import type { PendingPrediction } from './join.js';

export class PendingStore extends KeyedColumns {
  /** `bound`: the most predictions the join holds (sizes the table once). */
  constructor(bound: number) {
    super(true, bound);
  }

  get(id: string): PendingPrediction | undefined {
    const slot = this.slotOf(id);
    return slot < 0 ? undefined : this.entry(slot);
  }

  /** Appends a prediction; its seq must be above every seq held. */
  addPrediction(p: PendingPrediction): void {
    this.add(p.id, p.seq, p.modelName, p.modelVersion, p.predictedClass, p.atMs);
  }

  /** As KeyedColumns.eachFrom, the class never null. */
  override eachFrom(fromSeq: number, fn: (seq: number, id: string, modelName: string, modelVersion: string, predictedClass: string, atMs: number) => void): void {
    super.eachFrom(fromSeq, fn as EachEntry);
  }

  private entry(slot: number): PendingPrediction {
    return { id: this.keyAt(slot), modelName: this.modelNameAt(slot), modelVersion: this.modelVersionAt(slot), predictedClass: this.extraAt(slot)!, atMs: this.atMsAt(slot), seq: this.seqAt(slot) };
  }
}
