// V8 settings for the agent's heap, applied when `modelwatch run` starts (before the pipeline allocates).
//
// Allocation-site pretenuring: V8 allocates objects straight into the old generation at the places
// whose objects it saw survive young collections. A decoded record's id survives (the label join and the
// assemblers keep it for seconds), so the decoder's allocation sites were pretenured and every record,
// its features and its hex ids went to the old generation, where they die within ~30 ms and wait for a
// major collection: peak RSS at 10k spans/s 307-382 MiB with it, 264-282 MiB without (BENCHMARKS.md,
// tenth session), for a few more ms of young collections a second. The flag is read at each collection,
// so setting it at start takes effect; it applies to the writer threads too (one V8 for the process).
import { setFlagsFromString } from 'node:v8';

export function tuneHeapForRecords(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
