import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Redis } from './redis.js';

/** A bucket's size and how fast it fills: `capacity` tokens, `refillPerSecond` added each second. */
export interface BucketShape {
  capacity: number;
  refillPerSecond: number;
}

/** What taking one token found, in the terms of the RateLimit-* and Retry-After headers. */
export interface BucketState {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next token (0 when this request was allowed). */
  retryAfterSeconds: number;
}

/**
 * Token buckets by key: a caller may spend up to `capacity` requests at once, then one per
 * `1 / refillPerSecond` seconds. Shared through Redis by replicas (one atomic script, Redis's
 * own clock, so replicas with skewed clocks count alike), else in process.
 */
export interface TokenBuckets {
  take(key: string, shape: BucketShape): Promise<BucketState>;
}

/** Tokens after refilling `elapsedMs` and taking one if there is one; the same math for both. */
export function stateAfter(
  shape: BucketShape,
  tokensBefore: number,
  elapsedMs: number,
): { tokens: number; state: BucketState } {
  const perMs = shape.refillPerSecond / 1000;
  const filled = Math.min(shape.capacity, tokensBefore + Math.max(0, elapsedMs) * perMs);
  const allowed = filled >= 1;
  const tokens = allowed ? filled - 1 : filled;
  const seconds = (missing: number) => Math.max(0, Math.ceil(missing / perMs / 1000));
  return {
    tokens,
    state: {
      allowed,
      remaining: Math.floor(tokens),
      resetSeconds: Math.max(1, seconds(shape.capacity - tokens)),
      retryAfterSeconds: allowed ? 0 : Math.max(1, seconds(1 - tokens)),
    },
  };
}

/** Buckets never touched for a while are forgotten (a forgotten bucket is a full one). */
const MEMORY_BUCKETS = 100_000;

export class MemoryTokenBuckets implements TokenBuckets {
  private readonly buckets = new LRUCache<string, { tokens: number; at: number }>({ max: MEMORY_BUCKETS });

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, shape: BucketShape): Promise<BucketState> {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: shape.capacity, at: now };
    const { tokens, state } = stateAfter(shape, bucket.tokens, now - bucket.at);
    this.buckets.set(key, { tokens, at: now });
    return state;
  }
}

/**
 * One bucket is a hash {tokens, at}; the script refills it by the milliseconds since `at` (Redis
 * TIME), takes a token if there is one and keeps the hash only until it would be full anyway.
 * Tokens travel as text: Redis truncates Lua numbers in replies to integers.
 */
const TAKE = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
return { allowed, tostring(tokens) }`;
const TAKE_SHA = createHash('sha1').update(TAKE).digest('hex');

export class RedisTokenBuckets implements TokenBuckets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lt:bucket:',
  ) {}

  async take(key: string, shape: BucketShape): Promise<BucketState> {
    const args = [1, this.prefix + key, shape.capacity, shape.refillPerSecond] as const;
    // EVALSHA: the script is sent once per Redis server, not with every request.
    const reply = await this.redis.evalsha(TAKE_SHA, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return this.redis.eval(TAKE, ...args);
      throw error;
    });
    const [allowed, tokens] = reply as [number, string];
    // The script took the token (or not); the headers are worked out from what it left.
    const left = Number(tokens);
    const { state } = stateAfter(shape, allowed === 1 ? left + 1 : left, 0);
    return state;
  }
}

/**
 * Redis buckets that fall back to in-process ones while Redis cannot answer: during an outage
 * each replica limits on its own (a caller may get up to one budget per replica) instead of
 * every public request failing. While the client is not connected, requests go to the fallback
 * at once rather than waiting out the client's retries. Other script errors still throw.
 */
export class FallbackTokenBuckets implements TokenBuckets {
  constructor(
    private readonly primary: TokenBuckets,
    private readonly fallback: TokenBuckets,
    private readonly primaryReady: () => boolean,
    private readonly onFallback: (error: Error) => void = () => {},
  ) {}

  async take(key: string, shape: BucketShape): Promise<BucketState> {
    if (!this.primaryReady()) return this.fallback.take(key, shape);
    try {
      return await this.primary.take(key, shape);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.onFallback(error);
      return this.fallback.take(key, shape);
    }
  }
}

/** ioredis's errors for a server it cannot reach (retries exhausted, connection gone). */
function isUnreachable(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Stream isn't writeable/.test(error.message)
  );
}

export function tokenBuckets(redis: Redis | undefined, onFallback?: (error: Error) => void): TokenBuckets {
  if (!redis) return new MemoryTokenBuckets();
  const ready = () => redis.status === 'ready';
  return new FallbackTokenBuckets(new RedisTokenBuckets(redis), new MemoryTokenBuckets(), ready, onFallback);
}
