// One chunk of a KeyedColumns (keyed-columns.ts): CHUNK consecutive positions' columns.
//
// Keys that are hex ids or UUIDs are kept as bytes (packed-keys.ts), so the id strings of the records
// coming in die young instead of living here for the seconds each entry is held. Model names, versions
// and classes are kept as codes into the chunk's own list of the distinct ones.
import { NOT_PACKED, PACKED_BYTES, packedEquals, packKey, unpackKey } from './packed-keys.js';

export const CHUNK_BITS = 12;
export const CHUNK = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK - 1;
/** The code of a null class in a chunk's extra codes; the codes below it are values. */
const NO_EXTRA = 0xffff;

/** Stands in the keys column for a key held in the packed column. */
const PACKED = Symbol('packed');

/** CHUNK consecutive positions; a null key is a hole (or a position not yet used). */
export class Chunk {
  readonly keys: (string | typeof PACKED | null)[] = new Array(CHUNK).fill(null);
  private readonly packed = Buffer.alloc(CHUNK * PACKED_BYTES);
  private readonly forms = new Uint8Array(CHUNK);
  readonly hashes = new Int32Array(CHUNK);
  readonly seqs = new Float64Array(CHUNK);
  readonly at = new Float64Array(CHUNK);
  /**
   * Values many entries share (model names and versions, classes) as codes into the chunk's own list of
   * the distinct ones: 2 bytes an entry instead of an 8-byte pointer, and no pointers for the major
   * collections to trace. Per chunk, so a code never outlives the chunk's entries. Measured (fourteenth
   * session, three alternating pairs at 10k spans/s): peak RSS 198-202 MiB against 204-205, the
   * processors' checkpoint mean 6.6-7.3 ms against 7.0-8.2.
   */
  private readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly modelNames = new Uint16Array(CHUNK);
  private readonly modelVersions = new Uint16Array(CHUNK);
  /** The extra column: codes when its values are few (classes), else the strings (ids). */
  private readonly extraCodes: Uint16Array | null;
  private readonly extras: (string | null)[] | null;

  constructor(fewExtras: boolean) {
    this.extraCodes = fewExtras ? new Uint16Array(CHUNK) : null;
    this.extras = fewExtras ? null : new Array<string | null>(CHUNK).fill(null);
  }

  /** Lets go of the strings. */
  release(): void {
    this.keys.fill(null);
    this.extras?.fill(null);
    this.values.length = 0;
    this.codes.clear();
  }

  setValues(i: number, modelName: string, modelVersion: string, extra: string | null): void {
    // A position is written once, unless a compaction moves entries into it: then the values of the
    // entries it held before stay listed until the list is rebuilt from the entries held.
    if (this.values.length + 3 >= NO_EXTRA) this.recode(i);
    this.modelNames[i] = this.codeOf(modelName);
    this.modelVersions[i] = this.codeOf(modelVersion);
    if (this.extraCodes) this.extraCodes[i] = extra === null ? NO_EXTRA : this.codeOf(extra);
    else this.extras![i] = extra;
  }

  modelName(i: number): string {
    return this.values[this.modelNames[i]];
  }
  modelVersion(i: number): string {
    return this.values[this.modelVersions[i]];
  }
  extra(i: number): string | null {
    if (!this.extraCodes) return this.extras![i];
    const code = this.extraCodes[i];
    return code === NO_EXTRA ? null : this.values[code];
  }

  /** Copies the values at `from`'s fi to ti here (codes differ between chunks). */
  moveValues(from: Chunk, fi: number, ti: number): void {
    this.setValues(ti, from.modelName(fi), from.modelVersion(fi), from.extra(fi));
    if (from.extras) from.extras[fi] = null;
  }

  /** Lists again only the values of the entries held, but for position `skip` (about to be written). */
  private recode(skip: number): void {
    const old = this.values.slice();
    this.values.length = 0;
    this.codes.clear();
    for (let i = 0; i < CHUNK; i++) {
      if (this.keys[i] === null || i === skip) continue;
      this.modelNames[i] = this.codeOf(old[this.modelNames[i]]);
      this.modelVersions[i] = this.codeOf(old[this.modelVersions[i]]);
      if (this.extraCodes && this.extraCodes[i] !== NO_EXTRA) this.extraCodes[i] = this.codeOf(old[this.extraCodes[i]]);
    }
  }

  private codeOf(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  setKey(i: number, key: string): void {
    const form = packKey(key, this.packed, i * PACKED_BYTES);
    this.forms[i] = form;
    this.keys[i] = form === NOT_PACKED ? key : PACKED;
  }

  keyIs(i: number, key: string): boolean {
    const k = this.keys[i];
    return k === PACKED ? packedEquals(this.packed, i * PACKED_BYTES, this.forms[i], key) : k === key;
  }

  /** The key at i, null for a hole. */
  keyAt(i: number): string | null {
    const k = this.keys[i];
    return k === PACKED ? unpackKey(this.packed, i * PACKED_BYTES, this.forms[i]) : k;
  }

  /** Copies the key at `from`'s fi to ti here, and makes fi a hole. */
  moveKey(from: Chunk, fi: number, ti: number): void {
    const k = from.keys[fi];
    this.keys[ti] = k;
    if (k === PACKED) {
      this.forms[ti] = from.forms[fi];
      from.packed.copy(this.packed, ti * PACKED_BYTES, fi * PACKED_BYTES, (fi + 1) * PACKED_BYTES);
    }
    from.keys[fi] = null;
  }
}
