// Runs a job on a cron schedule read against the component clock (ctx.clock), so tests can move time.
// croner only computes the next time; the timer is ours. A run missed while the agent was down is made
// up once at start (see `missedSince`).
import { Cron } from 'croner';
import type { Clock } from '../../pipeline/component.js';

/** Longest single setTimeout (about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CronSchedule {
  private readonly cron: Cron;
  private timer?: NodeJS.Timeout;
  private stopped = true;

  constructor(pattern: string, timezone: string | undefined, private readonly clock: Clock, private readonly job: () => void) {
    this.cron = new Cron(pattern, { paused: true, timezone: timezone ?? 'Etc/UTC' });
  }

  /** The first scheduled time after `fromMs`, in ms; undefined if the pattern never fires again. */
  nextAfter(fromMs: number): number | undefined {
    return this.cron.nextRun(new Date(fromMs))?.getTime();
  }

  /** Whether a scheduled time fell in (sinceMs, now]: a run was missed. */
  missedSince(sinceMs: number): boolean {
    const next = this.nextAfter(sinceMs);
    return next !== undefined && next <= this.clock.now();
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const next = this.nextAfter(now);
    if (next === undefined) return;
    const wait = Math.min(Math.max(0, next - now), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      if (this.clock.now() >= next) this.job();
      this.arm();
    }, wait);
    this.timer.unref();
  }
}
