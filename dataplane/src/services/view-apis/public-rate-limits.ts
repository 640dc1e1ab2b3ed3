import { LRUCache } from 'lru-cache';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterFactory } from '../../platform/rate-limiter.js';
import type { PublishedApi } from './published-api.js';

/** Where a caller stands against one limit: what the RateLimit-* headers say. */
export interface RateState {
  limit: number;
  remaining: number;
  /** Seconds until the window starts over. */
  resetSeconds: number;
  allowed: boolean;
}

const WINDOW_SECONDS = 60;
/** Limiters per distinct limit value (APIs with the same limit share one; keys name the API). */
const LIMITERS = 1_000;

/**
 * Requests per minute of a public API, per IP (every caller) and per key (API-key callers),
 * counted in Redis when the replicas share it, else in process (rate-limiter-flexible; a
 * fixed one-minute window: ADR 0020). The IP is counted before the key is checked, so key
 * guessing is limited too.
 */
export class PublicRateLimits {
  private readonly limiters = new LRUCache<string, RateLimiterAbstract>({ max: LIMITERS });

  constructor(private readonly factory: LimiterFactory) {}

  perIp(api: PublishedApi, ip: string): Promise<RateState> {
    return this.consume('pubapi_ip', api.requestsPerMinutePerIp, `${api.id}:${ip}`);
  }

  perKey(api: PublishedApi, keyId: string): Promise<RateState> {
    return this.consume('pubapi_key', api.requestsPerMinute, `${api.id}:${keyId}`);
  }

  private async consume(kind: string, points: number, key: string): Promise<RateState> {
    const limiter = this.limiter(kind, points);
    try {
      return stateOf(points, await limiter.consume(key), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return stateOf(points, rejection, false);
      throw rejection;
    }
  }

  private limiter(kind: string, points: number): RateLimiterAbstract {
    const name = `${kind}:${points}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = this.factory({ keyPrefix: kind, points, durationSeconds: WINDOW_SECONDS });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}

function stateOf(limit: number, res: RateLimiterRes, allowed: boolean): RateState {
  return {
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    allowed,
  };
}

/** The state the headers report: the tightest of the limits a request was counted against. */
export function tightest(states: readonly RateState[]): RateState | undefined {
  return [...states].sort((a, b) => Number(a.allowed) - Number(b.allowed) || a.remaining - b.remaining)[0];
}
