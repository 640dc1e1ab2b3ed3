import { LRUCache } from 'lru-cache';
import type { Logger } from '../../platform/logger.js';
import type { PublicQueryParams } from './public-query.js';

/** A query requests keep asking for, and when its cached copy goes stale. */
interface Tracked {
  slug: string;
  params: PublicQueryParams;
  /** Requests since the last tick, halved at each tick: a decaying measure of use. */
  hits: number;
  freshUntil: number;
  ttlMs: number;
}

export interface WarmerOptions {
  /** How often the warmer looks at what is about to go stale. */
  tickMs: number;
  /** How many of the most used queries it keeps warm. */
  top: number;
}

const TRACKED = 1_000;
/** A query asked for less than this (decayed) is not worth a query of its own. */
const MIN_HITS = 2;

/**
 * Keeps the most used public queries warm: each request notes its query; every tick, the most
 * used ones whose copy goes stale within a fifth of its TTL (at least one tick ahead) are
 * refreshed in the background, through the same single flight and lock as requests, so a busy
 * API's callers keep getting fresh copies instead of stale ones.
 */
export class CacheWarmer {
  private readonly tracked = new LRUCache<string, Tracked>({ max: TRACKED });
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Refreshes a query whose copy was fresh until `seen`; the new copy's freshness, if any. */
    private readonly warm: (
      slug: string,
      params: PublicQueryParams,
      seen: number,
    ) => Promise<number | undefined>,
    private readonly options: WarmerOptions,
    private readonly log: Logger,
  ) {}

  /** One request's query (`key`: its cache key) and when its copy goes stale. */
  note(key: string, slug: string, params: PublicQueryParams, freshUntil: number, ttlMs: number): void {
    const entry = this.tracked.get(key);
    if (entry) {
      entry.hits++;
      entry.freshUntil = freshUntil;
    } else this.tracked.set(key, { slug, params, hits: 1, freshUntil, ttlMs });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Refreshes what is worth it; exported for tests that drive time themselves. */
  async tick(now = Date.now()): Promise<void> {
    const due = [...this.tracked.entries()]
      .filter(([, t]) => t.hits >= MIN_HITS)
      .sort(([, a], [, b]) => b.hits - a.hits)
      .slice(0, this.options.top)
      .filter(([, t]) => t.freshUntil - now <= Math.max(this.options.tickMs * 1.5, t.ttlMs / 5));
    for (const [, t] of this.tracked.entries()) t.hits = Math.floor(t.hits / 2);
    await Promise.all(
      due.map(async ([key, t]) => {
        try {
          const freshUntil = await this.warm(t.slug, t.params, t.freshUntil);
          if (freshUntil === undefined) this.tracked.delete(key);
          else t.freshUntil = freshUntil;
        } catch (error) {
          this.tracked.delete(key);
          this.log.debug({ err: error, slug: t.slug }, 'public API warming skipped a query');
        }
      }),
    );
  }
}
