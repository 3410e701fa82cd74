// How long the disk under the agent's data takes to make a small write durable, sampled through a phase:
// with `storage.sync: full` every acknowledgement waits for an fdatasync, so when the disk stalls, the ack
// p99 shows it whatever the agent does. Asynchronous (the thread pool), so the load client's own event
// loop, which times the acknowledgements, never waits for the probe.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { percentile } from './load.js';

const PROBE_BYTES = Buffer.alloc(4096, 1);

export interface DiskFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

/** Starts writing and syncing 4 KiB in `dir` every `everyMs`; stop() returns the sync times. */
export async function diskProbe(dir: string, everyMs = 50): Promise<{ stop(): Promise<DiskFigures> }> {
  const file = await open(join(dir, 'fsync-probe'), 'w');
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await file.write(PROBE_BYTES, 0, PROBE_BYTES.length, 0);
      await file.datasync();
      const took = performance.now() - t;
      times.push(took);
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - took)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await file.close();
      return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: Math.max(...times), samples: times.length };
    },
  };
}
