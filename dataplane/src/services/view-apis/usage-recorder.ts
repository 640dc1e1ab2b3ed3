import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import { quoteIdent } from '../../store/identifiers.js';
import { isUndefinedTable } from '../../store/pg-errors.js';
import type { CacheOutcome } from './page-cache.js';

/** Upper bounds (ms) of the latency histogram's buckets; a last bucket counts the slower ones. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** Who made a request: a key's id, or `anonymous` (public APIs, requests without a valid key). */
export const ANONYMOUS = 'anonymous';

export interface UsageEvent {
  schema: string;
  viewApiId: string;
  caller: string;
  status: number;
  ms: number;
  cache?: CacheOutcome | 'uncached' | undefined;
}

interface Counters {
  schema: string;
  view_api_id: string;
  caller: string;
  day: string;
  requests: number;
  errors: number;
  latency_ms_sum: number;
  latency_counts: number[];
  cache_hits: number;
  cache_misses: number;
  cache_stale: number;
}

export type UsageRow = Omit<Counters, 'schema' | 'view_api_id'>;

/** Adds a flush to the day's row (arrays bucket by bucket), whichever replica wrote it before. */
const FLUSH = (schema: string) => `
  INSERT INTO ${quoteIdent(schema)}.view_api_usage AS u
    (view_api_id, caller, day, requests, errors, latency_ms_sum, latency_counts, cache_hits, cache_misses, cache_stale)
  SELECT r.view_api_id, r.caller, r.day, r.requests, r.errors, r.latency_ms_sum, r.latency_counts,
         r.cache_hits, r.cache_misses, r.cache_stale
  FROM jsonb_to_recordset(?::jsonb) AS r(view_api_id uuid, caller text, day date, requests bigint, errors bigint,
       latency_ms_sum double precision, latency_counts bigint[], cache_hits bigint, cache_misses bigint,
       cache_stale bigint)
  JOIN ${quoteIdent(schema)}.view_apis a ON a.id = r.view_api_id
  ON CONFLICT (view_api_id, caller, day) DO UPDATE SET
    requests = u.requests + excluded.requests,
    errors = u.errors + excluded.errors,
    latency_ms_sum = u.latency_ms_sum + excluded.latency_ms_sum,
    latency_counts = ARRAY(
      SELECT coalesce(a, 0) + coalesce(b, 0)
      FROM unnest(u.latency_counts, excluded.latency_counts) WITH ORDINALITY AS t(a, b, n) ORDER BY n),
    cache_hits = u.cache_hits + excluded.cache_hits,
    cache_misses = u.cache_misses + excluded.cache_misses,
    cache_stale = u.cache_stale + excluded.cache_stale`;

/**
 * Usage analytics of public APIs (ADR 0020): requests, errors, a latency histogram and cache
 * outcomes per API, caller and UTC day. Requests only add to counters in this process; every
 * `flushMs` (and at shutdown) the counters are added to the day's row in PostgreSQL and start
 * again from zero. Each replica adds its own counts, so no count is ever added twice and no
 * replica needs to be elected to flush; a reader sees other replicas' last `flushMs`
 * late. A failed flush keeps its counts for the next one.
 */
export class UsageRecorder {
  private pending = new Map<string, Counters>();
  /** Today's UTC date, and the epoch ms it ends at: worked out once a day, not per request. */
  private day = { text: '', endsAt: 0 };
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
    private readonly flushMs: number,
  ) {}

  record(event: UsageEvent): void {
    const day = this.today();
    const key = `${event.schema}|${event.viewApiId}|${event.caller}|${day}`;
    let counters = this.pending.get(key);
    if (!counters) this.pending.set(key, (counters = emptyCounters(event, day)));
    counters.requests++;
    if (event.status >= 400) counters.errors++;
    counters.latency_ms_sum += event.ms;
    const found = LATENCY_BUCKETS_MS.findIndex((bound) => event.ms <= bound);
    const bucket = found === -1 ? LATENCY_BUCKETS_MS.length : found;
    counters.latency_counts[bucket] = (counters.latency_counts[bucket] ?? 0) + 1;
    if (event.cache === 'hit') counters.cache_hits++;
    else if (event.cache === 'miss') counters.cache_misses++;
    else if (event.cache === 'stale') counters.cache_stale++;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes what was counted so far; flushes run one after another. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.write());
    return this.flushing;
  }

  /** The API's rows between two UTC days (inclusive), this process's counts flushed first. */
  async read(schema: string, viewApiId: string, from: string, to: string): Promise<UsageRow[]> {
    await this.flush();
    const rows = await this.knex
      .withSchema(schema)
      .table('view_api_usage')
      .where({ view_api_id: viewApiId })
      .whereBetween('day', [from, to])
      .orderBy([{ column: 'day' }, { column: 'caller' }])
      .select(
        this.knex.raw("to_char(day, 'YYYY-MM-DD') AS day"),
        'caller',
        'requests',
        'errors',
        'latency_ms_sum',
        'latency_counts',
        'cache_hits',
        'cache_misses',
        'cache_stale',
      );
    return (rows as Record<string, unknown>[]).map((r) => ({
      day: String(r.day),
      caller: String(r.caller),
      requests: Number(r.requests),
      errors: Number(r.errors),
      latency_ms_sum: Number(r.latency_ms_sum),
      latency_counts: (r.latency_counts as (string | number)[]).map(Number),
      cache_hits: Number(r.cache_hits),
      cache_misses: Number(r.cache_misses),
      cache_stale: Number(r.cache_stale),
    }));
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const bySchema = new Map<string, Counters[]>();
    for (const counters of batch.values()) {
      const list = bySchema.get(counters.schema) ?? [];
      list.push(counters);
      bySchema.set(counters.schema, list);
    }
    for (const [schema, list] of bySchema) {
      const rows = list.map(({ schema: _schema, ...row }) => row);
      try {
        await this.knex.raw(FLUSH(schema), [JSON.stringify(rows)]);
      } catch (error) {
        // A dropped workspace keeps nothing; anything else is tried again at the next flush.
        if (isUndefinedTable(error)) continue;
        this.log.warn({ err: error, schema }, 'public API usage flush failed; kept for the next one');
        for (const counters of list) this.merge(counters);
      }
    }
  }

  private today(): string {
    const now = Date.now();
    if (now >= this.day.endsAt) {
      const text = new Date(now).toISOString().slice(0, 10);
      this.day = { text, endsAt: Date.parse(`${text}T00:00:00Z`) + 86_400_000 };
    }
    return this.day.text;
  }

  private merge(counters: Counters): void {
    const key = `${counters.schema}|${counters.view_api_id}|${counters.caller}|${counters.day}`;
    const current = this.pending.get(key);
    if (!current) {
      this.pending.set(key, counters);
      return;
    }
    current.requests += counters.requests;
    current.errors += counters.errors;
    current.latency_ms_sum += counters.latency_ms_sum;
    counters.latency_counts.forEach(
      (n, i) => (current.latency_counts[i] = (current.latency_counts[i] ?? 0) + n),
    );
    current.cache_hits += counters.cache_hits;
    current.cache_misses += counters.cache_misses;
    current.cache_stale += counters.cache_stale;
  }
}

function emptyCounters(event: UsageEvent, day: string): Counters {
  return {
    schema: event.schema,
    view_api_id: event.viewApiId,
    caller: event.caller,
    day,
    requests: 0,
    errors: 0,
    latency_ms_sum: 0,
    latency_counts: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
    cache_hits: 0,
    cache_misses: 0,
    cache_stale: 0,
  };
}
