import { LRUCache } from 'lru-cache';
import { assertConnected, type Redis } from './redis.js';

/** A small key/value store with expiry: in-process in standalone, Redis when shared. */
export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
}

export class MemoryCache implements Cache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.sweep();
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Bounded memory: drop expired entries once the map grows. */
  private sweep(): void {
    if (this.entries.size < 10_000) return;
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

export class RedisCache implements Cache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'lt:cache:',
  ) {}

  async get(key: string): Promise<string | null> {
    assertConnected(this.redis);
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertConnected(this.redis);
    await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async del(key: string): Promise<void> {
    assertConnected(this.redis);
    await this.redis.del(this.prefix + key);
  }
}

/**
 * An in-process cache bounded by the total length of its values (least recently used out), for
 * values that can be large (view pages): MemoryCache bounds only its count of entries.
 */
export class BoundedMemoryCache implements Cache {
  private readonly entries: LRUCache<string, string>;

  constructor(maxChars: number) {
    this.entries = new LRUCache<string, string>({
      maxSize: maxChars,
      sizeCalculation: (value, key) => value.length + key.length,
      ttlAutopurge: false,
    });
  }

  async get(key: string): Promise<string | null> {
    return this.entries.get(key) ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
