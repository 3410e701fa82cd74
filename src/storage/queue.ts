// The durable queue between receivers and consumers. One row per accepted Export call: a receiver's batch
// is committed in one transaction before the client is answered. Consumers (the processor chain of a
// pipeline, each record exporter) read rows in id order and keep their own position (checkpoints.ts);
// rows are deleted once every consumer has passed them. Bounded in bytes.
import { deserialize, serialize } from 'node:v8';
import type { WireRecord } from '../pipeline/records.js';
import { withoutCommitSync, type Db } from './database.js';

export interface QueueRow {
  id: number;
  receivedMs: number;
  receiver: string;
  records: WireRecord[];
}

/** Rows kept decoded in memory after append, so consumers that keep up never deserialize them. */
const RECENT_ROWS = 512;
/** ... and at most this many serialized bytes' worth of them: the cache must not grow with request size. */
const RECENT_BYTES = 16 * 1024 * 1024;

export class Queue {
  private bytes = 0;
  /** The newest id appended by this process (0 until then). */
  private headIdCached = 0;
  /** id -> the records as appended. Records are immutable once appended: consumers must not change them. */
  private readonly recent = new Map<number, { receivedMs: number; receiver: string; records: readonly WireRecord[]; bytes: number }>();
  private recentBytes = 0;

  private forget(id: number): void {
    const r = this.recent.get(id);
    if (!r) return;
    this.recent.delete(id);
    this.recentBytes -= r.bytes;
  }

  private forgetOldest(): void {
    this.forget(this.recent.keys().next().value!);
  }
  private rows = 0;
  private readonly insert;
  private readonly sizesAfter;
  private readonly readRange;
  private readonly sizeBelow;
  private readonly deleteBelow;
  private readonly lastId;
  private readonly backlog;

