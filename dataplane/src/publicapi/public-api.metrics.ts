import { Counter, Histogram, type Registry } from 'prom-client';
import type { CacheOutcome } from '../services/view-apis/page-cache.js';

/** The public endpoint's Prometheus metrics, by API slug. */
/** Children remembered per metric before starting over (slugs × statuses stay far below). */
const MAX_SERIES = 10_000;

export class PublicApiMetrics {
  private readonly children = new Map<object, Map<string, unknown>>();
  private readonly requests: Counter<'api' | 'status'>;
  private readonly duration: Histogram<'api'>;
  private readonly cache: Counter<'api' | 'result'>;
  private readonly viewQueries: Counter<'api'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'lt_public_api_requests_total',
      help: 'Public API requests by API slug and status',
      labelNames: ['api', 'status'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'lt_public_api_duration_seconds',
      help: 'Public API request duration by API slug',
      labelNames: ['api'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.cache = new Counter({
      name: 'lt_public_api_cache_total',
      help: 'Public API response cache lookups by API slug and result (hit, miss, stale)',
      labelNames: ['api', 'result'] as const,
      registers: [registry],
    });
    this.viewQueries = new Counter({
      name: 'lt_public_api_view_queries_total',
      help: 'Queries the public API sent to the views engine by API slug (cache misses, refreshes, warming)',
      labelNames: ['api'] as const,
      registers: [registry],
    });
  }

  viewQuery(api: string): void {
    this.child(this.viewQueries, api, () => this.viewQueries.labels(api)).inc();
  }

  observe(api: string, status: number, seconds: number, cache: CacheOutcome | 'uncached' | undefined): void {
    this.child(this.requests, `${api}\u0000${status}`, () => this.requests.labels(api, String(status))).inc();
    this.child(this.duration, api, () => this.duration.labels(api)).observe(seconds);
    if (cache && cache !== 'uncached')
      this.child(this.cache, `${api}\u0000${cache}`, () => this.cache.labels(api, cache)).inc();
  }

  /** prom-client hashes the labels of every call; each series' child is looked up once here. */
  private child<M extends object, C>(metric: M, key: string, make: () => C): C {
    let children = this.children.get(metric) as Map<string, C> | undefined;
    if (!children) this.children.set(metric, (children = new Map<string, C>()));
    let child = children.get(key);
    if (child === undefined) {
      if (children.size >= MAX_SERIES) children.clear();
      children.set(key, (child = make()));
    }
    return child;
  }
}
