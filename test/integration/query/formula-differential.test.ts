import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { Aggregator } from 'mingo';
import pg from 'pg';
import type { LogicalType } from '../../../dataplane/src/query/catalog.js';
import {
  checkFormula,
  compileFormulaToMongo,
  compileFormulaToSql,
  evaluateFormula,
  parseFormula,
  type FormulaType,
} from '../../../dataplane/src/query/formula/index.js';
import { createTestDatabase } from '../../support/databases.js';

/**
 * The same formulas over the same rows through every target: the in-process evaluator,
 * PostgreSQL, MariaDB and MongoDB expressions (run by mingo, the in-repo MongoDB engine).
 * All four must agree; a difference is a compiler bug, not a row to drop.
 */
const FIELDS: Record<string, LogicalType> = {
  n: 'number',
  i: 'integer',
  t: 'text',
  u: 'text',
  d: 'date',
  dt: 'datetime',
  b: 'boolean',
};

type Row = { id: number; n: number | null; i: number | null; t: string | null; u: string | null };
type Sample = Row & { d: string | null; dt: string | null; b: boolean | null };

const ROWS: Sample[] = [
  { id: 1, n: 7, i: 2, t: 'Hello', u: 'world', d: '2024-01-31', dt: '2024-03-15T10:20:30.123Z', b: true },
  { id: 2, n: -7.5, i: 0, t: 'ÄÖü ßǆ', u: '', d: '2024-02-29', dt: '2023-12-31T23:59:59.999Z', b: false },
  { id: 3, n: null, i: null, t: null, u: null, d: null, dt: null, b: null },
  { id: 4, n: 0, i: -3, t: '  padded  ', u: 'a', d: '2000-01-01', dt: '2000-01-01T00:00:00.000Z', b: null },
  {
    id: 5,
    n: 2.5,
    i: 1,
    t: '日本語😀text',
    u: '😀',
    d: '1999-12-31',
    dt: '2024-02-29T12:00:00.000Z',
    b: true,
  },
  {
    id: 6,
    n: 123456.789,
    i: 7,
    t: 'Hello',
    u: 'hello',
    d: '2024-12-31',
    dt: '2024-01-31T00:00:00.000Z',
    b: false,
  },
  {
    id: 7,
    n: -2.5,
    i: -1,
    t: `quote ' " \\ $x ?`,
    u: '$x',
    d: '2023-03-31',
    dt: '2023-02-28T23:00:00.000Z',
    b: true,
  },
];

/** Formulas MongoDB cannot express faithfully; the query layer evaluates them in process. */
const IN_PROCESS_ON_MONGO = new Set(['UPPER({t})', 'LOWER({t})', 'LOWER({t}) = LOWER({u})']);