  constructor(private readonly db: Db, readonly capacityBytes: number) {
    db.exec(`CREATE TABLE IF NOT EXISTS queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      received_ms REAL NOT NULL,
      receiver TEXT NOT NULL,
      items INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      payload BLOB NOT NULL)`);
    // Sizes and times without the payloads: a row's first bytes of payload share its table page, so
    // scanning the table for them read a page per row (10 ms for 4,000 rows of 200 KB; 0.4 ms here).
    // Read by the backlog gauges, a catching-up consumer's sizes, the trim and the start.
    db.exec('CREATE INDEX IF NOT EXISTS queue_sizes ON queue (id, items, received_ms, bytes)');
    this.insert = db.prepare('INSERT INTO queue (received_ms, receiver, items, bytes, payload) VALUES (?, ?, ?, ?, ?)');
    this.sizesAfter = db.prepare('SELECT id, items FROM queue WHERE id > ? ORDER BY id LIMIT ?');
    this.readRange = db.prepare('SELECT id, received_ms, receiver, payload FROM queue WHERE id > ? AND id <= ? ORDER BY id');
    this.sizeBelow = db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM queue WHERE id <= ?');
    this.deleteBelow = db.prepare('DELETE FROM queue WHERE id <= ?');
    this.lastId = db.prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'queue'), 0) AS id");
    this.backlog = db.prepare('SELECT coalesce(sum(items), 0) AS items, min(received_ms) AS oldest FROM queue WHERE id > ?');
    const total = db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM queue').get() as { n: number; b: number };
    this.rows = total.n;
    this.bytes = total.b;
  }

  get usedBytes(): number {
    return this.bytes;
  }
  get rowCount(): number {
    return this.rows;
  }
  /** The id of the newest row ever written (ids are never reused). */
  get headId(): number {
    return (this.lastId.get() as { id: number }).id;
  }

  /**
   * What a reader at `afterId` has still to read: the records, and when the oldest of their rows was
   * received (undefined: none). Reads only the rows' sizes and times, never a payload.
   */
  backlogAfter(afterId: number): { records: number; oldestMs: number | undefined } {
    const r = this.backlog.get(afterId) as { items: number; oldest: number | null };
    return { records: r.items, oldestMs: r.oldest ?? undefined };
  }

  /** Serialized size of a batch: what it will count against the capacity. */
  encode(records: readonly WireRecord[]): Buffer {
    return serialize(records);
  }

  hasRoomFor(bytes: number): boolean {
    return this.bytes + bytes <= this.capacityBytes;
  }

  /** Commits one batch; returns its id. The caller checked hasRoomFor. */
  append(receiver: string, items: number, payload: Buffer, receivedMs = Date.now(), records?: readonly WireRecord[]): number {
    const info = this.insert.run(receivedMs, receiver, items, payload.length, payload);
    this.bytes += payload.length;
    this.rows++;
    const id = Number(info.lastInsertRowid);
    this.headIdCached = id;
    if (records) {
      this.recent.set(id, { receivedMs, receiver, records, bytes: payload.length });
      this.recentBytes += payload.length;
      while (this.recent.size > RECENT_ROWS || this.recentBytes > RECENT_BYTES) this.forgetOldest();
    }
    return id;
  }

  /** Commits several batches in one transaction (one fsync): the group commit of concurrent Exports. */
  appendMany(batches: readonly { receiver: string; items: number; payload: Buffer; records?: readonly WireRecord[] }[], receivedMs = Date.now()): void {
    if (batches.length === 1) {
      this.append(batches[0].receiver, batches[0].items, batches[0].payload, receivedMs, batches[0].records);
      return;
    }
    // On failure (a full disk fails the commit itself) the transaction rolls back: undo the counts and
    // forget the cached rows, whose ids the next insert reuses (a stale entry would be read instead).
    const before = { bytes: this.bytes, rows: this.rows, head: this.headIdCached };
    const ids: number[] = [];
    try {
      this.db.transaction(() => {
        for (const b of batches) ids.push(this.append(b.receiver, b.items, b.payload, receivedMs, b.records));
      })();
    } catch (err) {
      for (const id of ids) this.forget(id);
      this.bytes = before.bytes;
      this.rows = before.rows;
      this.headIdCached = before.head;
      throw err;
    }
  }

  /**
   * Up to `limit` rows after `afterId`, and no more rows than it takes to reach `maxRecords` records
   * (at least one row, however large).
   */
  read(afterId: number, limit: number, maxRecords = Infinity): QueueRow[] {
    // Fast path: the next rows are still in memory (a consumer that keeps up).
    const out: QueueRow[] = [];
    let records = 0;
    for (let id = afterId + 1; out.length < limit && records < maxRecords; id++) {
      const r = this.recent.get(id);
      if (!r) break;
      out.push({ id, receivedMs: r.receivedMs, receiver: r.receiver, records: r.records as WireRecord[] });
      records += r.records.length;
    }
    if (out.length === limit || records >= maxRecords || (out.length > 0 && out[out.length - 1].id === this.headIdCached)) return out;
    const from = out.length > 0 ? out[out.length - 1].id : afterId;
    // Sizes first (no payload is read), then only the payloads that fit: a consumer catching up must
    // not decode `limit` rows to deliver one.
    const sizes = this.sizesAfter.all(from, limit - out.length) as { id: number; items: number }[];
    if (sizes.length === 0) return out;
    let through = sizes[0].id;
    for (const r of sizes) {
      through = r.id;
      records += r.items;
      if (records >= maxRecords) break;
    }
    const rows = this.readRange.all(from, through) as { id: number; received_ms: number; receiver: string; payload: Buffer }[];
    for (const r of rows) out.push({ id: r.id, receivedMs: r.received_ms, receiver: r.receiver, records: deserialize(r.payload) as WireRecord[] });
    return out;
  }

  /**
   * Drops the decoded copies of rows up to `id`, once every consumer has read them: kept longer, every
   * record survives the young-generation collections and is copied twice (scavenge, then promotion).
   */
  forgetThrough(id: number): void {
    for (const cached of this.recent.keys()) {
      if (cached > id) break;
      this.forget(cached);
    }
  }

  /** Deletes every row every consumer has passed (no fsync of its own: a lost trim is done again). */
  trimThrough(id: number): number {
    if (id <= 0) return 0;
    this.forgetThrough(id);
    const gone = this.sizeBelow.get(id) as { n: number; b: number };
    if (gone.n === 0) return 0;
    withoutCommitSync(this.db, () => this.deleteBelow.run(id));
    this.rows -= gone.n;
    this.bytes -= gone.b;
    return gone.n;
  }
}
