import type { Redis } from '../../platform/redis.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import type { PresenceOptions, PresenceStore } from './presence-store.js';
import { RedisPresenceStore } from './redis-presence.store.js';

/** Shared through Redis when there is one (replicas), else in process (standalone). */
export function presenceStore(redis: Redis | undefined, options: PresenceOptions = {}): PresenceStore {
  return redis ? new RedisPresenceStore(redis, options) : new MemoryPresenceStore(options);
}