const FORMULAS = [
  // arithmetic, null propagation, division by zero
  '{n} + {i}',
  '{n} - {i} * 2',
  '{n} / {i}',
  '{i} / 4',
  '-{n}',
  '{n} * BLANK()',
  '({n} + 1) * ({i} - 1)',
  '{n} / 0',
  '2 - 3 - {i}',
  '-({n} - {i}) * 2',
  '"a" & 1 + 2 & {i} * 2',
  '1 + 2 & 3 * 4 = "312"',
  // text and coercion to text
  '{t} & {u}',
  '{t} & " #" & {n}',
  'CONCAT({t}, "-", {b}, "-", {i}, "-", {n} / 3)',
  '{d} & ""',
  '{dt} & "|" & BLANK()',
  'LEN({t})',
  'LEFT({t}, 3)',
  'RIGHT({t}, 2)',
  'LEFT({t}, {i})',
  'RIGHT({t}, {n})',
  'UPPER({t})',
  'LOWER({t})',
  'LOWER({t}) = LOWER({u})',
  'TRIM({t})',
  'SUBSTITUTE({t}, "l", "L")',
  'SUBSTITUTE({t}, "", "x")',
  'FIND("l", {t})',
  'FIND("l", {t}, 4)',
  'FIND("", {t}, 3)',
  'FIND({u}, {t})',
  'FIND("😀", {t}, {i})',
  'LEN({u} & {t})',
  '(0.1 + 0.2) & "|" & 1 / 3 & "|" & {i} & "|" & {n} * 1000000',
  '{t} & " " = {t}',
  // comparisons: case-sensitive binary text, null-safe =, dates
  '{t} = "Hello"',
  '{t} = {u}',
  '{t} < {u}',
  '{t} != "hello"',
  '"abc " = "abc"',
  '{n} >= 0',
  '{n} = BLANK()',
  'BLANK() = BLANK()',
  'BLANK() < BLANK()',
  'BLANK() & BLANK() & LEN(BLANK())',
  '{d} < "2024-02-01"',
  '{dt} > {d}',
  '{b} = TRUE',
  '({n} > 0) = {b}',
  'FALSE < {b}',
  // logic
  'IF({n} > 0, "pos", IF({n} < 0, "neg", "zero"))',
  'IF({b}, {n}, "no")',
  'IF({b}, {n})',
  'IF({b}, BLANK())',
  'SWITCH(BLANK(), BLANK(), 1, 2) + MIN(BLANK(), BLANK())',
  'AND({b}, {n} > 0)',
  'OR({b}, {n} > 0)',
  'NOT({b})',
  'SWITCH({t}, "Hello", 1, "hello", 2, 0)',
  'SWITCH({i}, 2, "two", BLANK(), "blank")',
  'IF({u} = "", "empty", {u})',
  'IF(BLANK(), 1, 2) + IF(AND(BLANK(), TRUE), 10, 20) + IF(OR(BLANK(), {b}), 100, 200)',
  'SWITCH({d}, "2024-01-31", "end of Jan", "2000-01-01", "Y2K", "other")',
  // numbers
  'ROUND({n})',
  'ROUND({n} / 3, 2)',
  'ROUND({n} * 1000, -2)',
  'ROUND(1.005, 2) & "|" & ROUND(-2.5) & "|" & ROUND(2.5)',
  'ROUND({n}, {i})',
  'ABS({n})',
  'CEILING({n})',
  'FLOOR({n})',
  'MOD({n}, {i})',
  'MOD({i} * 7, 3) & "|" & MOD(7, -3)',
  'POWER({n}, 2)',
  'POWER({n}, 0.5)',
  'POWER(0, {i})',
  'SQRT({n})',
  'MOD({n}, 0) & "|" & SQRT(-1) & "|" & POWER(-8, 1 / 3)',
  'ROUND({n} / 7, 3)',
  // row aggregates
  'SUM({n}, {i}, 1)',
  'AVG({n}, {i})',
  'COUNT({n}, {i}, BLANK())',
  'COUNTA({t}, {u}, {d}, {b})',
  'MIN({n}, {i})',
  'MAX({d}, {dt})',
  'MIN({d}, "2024-01-01")',
  // dates
  'YEAR({d}) * 10000 + MONTH({dt}) * 100 + DAY({d})',
  'DATEADD({d}, 1, "month")',
  'DATEADD({d}, -1, "years")',
  'DATEADD({dt}, 90, "minutes")',
  'DATEADD({d}, 1.9, "days")',
  'DATEADD({d}, -2, "weeks")',
  'DATEADD({d}, 12, "hours")',
  'DATEADD({dt}, {i}, "month")',
  'DATETIME_DIFF({dt}, {d}, "days")',
  'DATETIME_DIFF({d}, {dt}, "hours")',
  'DATETIME_DIFF({dt}, {d}, "months")',
  'DATETIME_DIFF({d}, "2020-02-29", "years")',
  'DATETIME_DIFF({dt}, "2024-01-31 12:00", "months")',
  'DATETIME_DIFF({d}, {dt}, "seconds")',
  'DATETIME_DIFF({dt}, {d}, "weeks") & "|" & DATETIME_DIFF({dt}, {d}, "minutes")',
  'DATEADD("2024-01-31", 1, "month") & "|" & DATEADD("2024-01-31 22:00", 3, "hours")',
  'DATETIME_FORMAT("2024-01-05 10:20", "HH:mm") & DAY(DATEADD({dt}, -1, "day"))',
  'DATETIME_FORMAT({dt}, "YYYY-MM-DD HH:mm:ss.SSS")',
  'DATETIME_FORMAT({d}, "DD/MM/YYYY \'%\' x%Y")',
  'DATETIME_FORMAT({dt})',
  'NOW() > {dt}',
  'TODAY() >= {d}',
  'YEAR(TODAY()) >= 2024',
  'DATETIME_DIFF(NOW(), TODAY(), "days") >= 0',
  'IF({dt} < "2024-01-01", DATEADD({dt}, 1, "day"), {d})',
  // hostile literals stay bound values
  '"\'; DROP TABLE x; --" & {t}',
  '{t} & "$x" & "?" & "??"',
  '{u} = "$x"',
];

const ref = (field: string) => `t0.${field}`;

