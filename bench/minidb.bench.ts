import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import Koa from 'koa';
import pg from 'pg';
import { envVariables } from '../dataplane/src/platform/config.js';
import { newId } from '../dataplane/src/platform/ids.js';
import { compileSql } from '../dataplane/src/query/sql/compile-sql.js';
import { rowListQuery } from '../dataplane/src/services/rows/row-query.js';
import { Metadata } from '../dataplane/src/services/tables/metadata.js';
import { userColumnName, userTableName } from '../dataplane/src/store/user-tables/names.js';
import { registerUser, startTestApp, type TestApp } from '../test/support/test-app.js';
import { HttpCaller } from './http-caller.js';
import { formatGrid, interleaved, percentile, type Benchmark, type Latencies, type Path } from './measure.js';

/** Rows loaded by the bulk section (and paged and updated by the others); `LT_BENCH_ROWS` overrides. */
const ROWS = rowsToLoad(process.env.LT_BENCH_ROWS);
/** Rows per bulk call, per raw transaction and per COPY: the most one bulk call takes. */
const BATCH = 10_000;
/** PostgreSQL binds at most 65,535 parameters a statement: 10,000 rows of 8 values do not fit in one. */
const ROWS_PER_INSERT = 5_000;
const PAGE = 100;
/** Rows before the deep page (500,000 at the default size; half the rows when fewer are loaded). */
const DEPTH = Math.min(500_000, Math.floor(ROWS / 2));
const STATUSES = ['open', 'done', 'hold'];
/** Price = (g % 10,000) / 100, so `Price >= 10` keeps 90 % of the rows: the deep page exists. */
const MIN_PRICE = 10;
const FILTER = { field: 'Price', op: 'gte', value: MIN_PRICE };
const SORT = 'Qty';
/**
 * Latency sections: warm-up calls, then rounds of one call per path (one caller, sequential,
 * paths interleaved) until `max` rounds, or `seconds` once `min` rounds are done (slow scans).
 */
const LATENCY = { warmup: 5, min: 30, max: 300, seconds: 30 };

const COLUMNS = [
  { name: 'Name', type: 'text' },
  { name: 'Qty', type: 'integer' },
  { name: 'Price', type: 'decimal', options: { precision: 2 } },
  { name: 'Due', type: 'date' },
  { name: 'Status', type: 'singleSelect', options: { choices: STATUSES } },
] as const;
type ColumnName = (typeof COLUMNS)[number]['name'];
type Fields = Record<ColumnName, string | number>;

function rowsToLoad(value: string | undefined): number {
  const rows = Number(value ?? 1_000_000);
  if (!Number.isSafeInteger(rows) || rows < 1_000)
    throw new Error(`LT_BENCH_ROWS must be an integer of at least 1000, not ${value}`);
  return rows;
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2024, 0, 1);

/** Row number g: the same values whichever path writes it. */
function fieldsOf(g: number): Fields {
  return {
    Name: `item ${g}`,
    Qty: g % 1000,
    Price: (g % 10_000) / 100,
    Due: new Date(FIRST_DAY + (g % 365) * DAY_MS).toISOString().slice(0, 10),
    Status: STATUSES[g % STATUSES.length] as string,
  };
}

const q = (identifier: string): string => pg.escapeIdentifier(identifier);
const int = (n: number): string => Math.round(n).toLocaleString('en');

/** What every section needs: the app, the caller, the table and the raw pool beside it. */
interface Setup {
  app: TestApp;
  token: string;
  userId: string;
  workspaceId: string;
  schema: string;
  tableId: string;
  /** Column name → column id. */
  columnIds: Record<ColumnName, string>;
  /** `"<schema>"."t_<id>"`: the table the API writes and reads. */
  apiTable: string;
  raw: pg.Pool;
  /** One keep-alive connection to the API, and one to the bare koa app. */
  api: HttpCaller;
  bare: BareKoa;
}

/**
 * The HTTP floor: a bare koa app in this process answering whatever body it is given (the API's
 * own answer to the request measured beside it), through the same kind of client connection.
 */
interface BareKoa {
  caller: HttpCaller;
  answer(body: string): void;
  close(): Promise<void>;
}

