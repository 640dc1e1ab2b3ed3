import { Redis } from 'ioredis';
import { ServiceUnavailableError } from './errors.js';

/** A client that fails fast instead of queueing commands forever while Redis is down. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: `live-tables:${name}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
}

export type { Redis };

/** ioredis states of a client that had a connection and lost it (not one still connecting). */
const LOST = new Set(['reconnecting', 'close', 'end']);

/**
 * Fails at once while a client that was connected has lost its server, instead of queueing the
 * command until its retries run out (hundreds of milliseconds each, on every request). A client
 * still making its first connection queues as usual, so startup waits for Redis.
 */
export function assertConnected(redis: Redis): void {
  if (LOST.has(redis.status))
    throw new ServiceUnavailableError('Redis cannot be reached right now', 'redis_unavailable');
}
