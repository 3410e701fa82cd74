// Resident memory, and a way to give garbage back before refusing work for lack of memory. V8 lets its
// heap grow with the allocation rate (large OTLP/JSON requests leave hundreds of MiB of garbage between
// collections), so resident memory says little until a collection has run: under the limit we ask for one.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

function collector(): () => void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  return gc;
}

export interface MemoryProbe {
  rss(): number;
  /** Runs a full collection, at most once per `minIntervalMs`; true when it ran. */
  collect(): boolean;
}

export function processMemory(minIntervalMs = 250): MemoryProbe {
  let last = 0;
  return {
    rss: () => process.memoryUsage.rss(),
    collect: () => {
      const now = Date.now();
      if (now - last < minIntervalMs) return false;
      last = now;
      collector()();
      return true;
    },
  };
}
