// The busy seconds of a component's worker thread, across the threads it starts over its life (one that
// died is replaced), as a counter that never goes back: read while a thread runs, its figure can come out
// a few µs lower than the last one, and a thread that has ended reads 0. Prometheus would take either for
// a restart of the counter.
import type { Worker } from 'node:worker_threads';

export class ThreadBusyTime {
  /** Threads that ended. */
  private before = 0;
  /** The running thread, when last read. */
  private now = 0;

  /** Seconds so far, `worker` being the running thread (if any). */
  read(worker: Worker | undefined): number {
    if (worker) this.now = Math.max(this.now, worker.performance.eventLoopUtilization().active / 1000);
    return this.before + this.now;
  }

  /** `worker` ended (or is about to be ended): its seconds move to the total, the next thread counts from 0. */
  ended(worker: Worker | undefined): void {
    this.read(worker);
    this.before += this.now;
    this.now = 0;
  }
}
