import { LRUCache } from 'lru-cache';

export interface ScopedCacheOptions {
  /** Entries kept; the least recently used go first. */
  max: number;
  /** An entry older than this is read again even if nothing said it changed (a safety net). */
  ttlMs: number;
}

interface Entry<V> {
  scope: string;
  value: V;
}

/**
 * An in-process cache whose entries belong to a scope (a workspace) and are forgotten together
 * when something in that scope changes. Bounded by count and age; it never serves an expired
 * entry. Values are shared, not copied: callers must treat them as read-only.
 *
 * A load that was already running when something was forgotten may have read the old state, so
 * its result is returned but not kept: every forget advances a counter the load compares (any
 * scope's: a load may learn its scope only from what it read, and forgets are rare).
 */
export class ScopedCache<V extends object> {
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly keysByScope = new Map<string, Set<string>>();
  private forgets = 0;

  constructor(options: ScopedCacheOptions) {
    this.entries = new LRUCache<string, Entry<V>>({
      max: options.max,
      ttl: options.ttlMs,
      allowStale: false,
      dispose: (entry, key) => this.unindex(entry.scope, key),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * The cached value, or the loader's (with the scope it belongs to), kept unless something was
   * forgotten while it loaded. A loader that throws caches nothing.
   */
  async getOrLoad(key: string, load: () => Promise<{ scope: string; value: V }>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached) return cached.value;
    const forgets = this.forgets;
    const { scope, value } = await load();
    if (forgets === this.forgets) this.keep(key, scope, value);
    return value;
  }

  /** Drops every entry of the scope, and keeps none that a load already running returns. */
  forgetScope(scope: string): void {
    this.forgets++;
    const keys = this.keysByScope.get(scope);
    if (!keys) return;
    for (const key of [...keys]) this.entries.delete(key);
    this.keysByScope.delete(scope);
  }

  /** Drops everything (told that changes may have been missed). */
  clear(): void {
    this.forgets++;
    this.entries.clear();
    this.keysByScope.clear();
  }

  private keep(key: string, scope: string, value: V): void {
    this.entries.set(key, { scope, value });
    let keys = this.keysByScope.get(scope);
    if (!keys) this.keysByScope.set(scope, (keys = new Set()));
    keys.add(key);
  }

  private unindex(scope: string, key: string): void {
    const keys = this.keysByScope.get(scope);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.keysByScope.delete(scope);
  }
}
