import { Counter, Histogram, type Registry } from 'prom-client';
import type { CacheOutcome } from '../services/view-apis/page-cache.js';

/** The public endpoint's Prometheus metrics, by API slug. */
export class PublicApiMetrics {
  private readonly requests: Counter<'api' | 'status'>;
  private readonly duration: Histogram<'api'>;
  private readonly cache: Counter<'api' | 'result'>;

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
  }

  observe(api: string, status: number, seconds: number, cache: CacheOutcome | 'uncached' | undefined): void {
    this.requests.inc({ api, status: String(status) });
    this.duration.observe({ api }, seconds);
    if (cache && cache !== 'uncached') this.cache.inc({ api, result: cache });
  }
}
