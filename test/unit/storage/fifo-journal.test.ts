// FifoJournal against the collection it copies: random appends, removals from the old end and from the
// middle, checkpoints that commit or roll back; after each, loading the journal gives the collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/storage/database.js';
import { FifoJournal, type EncodedChunk, type JournalEntry } from '../../../src/storage/fifo-journal.js';
import { rng } from '../stats/seeded.js';

const decode = (values: unknown) => values as string[];
/** One chunk of the entries (ascending seq), values as they are. */
const chunk = (entries: JournalEntry<string>[]): EncodedChunk => ({ seqs: Float64Array.from(entries, (e) => e.seq), values: entries.map((e) => e.value) });

test('loading the journal gives back the collection after every checkpoint, rolled back ones included', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const journal = new FifoJournal(db, 'things', decode);
  const random = rng(5);
  const held = new Map<number, string>(); // seq -> value, in seq order
  let nextSeq = 0;
  // What changed since the last committed checkpoint (a rolled-back one is written again).
  let added = new Map<number, string>();
  let removed = new Set<number>();
  let committed: JournalEntry<string>[] = [];
  for (let round = 0; round < 400; round++) {
    for (let i = Math.floor(random() * 40); i > 0; i--) {
      const r = random();
      if (r < 0.55) {
        const seq = nextSeq++;
        held.set(seq, `v${seq}`);
        added.set(seq, `v${seq}`);
      } else if (held.size > 0) {
        // From the old end (evicted, expired) or from anywhere (a label came).
        const keys = [...held.keys()];
        const seq = r < 0.8 ? keys[0] : keys[Math.floor(random() * keys.length)];
        held.delete(seq);
        if (added.has(seq)) added.delete(seq);
        else removed.add(seq);
      }
    }
    const low = held.size > 0 ? Math.min(...held.keys()) : nextSeq;
    const write = () => journal.write('owner', [chunk([...added].map(([seq, value]) => ({ seq, value })))], removed, low);
    if (random() < 0.1) {
      assert.throws(() => db.transaction(() => { write(); throw new Error('disk is full'); })(), /disk is full/);
      assert.deepEqual(journal.load('owner'), committed, 'a rolled-back checkpoint leaves the journal as it was');
      continue;
    }
    db.transaction(write)();
    added = new Map();
    removed = new Set();
    committed = [...held].map(([seq, value]) => ({ seq, value }));
    assert.deepEqual(journal.load('owner'), committed, `round ${round}`);
  }
  // Nothing wholly below the low mark is kept: chunks of entries all gone, tombstones of entries gone.
  const stale = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  assert.equal(stale('SELECT count(*) AS n FROM things_chunks WHERE last_seq < (SELECT low_seq FROM things_low)'), 0);
  assert.equal(stale('SELECT count(*) AS n FROM things_removed WHERE seq < (SELECT low_seq FROM things_low)'), 0);
  assert.ok(stale('SELECT count(*) AS n FROM things_chunks') < 100, 'old chunks are dropped');
  db.close();
});

test('owners are kept apart; rename moves one owner onto another, clear forgets it', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const journal = new FifoJournal(db, 'things', decode);
  journal.write('a', [chunk([{ seq: 0, value: 'a0' }, { seq: 1, value: 'a1' }])], [], 0);
  journal.write('b', [chunk([{ seq: 0, value: 'b0' }])], [], 0);
  journal.write('a', [], [0], 1);
  assert.deepEqual(journal.load('a'), [{ seq: 1, value: 'a1' }]);
  assert.deepEqual(journal.load('b'), [{ seq: 0, value: 'b0' }]);
  journal.rename('a', 'b');
  assert.deepEqual(journal.load('b'), [{ seq: 1, value: 'a1' }]);
  assert.deepEqual(journal.load('a'), []);
  journal.clear('b');
  assert.deepEqual(journal.owners(), []);
  db.close();
});

test('a chunk written twice is an error, not a silent overwrite', () => {
  const db = openDatabase(':memory:', { sync: 'normal' });
  const journal = new FifoJournal(db, 'things', decode);
  journal.write('a', [chunk([{ seq: 3, value: 'x' }])], [], 3);
  assert.throws(() => journal.write('a', [chunk([{ seq: 3, value: 'y' }])], [], 3), /UNIQUE/);
  db.close();
});
