import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { PresenceStatus } from './presence-member.js';

export interface ActivityTrackerOptions {
  /** Without activity for this long a socket is `idle`. Default 60 s. */
  idleAfterMs?: number;
  /** Without activity for this long a socket is `away`; more than `idleAfterMs`. Default 5 min. */
  awayAfterMs?: number;
  /**
   * Called once per transition, after the tracker has moved (for `user:idle` and a presence
   * update). Must not throw: when called from a timer, a throw is an uncaught exception.
   */
  onChange: (socketId: string, status: PresenceStatus) => void;
  /** Default the system clock. */
  clock?: Clock;
}

interface Tracked {
  lastActiveAt: number;
  status: PresenceStatus;
  timer: TimerHandle | undefined;
  /** When the timer fires (undefined without a timer). */
  timerAt: number | undefined;
}

export const DEFAULT_IDLE_AFTER_MS = 60_000;
export const DEFAULT_AWAY_AFTER_MS = 5 * 60_000;

/**
 * Active → idle → away per socket, from the time of its last activity. One timer per socket,
 * set for its next threshold; activity of an active socket only moves `lastActiveAt` (the
 * timer, when it fires early, sets itself again), so a stream of cursor moves costs no timers.
 */
export class ActivityTracker {
  private readonly idleAfterMs: number;
  private readonly awayAfterMs: number;
  private readonly onChange: (socketId: string, status: PresenceStatus) => void;
  private readonly clock: Clock;
  private readonly sockets = new Map<string, Tracked>();

  constructor(options: ActivityTrackerOptions) {
    this.idleAfterMs = options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS;
    this.awayAfterMs = options.awayAfterMs ?? DEFAULT_AWAY_AFTER_MS;
    if (!(this.idleAfterMs > 0 && this.awayAfterMs > this.idleAfterMs)) {
      throw new RangeError('ActivityTracker needs 0 < idleAfterMs < awayAfterMs');
    }
    this.onChange = options.onChange;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Records activity of the socket (a cursor move, typing, a click). A socket starts `active`
   * without a call to `onChange` (its join says so); an idle or away one becomes active again.
   */
  touch(socketId: string): void {
    const now = this.clock.now();
    const tracked = this.sockets.get(socketId);
    if (!tracked) {
      const fresh: Tracked = { lastActiveAt: now, status: 'active', timer: undefined, timerAt: undefined };
      this.sockets.set(socketId, fresh);
      this.schedule(socketId, fresh);
      return;
    }
    tracked.lastActiveAt = Math.max(tracked.lastActiveAt, now);
    if (tracked.status === 'active') return;
    tracked.status = 'active';
    this.schedule(socketId, tracked);
    this.onChange(socketId, 'active');
  }

  status(socketId: string): PresenceStatus | undefined {
    return this.sockets.get(socketId)?.status;
  }

  lastActiveAt(socketId: string): number | undefined {
    return this.sockets.get(socketId)?.lastActiveAt;
  }

  /** On disconnect: no more calls for this socket. */
  forget(socketId: string): void {
    const tracked = this.sockets.get(socketId);
    if (tracked?.timer !== undefined) this.clock.clearTimeout(tracked.timer);
    this.sockets.delete(socketId);
  }

  /** Forgets every socket (shutdown). */
  close(): void {
    for (const socketId of [...this.sockets.keys()]) this.forget(socketId);
  }

  get size(): number {
    return this.sockets.size;
  }

  private statusAfter(quietMs: number): PresenceStatus {
    if (quietMs >= this.awayAfterMs) return 'away';
    return quietMs >= this.idleAfterMs ? 'idle' : 'active';
  }

  /** Sets the timer for the next threshold of the socket's current status (none when away). */
  private schedule(socketId: string, tracked: Tracked): void {
    const at =
      tracked.status === 'active'
        ? tracked.lastActiveAt + this.idleAfterMs
        : tracked.status === 'idle'
          ? tracked.lastActiveAt + this.awayAfterMs
          : undefined;
    if (at === tracked.timerAt) return;
    if (tracked.timer !== undefined) this.clock.clearTimeout(tracked.timer);
    tracked.timerAt = at;
    tracked.timer =
      at === undefined
        ? undefined
        : this.clock.setTimeout(() => this.fire(socketId, tracked), Math.max(0, at - this.clock.now()));
  }

  private fire(socketId: string, tracked: Tracked): void {
    if (this.sockets.get(socketId) !== tracked) return;
    tracked.timer = tracked.timerAt = undefined;
    const status = this.statusAfter(this.clock.now() - tracked.lastActiveAt);
    const changed = status !== tracked.status;
    tracked.status = status;
    this.schedule(socketId, tracked);
    if (changed) this.onChange(socketId, status);
  }
}
