import { createServer, type Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import Koa from 'koa';
import pg from 'pg';
import { listen } from '../dataplane/src/platform/http-server.js';
import { compileSql } from '../dataplane/src/query/sql/compile-sql.js';
import { rowListQuery } from '../dataplane/src/services/rows/row-query.js';
import { Metadata } from '../dataplane/src/services/tables/metadata.js';
import { userColumnName, userTableName } from '../dataplane/src/store/user-tables/names.js';
import { REDIS_URL } from '../test/support/databases.js';
import { registerUser, startTestApp, type TestApp } from '../test/support/test-app.js';
import { metricValue } from '../test/support/metrics.js';
import { HttpCaller } from './http-caller.js';
import {
  SETTINGS,
  formatTable,
  interleaved,
  measure,
  percentile,
  warnings,
  type Benchmark,
  type Latencies,
  type Row,
} from './measure.js';

/** Rows of the view's table; a page is 100 of them. */
const ROWS = 10_000;
const PAGE = 100;
const COLUMNS = [
  { name: 'Name', type: 'text' },
  { name: 'City', type: 'text' },
  { name: 'Age', type: 'integer' },
  { name: 'Salary', type: 'integer' },
  { name: 'Ssn', type: 'text' },
] as const;
/** What the views show; Salary and Ssn are hidden. */
const VISIBLE = ['Name', 'City', 'Age'];
const MIN_AGE = 18;
/** The page every section asks for: a filter, a sort (with its index), a limit. */
const QUERY = new URLSearchParams({
  filter: JSON.stringify({ field: 'Age', op: 'gte', value: MIN_AGE }),
  sort: 'Name',
  limit: String(PAGE),
}).toString();
/** Limits far above what a benchmark sends: the limiter is counted, never in the way. */
const NO_LIMIT = { requestsPerMinute: 10_000_000, requestsPerMinutePerIp: 10_000_000 };
const LATENCY = { warmup: 20, rounds: 300 };
/** Every round of LATENCY, however long it takes. */
const ROUNDS = { warmup: LATENCY.warmup, min: LATENCY.rounds, max: LATENCY.rounds, seconds: Infinity };
const CONCURRENT = 200;

const q = (identifier: string): string => pg.escapeIdentifier(identifier);

interface Fixture {
  app: TestApp;
  token: string;
  userId: string;
  workspaceId: string;
  schema: string;
  tableId: string;
  columnIds: Record<string, string>;
}

async function call(
  app: TestApp,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await app.request(method, path, { token, headers, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300)
    throw new Error(`bench setup: ${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A workspace, a base, a table of ROWS people with a sort index on Name. */
async function seed(app: TestApp): Promise<Fixture> {
  const user = await registerUser(app, 'bench');
  const token = user.accessToken;
  const workspaceId = (await call(app, 'POST', '/api/v1/workspaces', token, { name: 'Bench' })).id as string;
  const baseId = (await call(app, 'POST', `/api/v1/workspaces/${workspaceId}/bases`, token, { name: 'Base' }))
    .id as string;
  const table = await call(app, 'POST', `/api/v1/bases/${baseId}/tables`, token, {
    name: 'People',
    columns: COLUMNS,
  });
  const columnIds = Object.fromEntries(
    (table.columns as { id: string; name: string }[]).map((c) => [c.name, c.id]),
  );
  for (let first = 0; first < ROWS; first += 5_000) {
    const rows = Array.from({ length: 5_000 }, (_, i) => {
      const g = first + i;
      return {
        fields: { Name: `person ${g}`, City: `city ${g % 97}`, Age: g % 90, Salary: g * 10, Ssn: `ssn-${g}` },
      };
    });
    await call(app, 'POST', `/api/v1/tables/${table.id}/rows/bulk`, token, { operation: 'create', rows });
  }
  await call(app, 'POST', `/api/v1/tables/${table.id}/indexes`, token, {
    columnId: columnIds.Name,
    direction: 'asc',
  });
  const schema = (await app.dataplane.knex('workspaces').where({ id: workspaceId }).first('schema_name'))
    .schema_name as string;
  await app.dataplane.knex.raw(`VACUUM ANALYZE ${q(schema)}.${q(userTableName(table.id))}`);
  return { app, token, userId: user.id, workspaceId, schema, tableId: table.id, columnIds };
}

let published_ = 0;

/** A new view of the table published with `settings`: its slug (and its first key, for apiKey auth). */
async function publishView(
  f: Fixture,
  name: string,
  settings: Record<string, unknown>,
): Promise<{ slug: string; viewId: string; apiKey?: string }> {
  const view = {
    name: `Bench ${name} ${published_}`,
    source: { tableId: f.tableId },
    visibleColumns: VISIBLE,
  };
  const viewId = (
    await call(f.app, 'POST', '/api/v1/views', f.token, view, { 'x-workspace-id': f.workspaceId })
  ).id as string;
  const slug = `bench-${name}-${Date.now().toString(36)}-${published_++}`;
  const body = await call(f.app, 'POST', `/api/v1/views/${viewId}/api`, f.token, { slug, ...settings });
  return { slug, viewId, ...(body.apiKey ? { apiKey: body.apiKey as string } : {}) };
}

const published = async (f: Fixture, name: string, settings: Record<string, unknown>): Promise<string> =>
  (await publishView(f, name, settings)).slug;

/** The baseline: one koa middleware answering `body` (changed with `answer`) as JSON. */
async function startBareKoa(
  body: string,
): Promise<{ url: string; server: Server; answer: (text: string) => void }> {
  let current = body;
  const app = new Koa();
  app.use((ctx) => {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = current;
  });
  const server = createServer(app.callback());
  return { url: await listen(server, 0, '127.0.0.1'), server, answer: (text) => void (current = text) };
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

// --- a. cache hits against a bare koa handler ----------------------------------------------------

async function cacheHits(f: Fixture, redisApp: TestApp): Promise<{ rows: Row[]; notes: string[] }> {
  const publicSlug = await published(f, 'hit', {
    auth: 'public',
    cacheTtlSeconds: 3600,
    rateLimit: NO_LIMIT,
  });
  const keyed = await publishView(f, 'hit-key', {
    auth: 'apiKey',
    cacheTtlSeconds: 3600,
    rateLimit: NO_LIMIT,
  });
  const path = (slug: string) => `/public/views/${slug}/data?${QUERY}`;
  const first = await fetch(f.app.url + path(publicSlug));
  const body = await first.text();
  if (first.status !== 200) throw new Error(`bench setup: the public API answered ${first.status} ${body}`);
  const bare = await startBareKoa(body);
  try {
    const rows: Row[] = [];
    const compare = async (name: string, url: string, request: Parameters<typeof measure>[1]) => {
      // Twice: the first may be the one that fills the cache; the figure is of what follows.
      let cache: string | null = null;
      for (let i = 0; i < 2; i++) {
        const res = await fetch(url + request.path, { headers: request.headers ?? {} });
        cache = res.headers.get('x-cache');
        bare.answer(await res.text()); // the baseline answers exactly these bytes
        if (res.status !== 200) throw new Error(`bench setup: ${name} answered ${res.status}`);
      }
      const ours = await measure(url, request);
      const baseline = await measure(bare.url, request);
      rows.push({ name: cache ? `${name} (X-Cache: ${cache})` : name, ours, baseline });
    };
    await compare('cache hit, public API, in-process cache', f.app.url, {
      method: 'GET',
      path: path(publicSlug),
    });
    await compare('cache hit, API key, in-process cache', f.app.url, {
      method: 'GET',
      path: path(keyed.slug),
      headers: { 'x-api-key': keyed.apiKey as string },
    });
    await compare('cache hit, public API, Redis cache and limiter', redisApp.url, {
      method: 'GET',
      path: path(publicSlug),
    });
    // For scale: what any request costs in this dataplane before its route does anything.
    await compare('GET /healthz of the same dataplane (its framework floor)', f.app.url, {
      method: 'GET',
      path: '/healthz',
    });
    return {
      rows,
      notes: [`  page: ${PAGE} rows of 3 exposed fields, ${Buffer.byteLength(body)} bytes of JSON`],
    };
  } finally {
    await closeServer(bare.server);
  }
}

// --- b. a cold view query against the hand-written SQL ------------------------------------------

/** Counts every statement any pg client of this process sends while `work` runs. */
async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function counted(this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return count;
}

async function coldQuery(f: Fixture): Promise<{ rows: string[][]; notes: string[] }> {
  const { slug, viewId } = await publishView(f, 'cold', {
    auth: 'public',
    cacheTtlSeconds: 0,
    rateLimit: NO_LIMIT,
  });
  const engineQuery = { limit: PAGE, filter: { field: 'Age', op: 'gte', value: MIN_AGE }, sort: 'Name' };
  const api = new HttpCaller(f.app.url);
  const apiPath = `/public/views/${slug}/data?${QUERY}`;
  const first = await api.call('GET', apiPath, {});
  if (first.status !== 200)
    throw new Error(`bench setup: the cold API answered ${first.status} ${first.body}`);
  const bare = await startBareKoa(first.body);
  const floor = new HttpCaller(bare.url);
  const raw = new pg.Pool({ connectionString: f.app.databaseUrl, max: 2 });
  raw.on('error', () => undefined);
  try {
    const table = `${q(f.schema)}.${q(userTableName(f.tableId))}`;
    const c = (name: string) => q(userColumnName(f.columnIds[name] as string));
    // What a person would write for this page: the three fields, the filter, the sort (code point
    // order, as the API sorts text), the id as tie-breaker, one row more to know if more exist.
    const handWritten = {
      name: 'public_api_bench_hand',
      text:
        `SELECT id, ${c('Name')} AS "Name", ${c('City')} AS "City", ${c('Age')} AS "Age" FROM ${table} ` +
        `WHERE ${c('Age')} >= $1 ORDER BY ${c('Name')} COLLATE "C", id LIMIT ${PAGE + 1}`,
      values: [MIN_AGE],
    };
    const meta = await new Metadata(f.app.dataplane.knex, f.schema).table(f.tableId);
    const listed = rowListQuery(f.schema, meta, {
      limit: PAGE,
      filter: JSON.stringify({ field: f.columnIds.Age, op: 'gte', value: MIN_AGE }),
      sort: f.columnIds.Name,
      fields: VISIBLE.map((n) => f.columnIds[n]).join(','),
    });
    const compiled = compileSql(listed.query, listed.source.catalog, 'postgres', f.app.dataplane.knex);
    const apiRows = JSON.parse(first.body).data.map((r: { id: string }) => r.id);
    const handRows = (await raw.query(handWritten)).rows.slice(0, PAGE).map((r: { id: string }) => r.id);
    if (JSON.stringify(apiRows) !== JSON.stringify(handRows))
      throw new Error('bench setup: the API and the hand-written SQL return different rows');
    // Every call asks for a bound no call asked for before (Age >= -1, -2, …: every row, the
    // same work each time), so neither the API's cache nor the views engine's page cache can
    // answer: each call runs its query. The API and the engine share the engine's page cache, so
    // their bounds never meet; the raw paths follow the API's.
    const bounds = (from: number) => {
      let n = from;
      return () => -++n;
    };
    const [apiBound, handBound, compiledBound] = [bounds(0), bounds(0), bounds(0)];
    const engineBound = bounds(1_000_000);
    const bound = compiled.bindings.indexOf(MIN_AGE);
    if (bound < 0) throw new Error('bench setup: the compiled SQL does not bind the filter value');
    const withBound = (value: number) => compiled.bindings.map((b, i) => (i === bound ? value : b));
    const apiPathFor = (value: number) =>
      `/public/views/${slug}/data?${new URLSearchParams({
        filter: JSON.stringify({ field: 'Age', op: 'gte', value }),
        sort: 'Name',
        limit: String(PAGE),
      }).toString()}`;
    const statements = await statementsDuring(() => api.call('GET', apiPathFor(0), {}));
    const figures = await interleaved(
      [
        {
          name: 'API GET /public/views/:slug/data (cacheTtlSeconds 0)',
          call: () => api.call('GET', apiPathFor(apiBound()), {}),
        },
        {
          name: 'raw pg, hand-written SQL',
          call: () => raw.query({ ...handWritten, values: [handBound()] }),
        },
        {
          name: 'raw pg, the SQL the rows service runs (compiled)',
          call: () => raw.query({ text: compiled.sql, values: withBound(compiledBound()) }),
        },
        {
          name: 'the views engine alone: runPublic in process, no HTTP',
          call: () =>
            f.app.dataplane.viewRunner.runPublic(f.workspaceId, viewId, {
              ...engineQuery,
              filter: { field: 'Age', op: 'gte', value: engineBound() },
            }),
        },
        {
          name: 'bare koa answering the same body (the HTTP floor)',
          call: () => floor.call('GET', apiPath, {}),
        },
      ],
      ROUNDS,
    );
    const apiP50 = percentile((figures[0] as Latencies).sorted, 0.5);
    const rows = figures.map((l) => [
      l.name,
      String(l.sorted.length),
      percentile(l.sorted, 0.5).toFixed(2),
      percentile(l.sorted, 0.99).toFixed(2),
      (apiP50 / percentile(l.sorted, 0.5)).toFixed(2),
    ]);
    const [apiL, handL, , engineL, floorL] = figures.map((l) => percentile(l.sorted, 0.5));
    const ratio = (apiL ?? 0) / (handL ?? 1);
    return {
      rows,
      notes: [
        `  goal: API p50 within 1.5x of the hand-written SQL: ${ratio.toFixed(2)}x (${ratio <= 1.5 ? 'met' : 'not met'})`,
        `  floor: bare koa ${(floorL ?? 0).toFixed(2)} ms + SQL ${(handL ?? 0).toFixed(2)} ms = ` +
          `${((floorL ?? 0) + (handL ?? 0)).toFixed(2)} ms; the API spends ` +
          `${((apiL ?? 0) - (floorL ?? 0) - (handL ?? 0)).toFixed(2)} ms on its own work (slug, limiter, query checks, rows service, JSON)`,
        `  of the API's own ${((apiL ?? 0) - (floorL ?? 0) - (handL ?? 0)).toFixed(2)} ms, the views engine ` +
          `(rows service over the SQL) takes ${((engineL ?? 0) - (handL ?? 0)).toFixed(2)} ms; the public API layer the rest`,
        `  statements one uncached request sends to PostgreSQL: ${statements} (the page's own)`,
      ],
    };
  } finally {
    api.close();
    floor.close();
    await closeServer(bare.server);
    await raw.end();
  }
}

