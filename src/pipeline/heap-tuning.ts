// V8 settings for the agent's heap.
//
// Allocation-site pretenuring (turned off when `modelwatch run` starts, before the pipeline allocates):
// V8 allocates objects straight into the old generation at the places whose objects it saw survive young
// collections. A decoded record's id survives (the label join and the assemblers keep it for seconds), so
// the decoder's allocation sites were pretenured and every record, its features and its hex ids went to
// the old generation, where they die within ~30 ms and wait for a major collection: peak RSS at 10k
// spans/s 307-382 MiB with it, 264-282 MiB without (BENCHMARKS.md, tenth session), for a few more ms of
// young collections a second. The flag is read at each collection, so setting it at start takes effect;
// it applies to the writer threads too (one V8 for the process).
//
// The young generation's size is fixed when V8 sets up the heap, before any of our code runs, so it is a
// flag on node's command line (AGENT_NODE_FLAGS): the `modelwatch` command's shebang, `npm start`, the
// image's entrypoint and the tests' agents pass it (test/unit/cli/node-flags.test.ts keeps them equal).
import { setFlagsFromString } from 'node:v8';

/**
 * A semi-space of 8 MiB instead of V8's 16. Records live ~0.1-0.5 s (until every consumer has taken
 * them), so a young collection copies about what came in over that time, whatever the space's size:
 * at 10k spans/s one every ~0.5 s took ~10 ms (p90 16), on the event loop. Half the space, half the
 * pause at about the same total: A/B at 10k spans/s (three alternating pairs, thirteenth session)
 * acknowledgement p99 26.2 ms against 28.3-32.9, peak RSS 246-253 against 264-267 MiB, CPU 36-40 %
 * against 39-42 %. 4 MiB promoted more and was worse on every count.
 */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=8'] as const;

export function tuneHeapForRecords(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * Gives the writer threads back their own young generations. V8 sizes every isolate's young generation
 * from --max-semi-space-size when it is set, over a worker's `resourceLimits`: with the agent's flag the
 * log writer's thread, sized for one batch of garbage at a time (8 MiB), got 16 MiB and kept it resident.
 * The main isolate's size was fixed when node started, so the flag can go back to V8's "unset" (0) now.
 */
export function releaseYoungGenerationFlag(): void {
  setFlagsFromString('--max-semi-space-size=0');
}

/** The AGENT_NODE_FLAGS this process was started without (on its command line or in NODE_OPTIONS). */
export function missingNodeFlags(): string[] {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return AGENT_NODE_FLAGS.filter((f) => !given.includes(f));
}
