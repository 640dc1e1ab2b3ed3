import type { Knex } from 'knex';
import { ValidationError } from '../../platform/errors.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { LATENCY_BUCKETS_MS, ANONYMOUS, type UsageRecorder } from './usage-recorder.js';
import { viewApiOfView } from './view-api-lookup.js';
import type { ViewEditors } from './view-runner.port.js';

export interface CacheCounts {
  hits: number;
  misses: number;
  stale: number;
}

export interface UsageDay {
  day: string;
  /** null: requests without a valid key (every request of a public API). */
  keyId: string | null;
  keyPrefix: string | null;
  requests: number;
  errors: number;
  latency: { counts: number[]; sumMs: number };
  cache: CacheCounts;
}

export interface Analytics {
  from: string;
  to: string;
  /** Upper bounds of the latency buckets (ms); the last count is of the slower requests. */
  latencyBucketsMs: readonly number[];
  data: UsageDay[];
  totals: { requests: number; errors: number; cache: CacheCounts; hitRatio: number | null };
}

const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** Usage of a view API per key and day (ADR 0020), with totals and the cache's hit ratio. */
export class ViewApiAnalytics {
  constructor(
    private readonly knex: Knex,
    private readonly usage: UsageRecorder,
    private readonly editors: ViewEditors,
  ) {}

  /** `from`/`to`: UTC days, inclusive; by default the last 7 days. */
  async read(
    access: WorkspaceAccess,
    userId: string,
    viewId: string,
    from?: string,
    to?: string,
  ): Promise<Analytics> {
    await this.editors.assertCanEdit(access, userId, viewId);
    const schema = access.workspace.schemaName;
    const api = await viewApiOfView(this.knex, schema, viewId);
    const last = to ?? new Date().toISOString().slice(0, 10);
    const first = from ?? new Date(Date.parse(last) - 6 * DAY_MS).toISOString().slice(0, 10);
    const span = (Date.parse(last) - Date.parse(first)) / DAY_MS;
    if (span < 0)
      throw new ValidationError('to is before from', [{ path: '/to', message: 'must not be before from' }]);
    if (span >= MAX_DAYS)
      throw new ValidationError(`at most ${MAX_DAYS} days`, [
        { path: '/to', message: `at most ${MAX_DAYS} days after from` },
      ]);
    const rows = await this.usage.read(schema, api.id, first, last);
    const prefixes = new Map(
      (
        await this.knex
          .withSchema(schema)
          .table('api_keys')
          .where({ view_api_id: api.id })
          .select<{ id: string; prefix: string }[]>('id', 'prefix')
      ).map((k) => [k.id, k.prefix]),
    );
    const data: UsageDay[] = rows.map((r) => ({
      day: r.day,
      keyId: r.caller === ANONYMOUS ? null : r.caller,
      keyPrefix: prefixes.get(r.caller) ?? null,
      requests: r.requests,
      errors: r.errors,
      latency: { counts: r.latency_counts, sumMs: r.latency_ms_sum },
      cache: { hits: r.cache_hits, misses: r.cache_misses, stale: r.cache_stale },
    }));
    return { from: first, to: last, latencyBucketsMs: LATENCY_BUCKETS_MS, data, totals: totalsOf(data) };
  }
}

function totalsOf(days: readonly UsageDay[]): Analytics['totals'] {
  const cache = { hits: 0, misses: 0, stale: 0 };
  let requests = 0;
  let errors = 0;
  for (const d of days) {
    requests += d.requests;
    errors += d.errors;
    cache.hits += d.cache.hits;
    cache.misses += d.cache.misses;
    cache.stale += d.cache.stale;
  }
  const lookups = cache.hits + cache.misses + cache.stale;
  return { requests, errors, cache, hitRatio: lookups === 0 ? null : (cache.hits + cache.stale) / lookups };
}