describe('formula differential: evaluator = PostgreSQL = MariaDB = MongoDB', function () {
  this.timeout(60_000);
  let pgDb: { url: string; drop: () => Promise<void> };
  let pgKnex: Knex;
  let myKnex: Knex;
  const myTable = `formula_diff_${process.pid}_${Date.now().toString(36)}`;
  const now = new Date();

  before(async () => {
    pgDb = await createTestDatabase();
    pgKnex = knexFactory({ client: 'pg', connection: { connectionString: pgDb.url, types: PG_TYPES } });
    await pgKnex.raw(
      'CREATE TABLE samples (id int PRIMARY KEY, n double precision, i integer, t text, u varchar(50), d date, dt timestamptz, b boolean)',
    );
    await pgKnex('samples').insert(ROWS);
    myKnex = knexFactory({
      client: 'mysql2',
      connection: {
        host: '127.0.0.1',
        user: 'root',
        database: 'test',
        dateStrings: true,
        charset: 'utf8mb4',
      },
      pool: {
        min: 1,
        max: 1,
        afterCreate: (
          conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
          done: (err: Error | null) => void,
        ) => conn.query("SET time_zone = '+00:00'", done),
      },
    });
    await myKnex.raw(
      `CREATE TABLE ${myTable} (id INT PRIMARY KEY, n DOUBLE, i INT, t VARCHAR(100), u VARCHAR(50), d DATE, dt DATETIME(3), b TINYINT(1))
       DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    await myKnex(myTable).insert(
      ROWS.map((r) => ({ ...r, dt: r.dt && r.dt.slice(0, 23).replace('T', ' ') })),
    );
  });

  after(async () => {
    await myKnex?.schema.dropTableIfExists(myTable);
    await myKnex?.destroy();
    await pgKnex?.destroy();
    await pgDb?.drop();
  });

  for (const formula of FORMULAS) {
    it(formula, async () => {
      const ast = parseFormula(formula);
      const type = checkFormula(ast, (name) => FIELDS[name]);
      const expected = ROWS.map((r) =>
        normalize(
          evaluateFormula(ast, (f) => jsValue(r, f), now),
          type,
        ),
      );

      const results: Record<string, unknown[]> = {};
      if (process.env.SHOW) console.log(formula, JSON.stringify(expected));
      for (const [name, db, table] of [
        ['postgres', pgKnex, 'samples'],
        ['mysql', myKnex, myTable],
      ] as const) {
        const { sql, bindings } = compileFormulaToSql(ast, name, ref);
        const rows = await db
          .select('id', db.raw(`${sql} AS v`, bindings))
          .from({ t0: table })
          .orderBy('id');
        results[name] = rows.map((r: { v: unknown }) => normalize(r.v, type));
      }

      const expr = compileFormulaToMongo(ast, (f) => `$${f}`);
      expect(expr === null, 'evaluated in process for MongoDB').to.equal(IN_PROCESS_ON_MONGO.has(formula));
      if (expr !== null) {
        const docs = ROWS.map(mongoDocument);
        const out = new Aggregator([{ $project: { _id: 0, id: 1, v: expr } }]).run(docs) as { v: unknown }[];
        results.mongodb = out.map((r) => normalize(r.v ?? null, type));
      }

      for (const [target, values] of Object.entries(results)) {
        values.forEach((v, i) => {
          expect(
            same(v, expected[i]),
            `${target}, row ${ROWS[i]!.id}: got ${show(v)}, evaluator ${show(expected[i])}`,
          ).to.equal(true);
        });
      }
    });
  }
});

/** Postgres `date` comes back as its text, not as a local-midnight Date. */
const PG_TYPES = {
  getTypeParser: (oid: number, format: string) =>
    oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text'),
};

function jsValue(row: Sample, field: string): unknown {
  const v = row[field as keyof Sample];
  if (v !== null && (field === 'd' || field === 'dt'))
    return new Date(field === 'd' ? `${v}T00:00:00Z` : (v as string));
  return v;
}

/** The MongoDB document: dates as Date; the all-blank row has its fields missing, not null. */
function mongoDocument(row: Sample): Record<string, unknown> {
  const doc: Record<string, unknown> = { _id: row.id, id: row.id };
  for (const field of Object.keys(FIELDS)) {
    const v = jsValue(row, field);
    if (v !== null) doc[field] = v;
  }
  return doc;
}

/** One comparable shape per formula type: numbers, booleans, ISO strings for dates. */
function normalize(v: unknown, type: FormulaType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'number':
      return Number(v);
    case 'boolean':
      return typeof v === 'boolean' ? v : Number(v) !== 0;
    case 'date':
    case 'datetime':
      if (v instanceof Date) return v.toISOString();
      if (/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return `${String(v)}T00:00:00.000Z`;
      return new Date(`${String(v).replace(' ', 'T')}Z`).toISOString();
    default:
      return v;
  }
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

function show(v: unknown): string {
  return JSON.stringify(v);
}