// --- c. many requests on an expired entry ---------------------------------------------------------

async function burst(targets: TestApp[], slug: string): Promise<{ ok: number; outcomes: string }> {
  const answers = await Promise.all(
    Array.from({ length: CONCURRENT }, async (_, i) => {
      const target = targets[i % targets.length] as TestApp;
      const res = await fetch(`${target.url}/public/views/${slug}/data?${QUERY}`);
      await res.arrayBuffer();
      return { status: res.status, cache: res.headers.get('x-cache') ?? '?' };
    }),
  );
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a.cache, (counts.get(a.cache) ?? 0) + 1);
  return {
    ok: answers.filter((a) => a.status === 200).length,
    outcomes: [...counts].map(([k, v]) => `${k} ${v}`).join(', '),
  };
}

async function stampede(f: Fixture, replicas: TestApp[]): Promise<string[][]> {
  const apps = [...new Set([f.app, ...replicas])];
  const runs = async (slug: string) => {
    let total = 0;
    for (const app of apps)
      total += await metricValue(app, `lt_public_api_view_queries_total{api="${slug}"}`);
    return total;
  };
  const rows: string[][] = [];
  const cases: { name: string; targets: TestApp[]; stale: number }[] = [
    { name: 'expired entry, stale window (SWR), one process', targets: [f.app], stale: 60 },
    { name: 'expired entry, no stale window, one process', targets: [f.app], stale: 0 },
    { name: 'expired entry, stale window (SWR), 2 replicas on Redis', targets: replicas, stale: 60 },
    { name: 'expired entry, no stale window, 2 replicas on Redis', targets: replicas, stale: 0 },
  ];
  for (const c of cases) {
    const slug = await published(f, 'stampede', {
      auth: 'public',
      cacheTtlSeconds: 1,
      staleWhileRevalidateSeconds: c.stale,
      rateLimit: NO_LIMIT,
    });
    for (const target of c.targets) await fetch(`${target.url}/public/views/${slug}/data?${QUERY}`);
    await sleep(1_200); // expired
    const before = await runs(slug);
    let result = { ok: 0, outcomes: '' };
    const statements = await statementsDuring(async () => {
      result = await burst(c.targets, slug);
      for (let i = 0; i < 100 && (await runs(slug)) === before; i++) await sleep(10); // a background refresh
      await sleep(100);
    });
    rows.push([
      c.name,
      String(CONCURRENT),
      String(result.ok),
      String((await runs(slug)) - before),
      String(statements),
      result.outcomes,
    ]);
  }
  return rows;
}

