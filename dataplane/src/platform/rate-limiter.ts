import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from './redis.js';

export interface LimiterSpec {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

export type LimiterFactory = (spec: LimiterSpec) => RateLimiterAbstract;

/** In-process limiters in standalone; shared through Redis when several replicas serve a tenant. */
export function limiterFactory(redis: Redis | undefined): LimiterFactory {
  return ({ keyPrefix, points, durationSeconds }) =>
    redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `lt:rl:${keyPrefix}`,
          points,
          duration: durationSeconds,
        })
      : new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
}
