import { randomUUID } from 'node:crypto';
import { assertConnected, type Redis } from './redis.js';

/**
 * A lock one holder at a time may take, for at most `ttlMs` (a holder that dies cannot keep it):
 * in-process in standalone, shared through Redis when several replicas must agree on who does a
 * piece of work (one replica refreshes an expired cache entry while the others wait or serve it
 * stale). Not a mutual exclusion for correctness: only for not doing the same work twice.
 */
export interface Lock {
  /** A token when taken, null when someone else holds it. */
  acquire(key: string, ttlMs: number): Promise<string | null>;
  /** Lets go, if the token still holds it (it may have expired and been taken by another). */
  release(key: string, token: string): Promise<void>;
}

export class MemoryLock implements Lock {
  private readonly held = new Map<string, { token: string; until: number }>();

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const now = Date.now();
    const current = this.held.get(key);
    if (current && current.until > now) return null;
    const token = randomUUID();
    this.held.set(key, { token, until: now + ttlMs });
    return token;
  }

  async release(key: string, token: string): Promise<void> {
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }
}

/** Deletes the key only while it still holds the caller's token (an atomic compare-and-delete). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** SET NX PX: taken by exactly one of the replicas asking, expiring by itself. */
export class RedisLock implements Lock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lt:lock:',
  ) {}

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    assertConnected(this.redis);
    const taken = await this.redis.set(this.prefix + key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return taken === 'OK' ? token : null;
  }

  async release(key: string, token: string): Promise<void> {
    assertConnected(this.redis);
    await this.redis.eval(RELEASE, 1, this.prefix + key, token);
  }
}