function table(columns: readonly string[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const publicApiBenchmark: Benchmark = {
  name: 'public-api',
  async run() {
    const load = (loadavg()[0] ?? 0).toFixed(2);
    // No warming: every source query counted in (c) is one that requests caused.
    const env = { ACCESS_TOKEN_TTL_SECONDS: '86400', LT_PUBLIC_API_WARM_TOP: '0' };
    const app = await startTestApp(env);
    const replicas: TestApp[] = [];
    try {
      const f = await seed(app);
      for (let i = 0; i < 2; i++)
        replicas.push(await startTestApp({ ...env, DATABASE_URL: app.databaseUrl, REDIS_URL }));
      const hits = await cacheHits(f, replicas[0] as TestApp);
      const cold = await coldQuery(f);
      const storm = await stampede(f, replicas);
      const ratios = hits.rows
        .filter((r) => r.name.startsWith('cache hit'))
        .map((r) => r.ours.requestsPerSecond / r.baseline.requestsPerSecond);
      const lines = [
        'public-api benchmark',
        `  table "People" (Name, City, Age shown; Salary, Ssn hidden) of ${ROWS.toLocaleString('en')} rows with a ` +
          `sort index on Name; every request asks for ?${decodeURIComponent(QUERY)}`,
        '  dataplanes in this process (startTestApp: LOG_LEVEL=silent, warming off); the Redis rows use a second ' +
          'dataplane on the same database with REDIS_URL; saved views created through the API (services/views)',
        `  node ${process.version}, ${cpus().length} CPUs, load average ${load} at start and ` +
          `${(loadavg()[0] ?? 0).toFixed(2)} at the end (other work on the machine lowers every figure)`,
        '',
        `a. cache hits: autocannon, ${SETTINGS.connections} connections, ${SETTINGS.warmupSeconds} s warm-up + ` +
          `${SETTINGS.durationSeconds} s measured; baseline: a bare koa app answering the same JSON bytes, same settings`,
        formatTable(hits.rows),
        ...hits.notes,
        `  goal: at least 0.8x the bare koa handler: ${ratios.map((r) => r.toFixed(2)).join(', ')} ` +
          `(${ratios.map((r) => (r >= 0.8 ? 'met' : 'not met')).join(', ')})`,
        ...warnings(hits.rows),
        '',
        `b. a cold view query (the API caches nothing: cacheTtlSeconds 0): one caller, requests one after another, ` +
          `${LATENCY.rounds} rounds after ${LATENCY.warmup} warm-up calls each, paths interleaved`,
        table(['path', 'n', 'p50 ms', 'p99 ms', 'API/path p50'], cold.rows),
        ...cold.notes,
        '',
        `c. ${CONCURRENT} concurrent requests on an entry expired 0.2 s ago (cacheTtlSeconds 1); source queries = ` +
          'runPublic calls of the views engine (goal: exactly 1); statements = every pg query meanwhile (data versions, the page)',
        table(['case', 'requests', '200', 'source queries', 'statements', 'X-Cache'], storm),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      for (const replica of replicas) await replica.stop();
      await app.stop();
    }
  },
};
