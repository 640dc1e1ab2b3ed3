import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Knex } from 'knex';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** One registry per app instance, so several instances (tests) never collide on names. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** Pool gauges read at scrape time from knex's tarn pool. */
export function registerPoolGauges(metrics: Metrics, knex: Knex, pool = 'control'): void {
  const read = (pick: (p: TarnPool) => number) => () => {
    const tarn = (knex.client as { pool?: TarnPool }).pool;
    return tarn ? pick(tarn) : 0;
  };
  const gauges: [string, string, (p: TarnPool) => number][] = [
    ['db_pool_connections_used', 'connections checked out of the pool', (p) => p.numUsed()],
    ['db_pool_connections_free', 'idle connections in the pool', (p) => p.numFree()],
    ['db_pool_pending_acquires', 'requests waiting for a connection', (p) => p.numPendingAcquires()],
    ['db_pool_connections_max', 'pool size limit', (p) => p.max],
  ];
  for (const [name, help, pick] of gauges) {
    const value = read(pick);
    new Gauge({
      name,
      help,
      labelNames: ['pool'] as const,
      registers: [metrics.registry],
      collect() {
        this.set({ pool }, value());
      },
    });
  }
}
