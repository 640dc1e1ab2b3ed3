import type { Clock, TimerHandle } from '../../dataplane/src/realtime/presence/clock.js';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

/** A clock that moves only when told: `advance` runs the timers that fall due, in order. */
export class FakeClock implements Clock {
  private pending = new Map<number, Pending>();
  private seq = 0;

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const seq = this.seq++;
    this.pending.set(seq, { at: this.time + Math.max(0, ms), seq, callback });
    return seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as number);
  }

  /** Timers not yet run. */
  get timers(): number {
    return this.pending.size;
  }

  /** Moves time forward without running timers, as a blocked event loop would: they run late. */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Moves time forward by `ms`, running each timer due on the way at its own time. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = [...this.pending.values()]
        .filter((p) => p.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending.delete(next.seq);
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = until;
  }
}
