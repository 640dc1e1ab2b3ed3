import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import type { ConnectionSettings, IDatabaseAdapter } from '../dataplane/src/adapters/adapter.js';
import { PostgresAdapter } from '../dataplane/src/adapters/postgres/postgres.adapter.js';
import { catalogOf } from '../dataplane/src/query/catalog.js';
import { explain } from '../dataplane/src/query/explain.js';
import type { LogicalQuery } from '../dataplane/src/query/lqp.js';
import { createTestDatabase } from '../test/support/databases.js';
import { percentile, type Benchmark } from './measure.js';

const ORDERS = 1_000_000;
const CUSTOMERS = 10_000;
const PAGE = 50;
const POOL = 4;
/** Sequential (per-query latency) and concurrent (throughput on a shared machine). */
const CONCURRENCIES = [1, 4];
const QUERIES_PER_ROUND = 1_500;
const ROUNDS = 3;
const STATUSES = ['new', 'paid', 'shipped', 'cancelled'];
const MIN_AMOUNTS = [10, 50, 90];

const SEED = `
  CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, country text NOT NULL);
  INSERT INTO customers
    SELECT g, 'customer ' || g, (ARRAY['US', 'DE', 'JP', 'FR', 'BR'])[1 + g % 5] FROM generate_series(1, ${CUSTOMERS}) g;
  CREATE TABLE orders (
    id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id),
    status text NOT NULL, amount numeric(10, 2) NOT NULL, created_at timestamptz NOT NULL);
  INSERT INTO orders
    SELECT g, 1 + g % ${CUSTOMERS}, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],
           (g % 10000) / 100.0, timestamptz '2024-01-01' + g * interval '30 seconds'
    FROM generate_series(1, ${ORDERS}) g;
  CREATE INDEX orders_status_created ON orders (status, created_at DESC, id);
  ANALYZE customers; ANALYZE orders;`;

/** The page an engineer would write by hand: same filter, join, order and page size (+1 for "more"). */
const HAND_WRITTEN = `
  SELECT o.id, o.amount, o.created_at, c.name, c.country
  FROM orders o JOIN customers c ON c.id = o.customer_id
  WHERE o.status = $1 AND o.amount >= $2
  ORDER BY o.created_at DESC, o.id
  LIMIT ${PAGE + 1}`;

/** `fresh`: a minimum amount no earlier query used, so the adapter's statement cache never hits. */
function logicalQuery(i: number, fresh = false): LogicalQuery {
  const minimum = fresh ? 10 + (i % 1_000_000) / 10_000 : MIN_AMOUNTS[i % MIN_AMOUNTS.length];
  return {
    source: { table: 'orders' },
    select: ['id', 'amount', 'created_at', 'c.name', 'c.country'],
    joins: [{ table: 'customers', as: 'c', type: 'inner', on: { left: 'customer_id', right: 'id' } }],
    filter: {
      and: [
        { field: 'status', op: 'eq', value: STATUSES[i % STATUSES.length] },
        { field: 'amount', op: 'gte', value: minimum },
      ],
    },
    sorts: [{ field: 'created_at', direction: 'desc' }],
    pagination: { mode: 'keyset', limit: PAGE },
  };
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

/** QUERIES_PER_ROUND calls of `one(i)` from `concurrency` loops; throughput and latencies. */
async function round(
  one: (i: number) => Promise<unknown>,
  concurrency: number,
): Promise<{ perSecond: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < QUERIES_PER_ROUND) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: QUERIES_PER_ROUND / ((performance.now() - started) / 1000), latencies };
}

/** Rounds alternate between the contenders so drift on the machine hits both alike; the median round counts. */
async function compare(
  contenders: Record<string, (i: number) => Promise<unknown>>,
  concurrency: number,
): Promise<Record<string, Figures>> {
  const names = Object.keys(contenders);
  const rounds = new Map(names.map((n) => [n, [] as number[]]));
  const latencies = new Map(names.map((n) => [n, [] as number[]]));
  for (const name of names) for (let i = 0; i < 200; i++) await contenders[name]?.(i); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) {
      const result = await round(contenders[name] as (i: number) => Promise<unknown>, concurrency);
      rounds.get(name)?.push(result.perSecond);
      latencies.get(name)?.push(...result.latencies);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const perSecond = [...(rounds.get(name) ?? [])].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? 0;
      const sorted = [...(latencies.get(name) ?? [])].sort((a, b) => a - b);
      return [name, { perSecond, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }];
    }),
  );
}

