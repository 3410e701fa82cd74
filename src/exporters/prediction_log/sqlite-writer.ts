// The SQLite prediction log's writes, on a thread of their own. A batch of 512 upserts takes ~10 ms of
// SQLite work and mapping the records to rows another ~1.4 ms; on the event loop that held back every
// acknowledgement behind it, and it was a third of the agent's CPU at saturation. The thread has its own
// connection to the file (WAL: the main thread's connection still reads for analysis and deletes for
// retention; busy_timeout covers the overlap). A write resolves once its transaction committed, so the
// queue position moves only after that, as before.
import { Worker } from 'node:worker_threads';
import { threadModule } from '../../pipeline/thread-module.js';
import type { ConsumerRecord } from '../../pipeline/records.js';
import type { Refusal } from './row.js';
import type { IdIndexOptions, IdIndexStats } from './sqlite-ids/id-index.js';
import { ThreadBusyTime } from '../../telemetry/thread-busy.js';

/** What the thread is asked: rows ready to upsert, or records to map and write (store-batch.ts). */
export type WriterRequest = { id: number; rows: unknown[][] } | { id: number; records: readonly ConsumerRecord[] };
export type WriterReply = ({ id: number; ok: true; refused?: Refusal[] } | { id: number; ok: false; error: { name: string; message: string; code?: string } }) & { idIndex?: IdIndexStats };

/** Rebuilds an error from the thread with what isDataError() reads: its class and SQLite code. */
function revive(e: { name: string; message: string; code?: string }): Error {
  const err = e.name === 'TypeError' ? new TypeError(e.message) : e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  return err;
}

export class SqliteWriterThread {
  private worker?: Worker;
  /** Across the threads started so far (one is started again after a crash). */
  private readonly busy = new ThreadBusyTime();
  private nextId = 0;
  private lastIdIndex?: IdIndexStats;
  private readonly waiting = new Map<number, { resolve: (refused: Refusal[]) => void; reject: (err: Error) => void }>();

  constructor(
    private readonly path: string,
    private readonly table: string,
    private readonly idIndex?: IdIndexOptions,
  ) {}

  /** Upserts rows given as values in COLUMNS order, in one transaction on the thread. */
  async write(rows: unknown[][]): Promise<void> {
    await this.call((id) => ({ id, rows }));
  }

  /** Maps, collapses and writes records on the thread; resolves with what the store can never take. */
  storeRecords(records: readonly ConsumerRecord[]): Promise<Refusal[]> {
    return this.call((id) => ({ id, records }));
  }

  private call(request: (id: number) => WriterRequest): Promise<Refusal[]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Refusal[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Keep the process alive only while a write is in flight.
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage(request(id));
    });
  }

  /** Seconds the thread (every one started so far) spent running rather than waiting for work. */
  busySeconds(): number {
    return this.busy.read(this.worker);
  }

  /** The id index as the thread reported it with its last reply. */
  idIndexStats(): IdIndexStats | undefined {
    return this.lastIdIndex;
  }

  async close(): Promise<void> {
    this.busy.ended(this.worker);
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(threadModule(import.meta.url, 'sqlite-writer-thread'), {
      workerData: { path: this.path, table: this.table, idIndex: this.idIndex },
      // Its garbage is one batch at a time: a small young generation keeps the thread's heap small (peak
      // RSS at 10k spans/s 178–204 MiB against 206–216 without; 4 MiB cost ~5% of a core more). V8 applies
      // it only once the agent's --max-semi-space-size is released (heap-tuning.ts).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    worker.unref();
    worker.on('message', (m: WriterReply) => {
      if (m.idIndex) this.lastIdIndex = m.idIndex;
      if (m.ok) this.settle(m.id, undefined, m.refused);
      else this.settle(m.id, revive(m.error));
    });
    const fail = (err: Error) => {
      // The thread died: fail what it held (the pipeline offers those batches again) and start afresh next time.
      if (this.worker === worker) {
        this.busy.ended(worker);
        this.worker = undefined;
      }
      for (const id of [...this.waiting.keys()]) this.settle(id, err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`prediction log writer thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, err: Error | undefined, refused: Refusal[] = []): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
    if (err) w.reject(err);
    else w.resolve(refused);
  }
}
