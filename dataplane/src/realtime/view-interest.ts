import type { Redis } from '../platform/redis.js';

/** How long a replica's word that it has subscribers of a view holds without being repeated. */
export const VIEW_INTEREST_TTL_MS = 30_000;
/** How often each replica repeats it for the view rooms it holds. */
export const VIEW_INTEREST_REFRESH_MS = 10_000;

/**
 * Which views have subscribers on some replica: only for those does the replica that commits a
 * change work out what the view's room receives (a query per view). A replica states its view
 * rooms when a socket joins one and every 10 s after; a view nobody states for 30 s is dropped,
 * so a replica that dies costs at most that long of queries nobody reads.
 */
export interface ViewInterest {
  hold(workspaceId: string, viewId: string): Promise<void>;
  views(workspaceId: string): Promise<string[]>;
}

export class MemoryViewInterest implements ViewInterest {
  private readonly held = new Map<string, Map<string, number>>();
  constructor(private readonly now: () => number = Date.now) {}

  async hold(workspaceId: string, viewId: string): Promise<void> {
    const views = this.held.get(workspaceId) ?? new Map<string, number>();
    views.set(viewId, this.now() + VIEW_INTEREST_TTL_MS);
    this.held.set(workspaceId, views);
  }

  async views(workspaceId: string): Promise<string[]> {
    const views = this.held.get(workspaceId);
    if (!views) return [];
    const now = this.now();
    for (const [viewId, until] of views) if (until <= now) views.delete(viewId);
    return [...views.keys()];
  }
}

/**
 * A sorted set per workspace, each view scored by when its interest lapses. While Redis cannot
 * be reached, this replica's own views still count (its clients keep getting their events).
 */
export class RedisViewInterest implements ViewInterest {
  private readonly local = new MemoryViewInterest();

  constructor(
    private readonly redis: Redis,
    private readonly onError: (error: unknown) => void,
    private readonly prefix = 'lt:rt:views:',
  ) {}

  async hold(workspaceId: string, viewId: string): Promise<void> {
    await this.local.hold(workspaceId, viewId);
    if (this.redis.status !== 'ready') return;
    const key = this.prefix + workspaceId;
    await this.redis
      .multi()
      .zadd(key, Date.now() + VIEW_INTEREST_TTL_MS, viewId)
      .zremrangebyscore(key, '-inf', Date.now())
      .pexpire(key, VIEW_INTEREST_TTL_MS)
      .exec()
      .catch(this.onError);
  }

  async views(workspaceId: string): Promise<string[]> {
    const mine = await this.local.views(workspaceId);
    if (this.redis.status !== 'ready') return mine;
    try {
      const shared = await this.redis.zrangebyscore(this.prefix + workspaceId, Date.now(), '+inf');
      return [...new Set([...shared, ...mine])];
    } catch (error) {
      this.onError(error);
      return mine;
    }
  }
}

export function viewInterest(redis: Redis | undefined, onError: (error: unknown) => void): ViewInterest {
  return redis ? new RedisViewInterest(redis, onError) : new MemoryViewInterest();
}
