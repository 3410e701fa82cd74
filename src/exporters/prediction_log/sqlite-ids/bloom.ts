// A Bloom filter over prediction ids, one per sorted run of the SQLite log's id index (id-index.ts): it
// answers "certainly not in this run" for almost every new id, so a new prediction costs no lookup in the
// runs. Hand-written rather than a package: it must live in a BLOB beside its run (a plain Uint32Array)
// and hash a string without allocating, which the npm filters we looked at do not offer together.

/** Bits per id: ~0.8 % false positives with 7 probes. */
const BITS_PER_ID = 10;
const PROBES = 7;

export class Bloom {
  private constructor(private readonly words: Uint32Array) {}

  /** An empty filter sized for `ids` ids. */
  static sized(ids: number): Bloom {
    return new Bloom(new Uint32Array(Math.max(1, Math.ceil((ids * BITS_PER_ID) / 32))));
  }

  /** A filter stored with toBuffer(). */
  static from(buf: Uint8Array): Bloom {
    const words = new Uint32Array(buf.byteLength >> 2);
    new Uint8Array(words.buffer).set(buf.subarray(0, words.byteLength));
    return new Bloom(words);
  }

  add(h: IdHash): void {
    const bits = this.words.length * 32;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h.a + i * h.b) % bits;
      this.words[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  mayHave(h: IdHash): boolean {
    const bits = this.words.length * 32;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h.a + i * h.b) % bits;
      if ((this.words[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  get bytes(): number {
    return this.words.byteLength;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.words.buffer, this.words.byteOffset, this.words.byteLength);
  }
}

/** Two independent 32-bit hashes of an id (double hashing: probe i is a + i·b). */
export interface IdHash {
  a: number;
  b: number;
}

/**
 * FNV-1a and a second FNV-1a with another basis, over UTF-16 code units; b is odd so probes differ. Not
 * the sampler's idHash (sample.ts) on purpose: a log with `sample_ratio` holds only ids whose idHash is
 * below ratio·2^32, so probes taken from it would crowd into a corner of a large filter.
 */
export function hashId(id: string, out: IdHash = { a: 0, b: 0 }): IdHash {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  // Final mixing: FNV's low bits are weak for ids that differ only in their last characters.
  a ^= a >>> 15;
  a = Math.imul(a, 0x2c1b3c6d);
  a ^= a >>> 12;
  b ^= b >>> 13;
  b = Math.imul(b, 0x297a2d39);
  b ^= b >>> 15;
  out.a = a >>> 0;
  out.b = (b | 1) >>> 0;
  return out;
}
