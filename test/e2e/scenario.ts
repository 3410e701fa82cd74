// The traffic of one model server, sent through the real OpenTelemetry SDK: a steady stream of
// predictions whose behaviour is set by a phase. Everything is a function of the prediction's index
// (seeded features, fixed label and error patterns), so what the agent should compute is known here.
//   healthy:   5% wrong labels, 1% errors, inference 30-60 ms, features from the reference distribution
//   degraded:  17% wrong (accuracy 0.83: below the baseline by more than 5%, above the 80% floor),
//              20% errors, inference 7-8 s, feature `a` shifted by 2 sd and `cat` remixed
//   collapsed: as degraded, but half the labels wrong (accuracy 0.5)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { emitPrediction } from '../helpers/otel-client.js';
import { choices, normals, rng } from '../unit/stats/seeded.js';

export type Phase = 'healthy' | 'degraded' | 'collapsed';
export const MODEL = { model_name: 'churn', model_version: 'v3' } as const;
export const CLASSES = ['churn', 'stay'];
export const CATS = ['red', 'green', 'blue'];
const REFERENCE_ROWS = 2000;
/** Feature values are drawn ahead of time; the stream wraps around after this many predictions. */
const STREAM = 40_000;

/** Share of wrong labels per phase: the accuracy the quality window converges to is 1 minus this. */
export const WRONG_SHARE: Readonly<Record<Phase, number>> = { healthy: 0.05, degraded: 0.17, collapsed: 0.5 };

/** Writes the drift reference (a, b, c numerical; cat categorical) and returns its path. */
export function writeReference(dir: string): string {
  const a = normals(101, REFERENCE_ROWS);
  const b = normals(102, REFERENCE_ROWS, 10, 3);
  const c = normals(103, REFERENCE_ROWS, -2, 0.5);
  const cat = choices(104, REFERENCE_ROWS, CATS, [6, 3, 1]);
  const lines = ['a,b,c,cat'];
  for (let i = 0; i < REFERENCE_ROWS; i++) lines.push(`${a[i]},${b[i]},${c[i]},${cat[i]}`);
  const file = join(dir, 'reference.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

// The stream's features: same distributions as the reference (other seeds), and the shifted ones.
const A = normals(301, STREAM);
const B = normals(302, STREAM, 10, 3);
const C = normals(303, STREAM, -2, 0.5);
const CAT = choices(304, STREAM, CATS, [6, 3, 1]);
const A_SHIFTED = normals(401, STREAM, 2, 1);
const CAT_SHIFTED = choices(402, STREAM, CATS, [1, 2, 7]);

/**
 * Whether the k-th labelled prediction of a phase is wrong. In every run of 100 consecutive labels
 * exactly 100 × WRONG_SHARE are wrong (17k mod 100 runs through all residues), so a window of 100
 * labels has a known accuracy whatever its alignment.
 */
function wrong(phase: Phase, k: number): boolean {
  if (phase === 'healthy') return k % 20 === 0;
  if (phase === 'degraded') return (17 * k) % 100 < 17;
  return k % 2 === 0;
}

export class Traffic {
  phase: Phase = 'healthy';
  /** Predictions emitted per phase (errored ones included). */
  readonly emitted: Record<Phase, number> = { healthy: 0, degraded: 0, collapsed: 0 };
  private i = 0;
  private labelled = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly jitter = rng(7);

  constructor(private readonly tracer: Tracer) {}

  get total(): number {
    return this.emitted.healthy + this.emitted.degraded + this.emitted.collapsed;
  }

  /** Emits `perTick` predictions every `tickMs` until stop(). */
  start(perTick = 10, tickMs = 100): void {
    this.timer = setInterval(() => {
      for (let n = 0; n < perTick; n++) this.emitOne();
    }, tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private emitOne(): void {
    const i = this.i++;
    const s = i % STREAM;
    const phase = this.phase;
    this.emitted[phase]++;
    const healthy = phase === 'healthy';
    const failed = healthy ? i % 100 === 50 : i % 5 === 0;
    const inference = healthy ? 0.03 + 0.03 * this.jitter() : 7 + this.jitter();
    const stages = { preprocess: 0.004, inference, postprocess: 0.002 };
    const features = { a: healthy ? A[s] : A_SHIFTED[s], b: B[s], c: C[s], cat: healthy ? CAT[s] : CAT_SHIFTED[s] };
    // Each span ends now: its stages lie in the recent past.
    const startMs = Date.now() - (stages.preprocess + inference + stages.postprocess) * 1000;
    if (failed) {
      emitPrediction(this.tracer, { model: MODEL.model_name, version: MODEL.model_version, features, stages, startMs, error: 'ModelTimeout' });
      return;
    }
    const cls = CLASSES[i % 3 === 0 ? 0 : 1];
    const truth = wrong(phase, this.labelled++) ? CLASSES.find((c) => c !== cls)! : cls;
    emitPrediction(this.tracer, { model: MODEL.model_name, version: MODEL.model_version, cls, confidence: 0.8, groundTruth: truth, features, stages, startMs });
  }
}
