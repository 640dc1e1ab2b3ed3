import type { BucketState, TokenBuckets } from '../../platform/token-bucket.js';
import type { PublishedApi } from './published-api.js';

/** Where a caller stands against one limit: what the RateLimit-* and Retry-After headers say. */
export interface RateState extends BucketState {
  limit: number;
}

/**
 * Requests per minute of a public API, per IP (every caller) and per key (API-key callers), as
 * token buckets (ADR 0020): a caller may spend a minute's budget at once, then gets it back
 * evenly (one request per 60 / limit seconds), so a burst never doubles at a window's edge.
 * Counted in Redis when the replicas share it, else in process. The IP is counted before the
 * key is checked, so key guessing is limited too. A bucket is keyed by API and limit, so a
 * changed limit starts a fresh bucket.
 */
export class PublicRateLimits {
  constructor(private readonly buckets: TokenBuckets) {}

  perIp(api: PublishedApi, ip: string): Promise<RateState> {
    return this.take(`pubapi_ip:${api.id}:${api.requestsPerMinutePerIp}:${ip}`, api.requestsPerMinutePerIp);
  }

  perKey(api: PublishedApi, keyId: string): Promise<RateState> {
    return this.take(`pubapi_key:${api.id}:${api.requestsPerMinute}:${keyId}`, api.requestsPerMinute);
  }

  private async take(key: string, perMinute: number): Promise<RateState> {
    const state = await this.buckets.take(key, { capacity: perMinute, refillPerSecond: perMinute / 60 });
    return { ...state, limit: perMinute };
  }
}

/** The state the headers report: the tightest of the limits a request was counted against. */
export function tightest(states: readonly RateState[]): RateState | undefined {
  return [...states].sort((a, b) => Number(a.allowed) - Number(b.allowed) || a.remaining - b.remaining)[0];
}
