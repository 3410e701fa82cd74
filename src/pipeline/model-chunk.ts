// Journal chunks (storage/fifo-journal.ts) of entries that each carry a model and a time — the assembler's
// roots, the label join's pending predictions — built in columns one entry at a time. Each kind adds its
// own columns; the seq, the model and the time are kept here.
import type { EncodedChunk } from '../storage/fifo-journal.js';

/** The columns every such chunk stores: the model as an index into `models`, and the time. */
export interface ModelColumns {
  models: [string, string][];
  model: number[];
  at: Float64Array;
}

/** (model name, version) pairs as small integers: neighbours mostly share one, so look up only on a change. */
class ModelPairs {
  readonly pairs: [string, string][] = [];
  private readonly index = new Map<string, Map<string, number>>();
  private last = -1;

  indexOf(name: string, version: string): number {
    const l = this.last;
    if (l >= 0 && this.pairs[l][0] === name && this.pairs[l][1] === version) return l;
    let versions = this.index.get(name);
    if (!versions) this.index.set(name, (versions = new Map()));
    let i = versions.get(version);
    if (i === undefined) {
      i = this.pairs.push([name, version]) - 1;
      versions.set(version, i);
    }
    this.last = i;
    return i;
  }
}

export class ModelChunk {
  private readonly seqs: number[] = [];
  private readonly pairs = new ModelPairs();
  private readonly model: number[] = [];
  private readonly at: number[] = [];

  /** Entries held. */
  get size(): number {
    return this.seqs.length;
  }

  /** One entry's shared columns; the subclass pushes its own in the same call. */
  protected push(seq: number, modelName: string, modelVersion: string, at: number): void {
    this.seqs.push(seq);
    this.model.push(this.pairs.indexOf(modelName, modelVersion));
    this.at.push(at);
  }

  /** The chunk as the journal stores it, with the subclass's columns beside the shared ones. */
  protected encode<C extends object>(columns: C): EncodedChunk {
    const values: C & ModelColumns = { ...columns, models: this.pairs.pairs, model: this.model, at: Float64Array.from(this.at) };
    return { seqs: Float64Array.from(this.seqs), values };
  }
}

/** A stored chunk back to one value per entry: `entry` gets each entry's index, model and time. */
export function decodeModelChunk<T>(c: ModelColumns, count: number, entry: (i: number, modelName: string, modelVersion: string, at: number) => T): T[] {
  const out: T[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const [modelName, modelVersion] = c.models[c.model[i]];
    out[i] = entry(i, modelName, modelVersion, c.at[i]);
  }
  return out;
}
