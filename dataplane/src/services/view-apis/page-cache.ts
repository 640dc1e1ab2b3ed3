import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from '../../platform/cache.js';
import type { Lock } from '../../platform/distributed-lock.js';
import type { Logger } from '../../platform/logger.js';

/** What a request got: a fresh copy, a stale one (a refresh was started), or a new answer. */
export type CacheOutcome = 'hit' | 'stale' | 'miss';

export interface CachedPage {
  /** The response body (JSON), exactly as stored. */
  body: string;
  /** A strong validator of the body (base64url of its SHA-256, shortened). */
  etag: string;
  /** Epoch ms after which the copy is stale (served while one request refreshes it). */
  freshUntil: number;
}

export interface CachePolicy {
  ttlSeconds: number;
  /** How long after going stale a copy may still be served while it is refreshed. */
  staleSeconds: number;
}

/** A load never runs longer than a statement may; a lock outliving a dead holder frees itself. */
const LOCK_TTL_MS = 30_000;
/** How often a request waiting for another replica's load looks for its answer. */
const POLL_MS = 20;

/**
 * Response cache with stale-while-revalidate and single flight, in process and across
 * replicas (ADR 0020). A key names one answer (API, versions, data version, query), so data
 * that changed is a new key, never a stale hit.
 *
 * - fresh copy: served.
 * - stale copy: served, and one refresh starts unless one runs already: in this process (a
 *   promise per key) or on another replica (a lock per key in Redis, SET NX PX).
 * - no copy: callers in this process share one load; a replica that finds another's lock waits
 *   for the copy it stores, and loads itself only if none comes before the lock expires.
 */
export class PageCache {
  /** The load or refresh of each key running in this process (a refresh may yield nothing). */
  private readonly loads = new Map<string, Promise<CachedPage | undefined>>();

  constructor(
    private readonly cache: Cache,
    private readonly lock: Lock,
    private readonly log: Logger,
  ) {}

  async get(
    key: string,
    policy: CachePolicy,
    load: () => Promise<string>,
  ): Promise<{ page: CachedPage; outcome: CacheOutcome }> {
    const cached = await this.read(key);
    if (cached && cached.freshUntil > Date.now()) return { page: cached, outcome: 'hit' };
    if (cached && policy.staleSeconds > 0) {
      void this.refresh(key, policy, load, cached.freshUntil);
      return { page: cached, outcome: 'stale' };
    }
    return { page: await this.missed(key, policy, load), outcome: 'miss' };
  }

  /**
   * Refreshes the copy the caller saw (fresh until `seenFreshUntil`; 0: none) unless a load of
   * the key runs here, a replica holds its lock, or it was refreshed since. Never rejects (a
   * failed refresh leaves the copy as it was). The new copy, or undefined when none was made.
   */
  refresh(
    key: string,
    policy: CachePolicy,
    load: () => Promise<string>,
    seenFreshUntil = 0,
  ): Promise<CachedPage | undefined> {
    const running = this.loads.get(key);
    if (running) return running.catch(() => undefined);
    return this.track(key, async () => {
      const token = await this.lock.acquire(key, LOCK_TTL_MS);
      if (!token) return undefined;
      try {
        // Whoever held the lock before may have refreshed it since this caller saw it.
        const stored = await this.read(key);
        if (stored && stored.freshUntil > seenFreshUntil) return stored;
        return await this.store(key, policy, await load());
      } finally {
        await this.lock.release(key, token);
      }
    }).catch((error: unknown) => {
      this.log.warn({ err: error }, 'public API cache refresh failed');
      return undefined;
    });
  }

  /** Joins the load running here; a refresh that yielded nothing is followed by a load. */
  private async missed(key: string, policy: CachePolicy, load: () => Promise<string>): Promise<CachedPage> {
    for (;;) {
      const page = await this.track(key, () => this.fill(key, policy, load));
      if (page) return page;
    }
  }

  /** No copy at all: load under the lock, or wait for whoever holds it to store one. */
  private async fill(key: string, policy: CachePolicy, load: () => Promise<string>): Promise<CachedPage> {
    const deadline = Date.now() + LOCK_TTL_MS;
    for (;;) {
      const token = await this.lock.acquire(key, LOCK_TTL_MS);
      if (token) {
        try {
          // Another replica may have stored it between our look and our lock.
          const stored = await this.read(key);
          if (stored && stored.freshUntil > Date.now()) return stored;
          return await this.store(key, policy, await load());
        } finally {
          await this.lock.release(key, token);
        }
      }
      await sleep(POLL_MS);
      const stored = await this.read(key);
      if (stored && stored.freshUntil > Date.now()) return stored;
      if (Date.now() > deadline) return this.store(key, policy, await load());
    }
  }

  private track(key: string, work: () => Promise<CachedPage | undefined>): Promise<CachedPage | undefined> {
    const running = this.loads.get(key);
    if (running) return running;
    const tracked = work().finally(() => {
      if (this.loads.get(key) === tracked) this.loads.delete(key);
    });
    this.loads.set(key, tracked);
    return tracked;
  }

  private async store(key: string, policy: CachePolicy, body: string): Promise<CachedPage> {
    const page: CachedPage = { body, etag: etagOf(body), freshUntil: Date.now() + policy.ttlSeconds * 1000 };
    await this.cache.set(
      key,
      `${page.freshUntil}\n${page.etag}\n${body}`,
      policy.ttlSeconds + policy.staleSeconds,
    );
    return page;
  }

  private async read(key: string): Promise<CachedPage | undefined> {
    const text = await this.cache.get(key);
    if (text === null) return undefined;
    const first = text.indexOf('\n');
    const second = text.indexOf('\n', first + 1);
    return {
      freshUntil: Number(text.slice(0, first)),
      etag: text.slice(first + 1, second),
      body: text.slice(second + 1),
    };
  }
}

export const etagOf = (body: string): string =>
  createHash('sha256').update(body).digest('base64url').slice(0, 27);