async function startBareKoa(): Promise<BareKoa> {
  let body = '';
  const app = new Koa();
  app.use((ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const caller = new HttpCaller(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    caller,
    answer: (text) => void (body = text),
    close: async () => {
      caller.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The physical column of a column, quoted. */
const col = (s: Setup, name: ColumnName): string => q(userColumnName(s.columnIds[name]));

function expectStatus(res: { status: number; body: string }, status: number, what: string): string {
  if (res.status !== status)
    throw new Error(`minidb bench: ${what} answered ${res.status}: ${res.body.slice(0, 500)}`);
  return res.body;
}

async function setUp(app: TestApp, raw: pg.Pool): Promise<Setup> {
  const user = await registerUser(app, 'bench');
  const token = user.accessToken;
  const created = async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await app.request('POST', path, { token, body });
    if (res.status !== 201)
      throw new Error(`minidb bench: POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const workspace = await created('/api/v1/workspaces', { name: 'Bench' });
  const base = await created(`/api/v1/workspaces/${workspace.id}/bases`, { name: 'Bench' });
  const table = (await created(`/api/v1/bases/${base.id}/tables`, { name: 'Items', columns: COLUMNS })) as {
    id: string;
    columns: { id: string; name: ColumnName }[];
  };
  const schema = (
    (await app.dataplane.knex('workspaces').where({ id: workspace.id }).first('schema_name')) as {
      schema_name: string;
    }
  ).schema_name;
  const columnIds = Object.fromEntries(table.columns.map((c) => [c.name, c.id])) as Record<
    ColumnName,
    string
  >;
  const apiTable = `${q(schema)}.${q(userTableName(table.id))}`;
  // The baselines' tables: copies of the API's (columns, types, defaults, primary key) and of
  // its workspace's audit_logs (with its indexes), in a schema of their own.
  await raw.query(`
    CREATE SCHEMA bench_raw;
    CREATE TABLE bench_raw.inserted (LIKE ${apiTable} INCLUDING ALL);
    CREATE TABLE bench_raw.inserted_audited (LIKE ${apiTable} INCLUDING ALL);
    CREATE TABLE bench_raw.copied (LIKE ${apiTable} INCLUDING ALL);
    CREATE TABLE bench_raw.audit_logs (LIKE ${q(schema)}.audit_logs INCLUDING ALL);`);
  return {
    app,
    token,
    userId: user.id,
    workspaceId: workspace.id,
    schema,
    tableId: table.id,
    columnIds,
    apiTable,
    raw,
    api: new HttpCaller(app.url),
    bare: await startBareKoa(),
  };
}

// --- 1. bulk insert -------------------------------------------------------------------------

/** The columns a raw write sets: what the API's insert sets (id, created_by, updated_by, the fields). */
function rawColumns(s: Setup): string[] {
  return ['id', 'created_by', 'updated_by', ...COLUMNS.map((c) => userColumnName(s.columnIds[c.name]))];
}

const AUDIT_COLUMNS = [
  'id',
  'workspace_id',
  'actor_id',
  'action',
  'resource_type',
  'resource_id',
  'before',
  'after',
  'request_id',
  'ip',
  'parent_id',
];

const statements = new Map<string, string>();

/** `INSERT INTO table (columns) VALUES ($1, …), …` for `rows` rows, built once per shape. */
function insertSql(table: string, columns: readonly string[], rows: number): string {
  const key = `${table} ${rows}`;
  let text = statements.get(key);
  if (!text) {
    const width = columns.length;
    const tuples = Array.from(
      { length: rows },
      (_, r) => `(${columns.map((_c, i) => `$${r * width + i + 1}`).join(', ')})`,
    );
    text = `INSERT INTO ${table} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`;
    statements.set(key, text);
  }
  return text;
}

/** The audited state of a row as the API writes it: its version and stored values by column id. */
function auditState(s: Setup, version: number, fields: Fields): string {
  const byId: Record<string, unknown> = {};
  for (const c of COLUMNS) byId[s.columnIds[c.name]] = fields[c.name];
  return JSON.stringify({ version, fields: byId });
}

/** COPY text format: tab-separated, `\N` for null, backslash escapes. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value).replace(
    /[\\\t\n\r]/g,
    (ch) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[ch] ?? ch,
  );
}

/** One batch in every form a path sends it, built before any clock starts. */
interface Batch {
  rows: number;
  apiBody: string;
  /** Flattened parameters of each data INSERT (ROWS_PER_INSERT rows each). */
  inserts: { rows: number; values: unknown[] }[];
  /** Flattened parameters of each audit INSERT. */
  audits: { rows: number; values: unknown[] }[];
  copyText: Buffer;
}

function buildBatch(s: Setup, first: number, rows: number): Batch {
  const fields = Array.from({ length: rows }, (_, i) => fieldsOf(first + i));
  const ids = fields.map(() => newId());
  const tuples = fields.map((f, i) => [ids[i], s.userId, s.userId, ...COLUMNS.map((c) => f[c.name])]);
  const requestId = newId();
  const audit = fields.map((f, i) => [
    newId(),
    s.workspaceId,
    s.userId,
    'row.create',
    'row',
    ids[i],
    null,
    auditState(s, 1, f),
    requestId,
    '::ffff:127.0.0.1',
    s.tableId,
  ]);
  const chunks = (all: unknown[][]) => {
    const out: { rows: number; values: unknown[] }[] = [];
    for (let i = 0; i < all.length; i += ROWS_PER_INSERT) {
      const part = all.slice(i, i + ROWS_PER_INSERT);
      out.push({ rows: part.length, values: part.flat() });
    }
    return out;
  };
  return {
    rows,
    apiBody: JSON.stringify({ operation: 'create', rows: fields.map((f) => ({ fields: f })) }),
    inserts: chunks(tuples),
    audits: chunks(audit),
    copyText: Buffer.from(tuples.map((t) => t.map(copyField).join('\t') + '\n').join('')),
  };
}

/** The parts of pg's Connection a COPY FROM STDIN needs (present in pg 8, missing from its types). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * `COPY … FROM STDIN` through pg's own CopyIn support (pg-copy-streams is not installed): a
 * Submittable that sends the statement, answers the server's CopyInResponse with the data and
 * CopyDone, and settles once the server is ready for the next query.
 */
class CopyFrom implements pg.Submittable {
  readonly done: Promise<void>;
  private settle!: (error?: Error) => void;
  private failed = false;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
  }

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }

  handleCopyInResponse(connection: pg.Connection): void {
    const c = connection as unknown as CopyConnection;
    c.sendCopyFromChunk(this.data);
    c.endCopyFrom();
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (!this.failed) this.settle();
  }

  handleError(error: Error): void {
    this.failed = true;
    this.settle(error);
  }
}

interface BulkFigures {
  name: string;
  seconds: number;
}

async function bulkSection(
  s: Setup,
  counted: StatementCounter,
): Promise<{ rows: string[][]; notes: string[] }> {
  const path = `/api/v1/tables/${s.tableId}/rows/bulk`;
  const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  const columns = rawColumns(s);
  const client = await s.raw.connect();
  let largestBody = 0;
  let apiStatements = 0;
  try {
    const transaction = async (table: string, batch: Batch, audited: boolean) => {
      await client.query('BEGIN');
      try {
        for (const part of batch.inserts)
          await client.query(insertSql(table, columns, part.rows), part.values);
        if (audited)
          for (const part of batch.audits)
            await client.query(insertSql('bench_raw.audit_logs', AUDIT_COLUMNS, part.rows), part.values);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    };
    const copySql = `COPY bench_raw.copied (${columns.map(q).join(', ')}) FROM STDIN`;
    const paths: { name: string; run: (batch: Batch, first: boolean) => Promise<void> }[] = [
      {
        name: `API POST /tables/:id/rows/bulk (create, ${int(BATCH)} rows a call)`,
        async run(batch, first) {
          if (first) counted.start();
          expectStatus(await s.api.call('POST', path, headers, batch.apiBody), 200, 'POST /rows/bulk');
          if (first) apiStatements = counted.stop();
        },
      },
      {
        name: `raw pg multi-row INSERT (${int(BATCH)} rows a transaction)`,
        run: (batch) => transaction('bench_raw.inserted', batch, false),
      },
      {
        name: 'raw pg multi-row INSERT + one audit_logs row per row',
        run: (batch) => transaction('bench_raw.inserted_audited', batch, true),
      },
      {
        name: `raw pg COPY FROM STDIN (${int(BATCH)} rows a COPY)`,
        async run(batch) {
          await client.query(new CopyFrom(copySql, batch.copyText)).done;
        },
      },
    ];
    const seconds = paths.map(() => 0);
    let index = 0;
    for (let first = 0; first < ROWS; first += BATCH, index++) {
      const batch = buildBatch(s, first, Math.min(BATCH, ROWS - first));
      largestBody = Math.max(largestBody, Buffer.byteLength(batch.apiBody));
      // Every path writes every batch, in a rotating order: drift on the machine (checkpoints,
      // autovacuum, a growing table) falls on all of them alike.
      for (let k = 0; k < paths.length; k++) {
        const p = (index + k) % paths.length;
        const started = performance.now();
        await paths[p]?.run(batch, index === 0);
        seconds[p] = (seconds[p] ?? 0) + (performance.now() - started) / 1000;
      }
    }
    const figures: BulkFigures[] = paths.map((p, i) => ({ name: p.name, seconds: seconds[i] ?? 0 }));
    const api = figures[0] as BulkFigures;
    const rate = (f: BulkFigures) => ROWS / f.seconds;
    const rows = figures.map((f) => [
      f.name,
      int(rate(f)),
      f.seconds.toFixed(1),
      (rate(api) / rate(f)).toFixed(2),
    ]);
    const within = (f: BulkFigures | undefined) => {
      const ratio = f ? rate(api) / rate(f) : 0;
      return `${ratio.toFixed(2)} of raw rows/s, ${(1 / ratio).toFixed(1)}x the time: ${ratio >= 0.5 ? 'met' : 'NOT met'}`;
    };
    const notes = [
      `  goal: bulk within 2x of raw INSERT — vs raw INSERT: ${within(figures[1])}; ` +
        `vs raw INSERT + audit (the API's work): ${within(figures[2])}`,
      `  API request bodies up to ${int(largestBody / 1024)} KiB (BODY_LIMIT_BYTES default 1,024 KiB); ` +
        `one ${int(BATCH)}-row call sent ${apiStatements} statements to PostgreSQL (BEGIN and COMMIT included)`,
    ];
    return { rows, notes };
  } finally {
    client.release();
  }
}

// --- latency sections --------------------------------------------------------------------------

/** Table rows for one section: each path's n, p50, p99, and the API's figure over each path's. */
function latencyRows(title: string, figures: Latencies[]): string[][] {
  const api = figures[0] as Latencies;
  const rows: string[][] = [[title, '', '', '', '', '']];
  for (const f of figures) {
    rows.push([
      `  ${f.name}`,
      String(f.sorted.length),
      percentile(f.sorted, 0.5).toFixed(2),
      percentile(f.sorted, 0.99).toFixed(2),
      (percentile(api.sorted, 0.5) / percentile(f.sorted, 0.5)).toFixed(2),
      (percentile(api.sorted, 0.99) / percentile(f.sorted, 0.99)).toFixed(2),
    ]);
  }
  return rows;
}

/**
 * What no HTTP API can go under: the bare koa round trip with the same body plus the SQL alone.
 * The API's p50 over that sum is the share of its own work (auth, validation, JSON, …).
 */
function floorNote(label: string, api: Latencies, sql: Latencies, floor: Latencies): string {
  const [a, q, f] = [api, sql, floor].map((l) => percentile(l.sorted, 0.5));
  const sum = (q ?? 0) + (f ?? 0);
  return (
    `  ${label}: bare koa ${(f ?? 0).toFixed(2)} ms + SQL ${(q ?? 0).toFixed(2)} ms = ${sum.toFixed(2)} ms ` +
    `(${(sum / (q ?? 1)).toFixed(2)}x the SQL before any work of the API); API ${(a ?? 0).toFixed(2)} ms = ` +
    `${((a ?? 0) / sum).toFixed(2)}x that floor, ${((a ?? 0) - sum).toFixed(2)} ms of its own`
  );
}

/**
 * Counts the statements sent to PostgreSQL between start and stop, whoever sends them (knex, or
 * the driver directly): every pg client's `query` in this process is counted meanwhile. Only the
 * API request runs while it counts (calls are sequential), so the count is the API's.
 */
interface StatementCounter {
  start(): void;
  stop(): number;
}

function statementCounter(): StatementCounter {
  let count = 0;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  return {
    start() {
      count = 0;
      proto.query = function counted(this: unknown, ...args: unknown[]) {
        count++;
        return original.apply(this, args);
      };
    },
    stop() {
      proto.query = original;
      return count;
    },
  };
}

// --- 2. a page of rows -------------------------------------------------------------------------

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Rows Removed by Filter'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** One line about how PostgreSQL ran a statement: its scan, index condition and discarded rows. */
async function planNote(raw: pg.Pool, statement: pg.QueryConfig): Promise<string> {
  const result = await raw.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>({
    text: `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`,
    values: statement.values ?? [],
  });
  const top = result.rows[0]?.['QUERY PLAN'][0];
  const nodes: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  if (top) walk(top.Plan);
  const scan = nodes.find((n) => n['Node Type'].includes('Scan'));
  const removed = nodes.reduce(
    (sum, n) => sum + (n['Rows Removed by Filter'] ?? 0) * (n['Actual Loops'] ?? 1),
    0,
  );
  return (
    `${scan?.['Node Type'] ?? '?'}${scan?.['Index Name'] ? ` using ${scan['Index Name']}` : ''}, ` +
    `index condition: ${scan?.['Index Cond'] ?? 'none'}, rows removed by filter: ${int(removed)}, ` +
    `${(top?.['Execution Time'] ?? 0).toFixed(1)} ms`
  );
}

async function pageSection(
  s: Setup,
  counted: StatementCounter,
): Promise<{ rows: string[][]; notes: string[] }> {
  const { app, raw } = s;
  const rowsPath = `/api/v1/tables/${s.tableId}/rows`;
  const headers = { authorization: `Bearer ${s.token}` };
  const listPath = (filter: unknown, limit: number, cursor?: string) =>
    `${rowsPath}?filter=${encodeURIComponent(JSON.stringify(filter))}&sort=${SORT}&limit=${limit}` +
    (cursor ? `&cursor=${cursor}` : '');
  const table = await new Metadata(app.dataplane.knex, s.schema).table(s.tableId);
  /** The statement the API runs for this page, compiled by the query layer as the rows service does. */
  const compiled = (cursor?: string): pg.QueryConfig => {
    const { query, source } = rowListQuery(s.schema, table, {
      limit: PAGE,
      filter: JSON.stringify(FILTER),
      sort: SORT,
      ...(cursor ? { cursor } : {}),
    });
    const c = compileSql(query, source.catalog, 'postgres', app.dataplane.knex);
    return { text: c.sql, values: c.bindings };
  };
  const [qty, price] = [col(s, 'Qty'), col(s, 'Price')];
  const order = `ORDER BY ${qty} ASC NULLS LAST, id ASC`;

  // The sort index (Qty ASC NULLS LAST, id), built through the API as an admin would. The index
  // advisor would build the same one in the background after a few sorted requests on a table
  // this big; built first, it serves every measured request alike.
  const index = await app.request('POST', `/api/v1/tables/${s.tableId}/indexes`, {
    token: s.token,
    body: { columnId: s.columnIds.Qty, direction: 'asc' },
  });
  if (index.status !== 201)
    throw new Error(`minidb bench: POST /indexes: ${index.status} ${JSON.stringify(index.body)}`);
  await raw.query(`ANALYZE ${s.apiTable}`);

  // The cursor after row DEPTH: the rows at DEPTH - 1 and DEPTH found with OFFSET (one scan),
  // then the API asked for a one-row page holding only those two; its nextCursor carries the
  // sort key of row DEPTH - 1. A cursor is bound to the sort and the table, not to the filter,
  // so it is the cursor paging DEPTH rows one page after another would end with (checked below:
  // the deep page starts at row DEPTH).
  const around = await raw.query<{ id: string }>(
    `SELECT id FROM ${s.apiTable} WHERE ${price} >= $1 ${order} OFFSET $2 LIMIT 2`,
    [MIN_PRICE, DEPTH - 1],
  );
  const [before, at] = around.rows.map((r) => r.id);
  const probe = await app.request(
    'GET',
    listPath({ and: [FILTER, { field: '@id', op: 'in', value: [before, at] }] }, 1),
    {
      token: s.token,
    },
  );
  const deepCursor = probe.body?.nextCursor as string | undefined;
  if (probe.status !== 200 || !deepCursor || probe.body.data?.[0]?.id !== before)
    throw new Error(
      `minidb bench: no cursor at depth ${DEPTH}: ${probe.status} ${JSON.stringify(probe.body).slice(0, 300)}`,
    );

  // The same page as a person would write it: the filter, then a row comparison after the last
  // row's (Qty, id) (equivalent here: Qty holds no NULLs).
  const lastKey = (
    await raw.query<{ qty: number; id: string }>(
      `SELECT ${qty} AS qty, id FROM ${s.apiTable} WHERE id = $1`,
      [before],
    )
  ).rows[0];
  const handWritten = (after: boolean): pg.QueryConfig => ({
    text:
      `SELECT id, version, created_at, updated_at, ${COLUMNS.map((c) => col(s, c.name)).join(', ')} ` +
      `FROM ${s.apiTable} WHERE ${price} >= $1${after ? ` AND (${qty}, id) > ($2, $3)` : ''} ` +
      `ORDER BY ${qty}, id LIMIT ${PAGE + 1}`,
    values: after ? [MIN_PRICE, lastKey?.qty, lastKey?.id] : [MIN_PRICE],
  });

  const depths = [
    { label: 'depth 0', cursor: undefined as string | undefined },
    { label: `depth ${int(DEPTH)}`, cursor: deepCursor },
  ];
  let getStatements = 0;
  /** Checks that every path returns the same rows, then measures them. */
  const measureDepth = async (depth: (typeof depths)[number]) => {
    const path = listPath(FILTER, PAGE, depth.cursor);
    const statement = compiled(depth.cursor);
    const hand = handWritten(depth.cursor !== undefined);
    const check = await app.request('GET', path, { token: s.token });
    counted.start(); // a second, steady-state request: metadata and statement cached
    expectStatus(await s.api.call('GET', path, headers), 200, 'GET /rows');
    getStatements = counted.stop();
    const apiIds = ((check.body?.data ?? []) as { id: string }[]).map((r) => r.id);
    const sqlIds = (await raw.query<{ o0: string }>(statement)).rows.slice(0, PAGE).map((r) => r.o0);
    const handIds = (await raw.query<{ id: string }>(hand)).rows.slice(0, PAGE).map((r) => r.id);
    if (
      check.status !== 200 ||
      apiIds.length !== PAGE ||
      apiIds.join() !== sqlIds.join() ||
      apiIds.join() !== handIds.join() ||
      (depth.cursor && apiIds[0] !== at)
    )
      throw new Error(
        `minidb bench: the paths disagree on the page at ${depth.label} (status ${check.status})`,
      );
    s.bare.answer(expectStatus(await s.api.call('GET', path, headers), 200, 'GET /rows'));
    const paths: Path[] = [
      {
        name: 'API GET /tables/:id/rows?filter&sort&limit=100&cursor',
        call: async () => expectStatus(await s.api.call('GET', path, headers), 200, 'GET /rows'),
      },
      { name: 'raw pg, the SQL the API runs (compiled)', call: () => raw.query(statement) },
      { name: 'raw pg, hand-written keyset SQL (row comparison)', call: () => raw.query(hand) },
      {
        name: 'bare koa answering the same body (the HTTP floor)',
        call: async () => expectStatus(await s.bare.caller.call('GET', path, headers), 200, 'bare koa'),
      },
    ];
    return { figures: await interleaved(paths, LATENCY), statement, hand };
  };

  const rows: string[][] = [];
  const notes: string[] = [];
  const goal: string[] = [];
  const floors: string[] = [];
  for (const depth of depths) {
    const { figures, statement, hand } = await measureDepth(depth);
    rows.push(...latencyRows(depth.label, figures));
    const [api, sql, , floor] = figures;
    if (api && sql && floor) {
      const ratio = percentile(api.sorted, 0.5) / percentile(sql.sorted, 0.5);
      goal.push(`${depth.label}: ${ratio.toFixed(2)} ${ratio <= 1.5 ? 'met' : 'NOT met'}`);
      floors.push(floorNote(depth.label, api, sql, floor));
    }
    if (depth.cursor) {
      // Why the deep page costs what it costs: how PostgreSQL runs each statement (EXPLAIN ANALYZE).
      notes.push(`  plan at ${depth.label}, compiled SQL: ${await planNote(raw, statement)}`);
      notes.push(`  plan at ${depth.label}, hand-written: ${await planNote(raw, hand)}`);
    }
  }
  notes.unshift(
    `  goal: API latency within 1.5x of raw SQL (p50, API / compiled SQL) — ${goal.join('; ')}`,
    ...floors,
    `  one API page request sent ${getStatements} statements to PostgreSQL; raw pg sends 1`,
  );
  return { rows, notes };
}

// --- 3. single-row update --------------------------------------------------------------------

interface Target {
  id: string;
  name: string;
  qty: number;
  price: string;
  due: string;
  status: string;
}

async function updateSection(
  s: Setup,
  counted: StatementCounter,
): Promise<{ rows: string[][]; notes: string[] }> {
  const { raw } = s;
  const n = LATENCY.warmup + LATENCY.max;
  const select = (table: string, limit: number) =>
    raw.query<Target>(
      `SELECT id, ${col(s, 'Name')} AS name, ${col(s, 'Qty')} AS qty, ${col(s, 'Price')}::text AS price, ` +
        `to_char(${col(s, 'Due')}, 'YYYY-MM-DD') AS due, ${col(s, 'Status')} AS status ` +
        `FROM ${table} WHERE version = 1 ORDER BY random() LIMIT ${limit}`,
    );
  // Every call updates a row of its own, still at version 1: no call waits on another's row.
  const apiTargets = (await select(s.apiTable, n)).rows;
  const rawTargets = (await select('bench_raw.inserted', 2 * n)).rows;
  let [apiNext, txNext, bareNext] = [0, 0, n];
  const take = <T>(list: T[], i: number): T => {
    const item = list[i];
    if (item === undefined) throw new Error('minidb bench: out of rows to update');
    return item;
  };
  const fieldsOfTarget = (t: Target, qty: number): Fields => ({
    Name: t.name,
    Qty: qty,
    Price: Number(t.price),
    Due: t.due,
    Status: t.status,
  });
  const update =
    `UPDATE bench_raw.inserted SET ${col(s, 'Qty')} = $1, version = version + 1, updated_at = now(), ` +
    'updated_by = $2 WHERE id = $3 AND version = $4 RETURNING *';
  const audit = insertSql('bench_raw.audit_logs', AUDIT_COLUMNS, 1);
  const client = await raw.connect();
  const patchHeaders = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  let patchStatements = 0;
  try {
    const paths: Path[] = [
      {
        name: 'API PATCH /tables/:tableId/rows/:rowId (with version)',
        async call() {
          const t = take(apiTargets, apiNext++);
          const count = apiNext === LATENCY.warmup + 1;
          if (count) counted.start();
          const res = await s.api.call(
            'PATCH',
            `/api/v1/tables/${s.tableId}/rows/${t.id}`,
            patchHeaders,
            JSON.stringify({ fields: { Qty: t.qty + 1000 }, version: 1 }),
          );
          s.bare.answer(expectStatus(res, 200, 'PATCH /rows/:rowId'));
          if (count) patchStatements = counted.stop();
        },
      },
      {
        name: 'raw pg BEGIN; UPDATE … RETURNING *; INSERT audit_logs; COMMIT',
        async call() {
          const t = take(rawTargets, txNext++);
          await client.query('BEGIN');
          try {
            const updated = await client.query(update, [t.qty + 1000, s.userId, t.id, 1]);
            if (updated.rowCount !== 1) throw new Error('minidb bench: raw update missed its row');
            await client.query(audit, [
              newId(),
              s.workspaceId,
              s.userId,
              'row.update',
              'row',
              t.id,
              auditState(s, 1, fieldsOfTarget(t, t.qty)),
              auditState(s, 2, fieldsOfTarget(t, t.qty + 1000)),
              newId(),
              '::ffff:127.0.0.1',
              s.tableId,
            ]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        },
      },
      {
        name: 'bare koa answering the same body (the HTTP floor)',
        async call() {
          const body = JSON.stringify({ fields: { Qty: 1 }, version: 1 });
          expectStatus(await s.bare.caller.call('PATCH', '/bare', patchHeaders, body), 200, 'bare koa');
        },
      },
      {
        name: 'raw pg bare UPDATE … RETURNING * (autocommit)',
        async call() {
          const t = take(rawTargets, bareNext++);
          const updated = await client.query(update, [t.qty + 1000, s.userId, t.id, 1]);
          if (updated.rowCount !== 1) throw new Error('minidb bench: raw update missed its row');
        },
      },
    ];
    const figures = await interleaved(paths, LATENCY);
    const rows = latencyRows('PATCH with 1 field and the version', figures);
    const [api, tx, floor, bare] = figures;
    const ratio = (f: Latencies | undefined) =>
      f && api ? percentile(api.sorted, 0.5) / percentile(f.sorted, 0.5) : NaN;
    const goal = ratio(tx);
    const notes = [
      `  goal: API latency within 1.5x of raw SQL (p50, API / raw transaction) — ${goal.toFixed(2)} ${goal <= 1.5 ? 'met' : 'NOT met'}; ` +
        `API / bare UPDATE ${ratio(bare).toFixed(2)}`,
      ...(api && tx && floor ? [floorNote('update', api, tx, floor)] : []),
      `  one PATCH sent ${patchStatements} statements to PostgreSQL (BEGIN and COMMIT included); ` +
        'the raw transaction runs 4, the bare UPDATE 1',
    ];
    return { rows, notes };
  } finally {
    client.release();
  }
}

// --- output --------------------------------------------------------------------------------------

const LATENCY_COLUMNS = ['path', 'n', 'p50 ms', 'p99 ms', 'API/path p50', 'API/path p99'];

export const minidbBenchmark: Benchmark = {
  name: 'minidb',
  async run() {
    const load = (loadavg()[0] ?? 0).toFixed(2);
    // Tokens must outlive the run; everything else is the test app's configuration.
    const app = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '86400' });
    const raw = new pg.Pool({ connectionString: app.databaseUrl, max: 2 });
    raw.on('error', () => undefined); // the database is dropped with FORCE at the end
    try {
      const version = (await raw.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
        .rows[0]?.v;
      const s = await setUp(app, raw);
      const counted = statementCounter();
      const started = performance.now();
      const bulk = await bulkSection(s, counted);
      const bulkSeconds = (performance.now() - started) / 1000;
      // What autovacuum would do after a load: statistics and the visibility map, for every table.
      await raw.query(`VACUUM ANALYZE ${s.apiTable}`);
      await raw.query('VACUUM ANALYZE bench_raw.inserted');
      const page = await pageSection(s, counted);
      const update = await updateSection(s, counted);
      const header = [
        'minidb benchmark',
        `  table "Items" (Name text, Qty integer, Price decimal(2), Due date, Status singleSelect) with ` +
          `${int(ROWS)} rows (LT_BENCH_ROWS), through the HTTP API of a dataplane in this process ` +
          `(startTestApp: standalone, LOG_LEVEL=silent, pool ${envVariables.DB_POOL_MAX.default}), ` +
          'beside raw pg (pg.Pool of 2) in the same run',
        `  PostgreSQL ${version ?? '?'} on a fresh database (dropped at the end), node ${process.version}, ` +
          `${cpus().length} CPUs, load average ${load} at start and ${(loadavg()[0] ?? 0).toFixed(2)} at the end ` +
          "(other work on the machine lowers every figure); the HTTP client shares the dataplane's process",
        "  raw tables: copies of the API's table and of its audit_logs (CREATE TABLE … (LIKE … INCLUDING ALL)); " +
          'raw statements and API bodies are built before the clock starts',
      ];
      const lines = [
        ...header,
        '',
        `1. bulk insert of ${int(ROWS)} rows in batches of ${int(BATCH)}; every path writes each batch in turn ` +
          `(${bulkSeconds.toFixed(0)} s in all); raw INSERTs: ${int(ROWS_PER_INSERT)} rows a statement ` +
          '(the 65,535-parameter limit), in one transaction per batch',
        formatGrid(['path', 'rows/s', 'seconds', 'API/path'], bulk.rows),
        '  API/path = API rows/s / path rows/s (below 1: the API is slower)',
        ...bulk.notes,
        '',
        `2. one page of ${PAGE} rows: filter Price >= ${MIN_PRICE} (90 % of the rows), sort Qty (then id), keyset, ` +
          'with the sort index (Qty, id) built first through POST /tables/:id/indexes',
        `  latencies (2 and 3): one caller, requests one after another, paths interleaved round by round, ` +
          `up to ${LATENCY.max} rounds (fewer once ${LATENCY.seconds} s have passed, at least ${LATENCY.min}) ` +
          `after ${LATENCY.warmup} warm-up calls each`,
        formatGrid(LATENCY_COLUMNS, page.rows),
        '  API/path = API latency / path latency (above 1: the API is slower)',
        ...page.notes,
        '',
        '3. single-row update of one field with its version, each call on a row of its own',
        formatGrid(LATENCY_COLUMNS, update.rows),
        ...update.notes,
      ];
      process.stdout.write(lines.join('\n') + '\n');
      s.api.close();
      await s.bare.close();
    } finally {
      await raw.end();
      await app.stop();
    }
  },
};
