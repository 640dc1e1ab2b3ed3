import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { PresenceEntry } from './presence-member.js';
import type { PresenceStore } from './presence-store.js';

/** What the realtime server does with what a round of upkeep found. Each defaults to nothing. */
export interface PresenceUpkeepHandlers {
  /** Members of dead replicas, deleted: emit `user:leave` to their rooms. */
  onSwept?: (entries: PresenceEntry[]) => void;
  /** This replica's members the store had lost, written back: emit `user:join`. */
  onRestored?: (entries: PresenceEntry[]) => void;
  /** Entries of this replica it no longer holds, deleted: emit `user:leave`. */
  onRemoved?: (entries: PresenceEntry[]) => void;
  /** A heartbeat or sweep failed (Redis unreachable): log it; the next round tries again. */
  onError?: (error: unknown, task: 'heartbeat' | 'sweep') => void;
}

export interface PresenceUpkeep {
  /** Settles after the first heartbeat (and sweep): join sockets after it. Never rejects. */
  readonly ready: Promise<void>;
  /** Stops after the round in flight, if any. */
  stop(): void;
}

/**
 * A replica's heartbeat and sweep, every `store.timing.heartbeatMs`: one round at a time (the
 * next is set when one ends, so a slow Redis never piles rounds up). Sweeping from every
 * replica is safe (each member is reported by one sweep) and cheap when nobody died.
 */
export function startPresenceUpkeep(
  store: PresenceStore,
  replicaId: string,
  handlers: PresenceUpkeepHandlers = {},
  clock: Clock = systemClock,
): PresenceUpkeep {
  let stopped = false;
  let timer: TimerHandle | undefined;

  const round = async (): Promise<void> => {
    try {
      const { restored, removed } = await store.heartbeat(replicaId);
      if (removed.length > 0) handlers.onRemoved?.(removed);
      if (restored.length > 0) handlers.onRestored?.(restored);
    } catch (error) {
      handlers.onError?.(error, 'heartbeat');
    }
    try {
      const swept = await store.sweep();
      if (swept.length > 0) handlers.onSwept?.(swept);
    } catch (error) {
      handlers.onError?.(error, 'sweep');
    }
  };

  const loop = (): Promise<void> =>
    round().then(() => {
      if (!stopped) timer = clock.setTimeout(() => void loop(), store.timing.heartbeatMs);
    });

  return {
    ready: loop(),
    stop: () => {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