function table(figures: Record<string, Figures>, baselineName: string, concurrency: number): string[] {
  const baseline = figures[baselineName] as Figures;
  const rows = Object.entries(figures).map(([name, f]) => [
    `${name} (${concurrency} caller${concurrency > 1 ? 's' : ''})`,
    f.perSecond.toFixed(0),
    f.p50.toFixed(2),
    f.p99.toFixed(2),
    (f.perSecond / baseline.perSecond).toFixed(3),
    `${((baseline.perSecond / f.perSecond - 1) * 100).toFixed(1)} %`,
  ]);
  const columns = ['path', 'queries/s', 'p50 ms', 'p99 ms', 'ratio', 'overhead'];
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (v: string[]) =>
    v.map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
}

export const adapterBenchmark: Benchmark = {
  name: 'adapter',
  async run() {
    const load = (loadavg()[0] ?? 0).toFixed(2);
    const db = await createTestDatabase();
    const url = new URL(db.url);
    const adapters: IDatabaseAdapter[] = [];
    const raw = new pg.Pool({ connectionString: db.url, max: POOL });
    raw.on('error', () => undefined); // the database is dropped with FORCE at the end
    try {
      const seeded = performance.now();
      await raw.query(SEED);
      const seedSeconds = ((performance.now() - seeded) / 1000).toFixed(1);
      const settings = (readOnly: boolean): ConnectionSettings => ({
        id: `bench-${readOnly}`,
        type: 'postgres',
        host: url.hostname,
        port: Number(url.port || 5432),
        database: url.pathname.slice(1),
        username: decodeURIComponent(url.username),
        readOnly,
        statementTimeoutMs: 30_000,
        rowCap: 1_000,
        pool: { max: POOL, idleMs: 30_000 },
      });
      const adapter = new PostgresAdapter(settings(false));
      const readOnly = new PostgresAdapter(settings(true));
      adapters.push(adapter, readOnly);
      const version = (await raw.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
        .rows[0]?.v;
      // The statements the adapter sends, compiled once per parameter combination: run through raw
      // pg they separate the cost of the generated SQL from the cost of the adapter path.
      const catalog = catalogOf((await adapter.discoverSchema()).tables);
      const compiled = Array.from({ length: STATUSES.length * MIN_AMOUNTS.length }, (_, i) => {
        const e = explain(logicalQuery(i), catalog, 'postgres');
        return { text: String(e.compiled), values: e.bindings };
      });
      let fresh = 0; // never repeats across rounds
      const contenders = {
        'raw pg, hand-written SQL': (i: number) =>
          raw.query(HAND_WRITTEN, [STATUSES[i % STATUSES.length], MIN_AMOUNTS[i % MIN_AMOUNTS.length]]),
        'raw pg, SQL the LQP compiles to': (i: number) =>
          raw.query(compiled[i % compiled.length] as pg.QueryConfig),
        'adapter, LQP': (i: number) => adapter.executeLogicalQuery(logicalQuery(i)),
        'adapter, LQP, read-only connection': (i: number) => readOnly.executeLogicalQuery(logicalQuery(i)),
        'adapter, LQP, every query new (no cache hit)': () =>
          adapter.executeLogicalQuery(logicalQuery(fresh++, true)),
      };
      const tables: string[] = [];
      for (const concurrency of CONCURRENCIES) {
        tables.push(
          ...table(await compare(contenders, concurrency), 'raw pg, hand-written SQL', concurrency),
        );
      }
      const header = [
        'adapter benchmark',
        `  one page (${PAGE} rows): orders (${ORDERS.toLocaleString('en')} rows) JOIN customers, filtered on status ` +
          'and amount, sorted by created_at desc, keyset; parameters rotate over 12 combinations',
        `  pool ${POOL}; per caller count, ${ROUNDS} alternating rounds of ${QUERIES_PER_ROUND} queries per path ` +
          'after 200 warm-up queries; median round shown, latencies over all rounds',
        `  PostgreSQL ${version ?? '?'} on a fresh database (seeded in ${seedSeconds} s), node ${process.version}, ` +
          `${cpus().length} CPUs, load average ${load} at start`,
        "  read-only: the connection's sessions default to READ ONLY transactions (no extra round trip); " +
          '"every query new": a value no earlier query used, so each query is validated and compiled afresh',
      ];
      const footer =
        '  ratio = queries/s / raw pg queries/s; overhead = time per query beyond raw pg (goal: under 10 %)';
      process.stdout.write([...header, '', ...tables, footer].join('\n') + '\n');
    } finally {
      for (const a of adapters) await a.disconnect();
      await raw.end();
      await db.drop();
    }
  },
};
