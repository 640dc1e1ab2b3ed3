import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import knexFactory, { type Knex } from 'knex';
import type { LogicalType } from '../../../dataplane/src/query/catalog.js';
import {
  judgeFilter,
  rowFilterOf,
  withinMillisecond,
  type RowValues,
  type Verdict,
} from '../../../dataplane/src/query/filter-evaluator.js';
import type { Filter, FilterOp } from '../../../dataplane/src/query/lqp.js';
import type { FilterNode } from '../../../dataplane/src/query/plan.js';
import { runSqlQuery } from '../../../dataplane/src/query/sql/index.js';
import { analyzeQuery } from '../../../dataplane/src/query/validate.js';
import { OPS_BY_TYPE } from '../../../dataplane/src/query/validate-values.js';
import { toRowView } from '../../../dataplane/src/services/rows/row-view.js';
import type { Column, ColumnType } from '../../../dataplane/src/services/tables/column.js';
import {
  isStoredType,
  logicalTypeOf,
  sqlTypeOf,
} from '../../../dataplane/src/services/tables/column-types.js';
import type { TableView } from '../../../dataplane/src/services/tables/metadata.js';
import { tableSource, type TableSource } from '../../../dataplane/src/services/tables/table-catalog.js';
import { createUserTable } from '../../../dataplane/src/store/user-tables/ddl.js';
import { userColumnName, userTableName } from '../../../dataplane/src/store/user-tables/names.js';
import { createTestDatabase } from '../../support/databases.js';

/**
 * The in-process evaluator against PostgreSQL itself: a mini-DB table (the real DDL, catalog and
 * row decoding) holds random rows; random filter trees run through the real compiler in one
 * transaction (so now() stays put) and the evaluator judges each row from its API values. Every
 * decided verdict must be PostgreSQL's answer; 'unknown' is allowed (ties of API instants cut to
 * the millisecond, locale-dependent characters, non-ASCII needles) and counted.
 */

const SCHEMA = 'ws_filter_eval';
const TABLE_ID = '0190c6a8-0000-7000-8000-00000000f00d';
const CHOICES = ['Todo', 'Doing', 'done', 'İş', '50%'];

type Spec = { name: string; type: ColumnType; options?: Column['options'] };
const SPECS: Spec[] = [
  { name: 'Name', type: 'text' },
  { name: 'Long notes', type: 'longText' },
  {
    name: 'Status',
    type: 'singleSelect',
    options: { choices: CHOICES.map((name) => ({ name, color: 'blue' })) },
  },
  { name: 'Qty', type: 'integer' },
  { name: 'Price', type: 'decimal', options: { precision: 2 } },
  { name: 'Ratio', type: 'decimal', options: { precision: 10 } },
  { name: 'Done', type: 'boolean' },
  { name: 'Due', type: 'date' },
  { name: 'At', type: 'dateTime' },
  {
    name: 'Tags',
    type: 'multiSelect',
    options: { choices: CHOICES.map((name) => ({ name, color: 'blue' })) },
  },
  { name: 'Owner', type: 'user' },
  { name: 'No', type: 'autoNumber' },
  { name: 'Created', type: 'createdTime' },
  { name: 'Modified', type: 'modifiedTime' },
  { name: 'Author', type: 'createdBy' },
];

const COLUMNS: Column[] = SPECS.map((spec, i) => ({
  id: `0190c6a8-0000-7000-8000-${String(i + 1).padStart(12, '0')}`,
  tableId: TABLE_ID,
  name: spec.name,
  type: spec.type,
  options: spec.options ?? {},
  required: false,
  unique: false,
  default: null,
  rules: {},
  position: i,
}));

const TABLE: TableView = {
  id: TABLE_ID,
  baseId: '0190c6a8-0000-7000-8000-00000000ba5e',
  name: 'Things',
  description: null,
  position: 0,
  schemaVersion: 1,
  settings: {},
  archivedAt: null,
  columns: COLUMNS,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** Filterable fields: the columns, and the system fields under their `@` names. */
const FIELDS: { name: string; type: LogicalType }[] = [
  ...COLUMNS.map((c) => ({ name: c.name, type: logicalTypeOf(c) })),
  { name: '@id', type: 'uuid' },
  { name: '@version', type: 'integer' },
  { name: '@createdAt', type: 'datetime' },
  { name: '@updatedAt', type: 'datetime' },
  { name: '@createdBy', type: 'uuid' },
];

// ---------------------------------------------------------------------------------------------
// Values. Dates and instants are recipes relative to the transaction's now(), resolved once it is
// known: `{ $day: k }` is today + k days, `{ $at: [base, µs] }` an instant, `{ $ms: ... }` the same
// cut to the millisecond (filter values have milliseconds).

type Base = 'now' | 'midnight' | 'min' | 'max';
type Recipe = { $day: number } | { $at: [Base, number] } | { $ms: [Base, number] } | unknown;

const DAY_US = 86_400_000_000;

const TEXTS = [
  '',
  ' ',
  'a',
  'A',
  'abc',
  'ABC',
  'aBc ',
  'a%c',
  'a_c',
  'abc%',
  '50%',
  '%',
  '_',
  '!',
  '!%',
  '\\',
  'a\\b',
  "it's",
  'İstanbul',
  'istanbul',
  'ISTANBUL',
  'Ìx',
  '\u212aelvin',
  'kelvin',
  'ß',
  'SS',
  'Ä',
  'ä',
  'é',
  'e\u0301',
  'σς',
  'ΣΑΣ',
  'ı',
  'I',
  'i',
  '😀',
  '\uffff',
  'z',
  'Z',
  'ǅ',
  'ﬀ',
  'Todo',
  'done',
  'İş',
];

/** PostgreSQL text holds neither NUL nor lone surrogates. */
const wellFormed = (s: string) =>
  !s.includes('\u0000') && !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

/** Where lowercasing differs between engines, locales or JavaScript. */
const CASE_TRAPS = [
  'İstanbul',
  'xİ',
  'Ìx',
  'ÍI',
  'Ĩi',
  '\u212aELVIN',
  'ISTİ',
  'i\u0307st',
  'I\u0307ST',
  'ΣΑΣ',
  'ǅx',
];
const textValue = fc.oneof(
  { arbitrary: fc.constantFrom(...TEXTS), weight: 4 },
  { arbitrary: fc.constantFrom(...CASE_TRAPS), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 5 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 4 }).filter(wellFormed), weight: 1 },
);
const needle = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '',
      'a',
      'A',
      'b',
      'BC',
      '%',
      '_',
      'a_',
      '!',
      '\\',
      'ist',
      'stan',
      'k',
      'ss',
      'x',
      'do',
      'TO',
      'i',
      'I',
      'is',
      'st',
      'kel',
      'xi',
      'ix',
    ),
    weight: 4,
  },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom('é', 'İ', 'ä', 'ς'), weight: 1 },
);

const INTEGERS = [
  '0',
  '1',
  '-1',
  '7',
  '9007199254740991',
  '9007199254740993',
  '-9223372036854775808',
  '9223372036854775807',
];
const integerCell = fc.oneof(fc.constantFrom(...INTEGERS), fc.integer({ min: -20, max: 20 }).map(String));
const integerValue = fc.oneof(
  fc.constantFrom(0, 1, -1, 7, 9007199254740991, -9007199254740991),
  fc.integer({ min: -20, max: 20 }),
);

const PRICES = [
  '0',
  '0.1',
  '0.10',
  '-0.00',
  '0.01',
  '1.005',
  '1.01',
  '123456789012345678.25',
  '999999999999999999999999999999999999.99',
];
const RATIOS = ['0.1', '0.0000000001', '3.1415926535', '-2.5', '0.3333333333', '12345678.9'];
const decimalCell = (precision: number, pool: string[]) =>
  fc.oneof(
    fc.constantFrom(...pool),
    fc
      .integer({ min: -100_000, max: 100_000 })
      .map((n) => (n / 10 ** Math.min(precision, 4)).toFixed(precision)),
  );
const numberValue = fc.oneof(
  fc.constantFrom(0, 0.1, -0.1, 0.01, 1.005, 1.01, 1e21, 1e-7, 1e-10, 3.1415926535, 123456789012345680, -2.5),
  fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
);

const dayOffset = fc.oneof(
  fc.constantFrom(0, 1, -1, 7, -7, 8, -8, 21, -21, 22, -22),
  fc.integer({ min: -400, max: 400 }),
);
const dateRecipe: fc.Arbitrary<Recipe> = fc.oneof(
  { arbitrary: dayOffset.map(($day) => ({ $day })), weight: 5 },
  { arbitrary: fc.constantFrom('0001-01-01', '9999-12-31', '2000-02-29'), weight: 1 },
);

const MICRO_OFFSETS = [
  0,
  1,
  -1,
  999,
  -999,
  1000,
  -1000,
  1001,
  -1001,
  DAY_US,
  -DAY_US,
  7 * DAY_US,
  -7 * DAY_US,
  DAY_US + 1,
  -DAY_US - 1,
];
const instantOffset = fc.oneof(
  { arbitrary: fc.constantFrom(...MICRO_OFFSETS), weight: 3 },
  {
    arbitrary: fc
      .tuple(
        fc.integer({ min: -30, max: 30 }),
        fc.integer({ min: 0, max: 86_399_999 }),
        fc.integer({ min: 0, max: 999 }),
      )
      .map(([d, ms, us]) => d * DAY_US + ms * 1000 + us),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: -2000, max: 2000 }).map((ms) => ms * 1000), weight: 1 },
);
const base = fc.constantFrom<Base>('now', 'now', 'now', 'midnight', 'midnight', 'min', 'max');
const instantRecipe = (kind: '$at' | '$ms'): fc.Arbitrary<Recipe> =>
  fc.tuple(base, instantOffset).map((at) => ({ [kind]: at }));

const UUIDS = [
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '00000000-0000-4000-8000-000000000000',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
];

const nullable = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: arb, weight: 4 });

/** A row's stored values (before resolving recipes), by physical column. */
function cellOf(spec: Spec): fc.Arbitrary<Recipe> {
  switch (spec.type) {
    case 'text':
    case 'longText':
      return nullable(textValue);
    case 'singleSelect':
      return nullable(fc.constantFrom(...CHOICES));
    case 'integer':
      return nullable(integerCell);
    case 'decimal':
      return spec.options?.precision === 2
        ? nullable(decimalCell(2, PRICES))
        : nullable(decimalCell(10, RATIOS));
    case 'boolean':
      return nullable(fc.boolean());
    case 'date':
      return nullable(dateRecipe);
    case 'dateTime':
      return nullable(instantRecipe('$at'));
    case 'multiSelect':
      return nullable(fc.constantFrom('[]', '["Todo"]', '["Doing","done"]'));
    case 'user':
      return nullable(fc.constantFrom(...UUIDS));
    default:
      throw new Error(`no generator for ${spec.type}`);
  }
}

const STORED = COLUMNS.filter((c) => isStoredType(c.type) && c.type !== 'autoNumber');
const NAME = STORED.findIndex((c) => c.name === 'Name');
/** Rows; `name` overrides the generator of the Name column. */
const rowsOf = (name?: fc.Arbitrary<Recipe>) =>
  fc.array(
    fc.record({
      stored: fc.tuple(
        ...STORED.map((c, i) => (i === NAME && name ? name : cellOf(SPECS[c.position] as Spec))),
      ),
      version: fc.integer({ min: 1, max: 3 }),
      createdAt: instantRecipe('$at'),
      updatedAt: instantRecipe('$at'),
      createdBy: nullable(fc.constantFrom(...UUIDS)),
    }),
    { minLength: 1, maxLength: 12, size: 'max' },
  );
type RowRecipe = ReturnType<typeof rowsOf> extends fc.Arbitrary<(infer R)[]> ? R : never;

// ---------------------------------------------------------------------------------------------
// Filters

function constantOf(type: LogicalType): fc.Arbitrary<Recipe> {
  switch (type) {
    case 'text':
      return fc.oneof(textValue, fc.constantFrom(...CHOICES));
    case 'integer':
      return integerValue;
    case 'number':
      return numberValue;
    case 'boolean':
      return fc.boolean();
    case 'date':
      // The validator reads years 0–99 as 1900–1999 (Date.UTC) and refuses them.
      return fc.oneof(
        dateRecipe.filter((d) => d !== '0001-01-01'),
        fc.constant('0100-01-01'),
      );
    case 'datetime':
      return instantRecipe('$ms');
    case 'uuid':
      return fc.constantFrom(...UUIDS, (UUIDS[0] as string).toUpperCase());
    default:
      throw new Error(`no constants for ${type}`);
  }
}

function leafOf(field: { name: string; type: LogicalType }): fc.Arbitrary<Recipe> {
  return fc.constantFrom(...(OPS_BY_TYPE[field.type] as FilterOp[])).chain((op): fc.Arbitrary<Recipe> => {
    const leaf = (value?: Recipe) =>
      value === undefined ? { field: field.name, op } : { field: field.name, op, value };
    switch (op) {
      case 'in':
      case 'nin':
        return fc.array(constantOf(field.type), { maxLength: 3 }).map(leaf);
      case 'between':
        return fc.tuple(constantOf(field.type), constantOf(field.type)).map(leaf);
      case 'contains':
      case 'ncontains':
      case 'startsWith':
      case 'endsWith':
        return needle.map(leaf);
      case 'isEmpty':
      case 'isNotEmpty':
      case 'isToday':
      case 'isPast':
      case 'isFuture':
        return fc.constant(leaf());
      case 'inLastDays':
      case 'inNextDays':
        return fc.oneof(fc.constantFrom(0, 1, 7, 21, 36_500), fc.integer({ min: 0, max: 40 })).map(leaf);
      default:
        return constantOf(field.type).map(leaf);
    }
  });
}

/** Text fields are drawn more often: they have the most operators and the subtlest ones. */
const TEXT_FIELDS = FIELDS.filter((f) => f.type === 'text');
const leafFilter = fc.constantFrom(...FIELDS, ...TEXT_FIELDS, ...TEXT_FIELDS).chain(leafOf);
const filterRecipe: fc.Arbitrary<Recipe> = fc.letrec<{ node: Recipe }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'filter' },
    { arbitrary: leafFilter, weight: 5 },
    { arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((and) => ({ and })), weight: 1 },
    { arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((or) => ({ or })), weight: 1 },
    { arbitrary: tie('node').map((not) => ({ not })), weight: 1 },
  ),
})).node;

// ---------------------------------------------------------------------------------------------
// Resolving recipes against now()

const floorDiv = (a: bigint, b: bigint) => (a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b);

function microsOf(iso: string): bigint {
  const m = /^(.*)\.(\d{6})Z$/.exec(iso);
  if (!m) throw new Error(`not an ISO instant with microseconds: ${iso}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt(m[2] as string);
}

function isoOf(micros: bigint): string {
  const ms = floorDiv(micros, 1000n);
  const us = micros - ms * 1000n;
  return new Date(Number(ms)).toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`);
}

const MIN_US = microsOf('0001-01-01T00:00:00.000000Z');
const MAX_US = microsOf('9999-12-31T23:59:59.999999Z');
/** Filter values of years 0–99 are refused by the validator (see constantOf). */
const FILTER_MIN_US = microsOf('0100-01-01T00:00:00.000000Z');

function resolve(recipe: Recipe, now: bigint): unknown {
  if (Array.isArray(recipe)) return recipe.map((r) => resolve(r, now));
  if (recipe === null || typeof recipe !== 'object') return recipe;
  if ('$day' in recipe) {
    const day = Number(floorDiv(now, BigInt(DAY_US))) + (recipe.$day as number);
    return new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  if ('$at' in recipe || '$ms' in recipe) {
    const [b, offset] = ('$at' in recipe ? recipe.$at : (recipe as { $ms: [Base, number] }).$ms) as [
      Base,
      number,
    ];
    const start = { now, midnight: floorDiv(now, BigInt(DAY_US)) * BigInt(DAY_US), min: MIN_US, max: MAX_US }[
      b
    ];
    let at = start + BigInt(offset);
    at = at < MIN_US ? MIN_US : at > MAX_US ? MAX_US : at;
    if ('$ms' in recipe) at = floorDiv(at < FILTER_MIN_US ? FILTER_MIN_US : at, 1000n) * 1000n;
    return isoOf(at);
  }
  return Object.fromEntries(Object.entries(recipe).map(([k, v]) => [k, resolve(v, now)]));
}

// ---------------------------------------------------------------------------------------------

describe('filter evaluator ≡ PostgreSQL (random rows and filters through the real compiler)', function () {
  this.timeout(120_000);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let knex: Knex;
  let source: TableSource;
  const stats = { decided: 0, matched: 0, unknown: 0, filters: 0, notEvaluable: 0 };

  before(async () => {
    db = await createTestDatabase();
    knex = knexFactory({
      client: 'pg',
      connection: db.url,
      pool: {
        min: 0,
        max: 2,
        afterCreate: (
          conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
          done: (err: Error | null, conn: unknown) => void,
        ) => conn.query("SET TIME ZONE 'UTC'", (err) => done(err, conn)),
      },
    });
    await knex.raw(`CREATE SCHEMA ${SCHEMA}`);
    const physical = COLUMNS.filter((c) => isStoredType(c.type)).map((c) => ({
      id: c.id,
      sqlType: sqlTypeOf(c) as string,
      ...(c.type === 'autoNumber' ? { identity: true } : {}),
    }));
    await knex.transaction((trx) => createUserTable(trx, SCHEMA, TABLE_ID, physical));
    source = tableSource(SCHEMA, TABLE);
  });

  after(async () => {
    await knex?.destroy();
    await db?.drop();
  });

  async function insert(trx: Knex.Transaction, rows: RowRecipe[], now: bigint): Promise<void> {
    if (rows.length === 0) return;
    const records = rows.map((row) => {
      const record: Record<string, unknown> = {
        id: randomUUID(),
        version: row.version,
        created_at: resolve(row.createdAt, now),
        updated_at: resolve(row.updatedAt, now),
        created_by: row.createdBy,
      };
      STORED.forEach((c, i) => {
        record[userColumnName(c.id)] = resolve(row.stored[i], now);
      });
      return record;
    });
    await trx.withSchema(SCHEMA).table(userTableName(TABLE_ID)).insert(records);
  }

  /** Every row as the rows API shows it, with the system fields under their `@` names. */
  async function apiRows(trx: Knex.Transaction): Promise<RowValues[]> {
    const raws: Record<string, unknown>[] = await trx
      .withSchema(SCHEMA)
      .select('*')
      .from(userTableName(TABLE_ID));
    return raws.map((raw) => {
      const row = toRowView(TABLE, raw);
      return {
        ...row.fields,
        '@id': row.id,
        '@version': row.version,
        '@createdAt': row.createdAt,
        '@updatedAt': row.updatedAt,
        '@createdBy': raw.created_by ?? null,
      };
    });
  }

  async function check(rows: RowRecipe[], filters: Recipe[]): Promise<void> {
    const trx = await knex.transaction();
    try {
      const [{ now: nowText }] = (
        await trx.raw(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`)
      ).rows as [{ now: string }];
      const now = microsOf(nowText);
      await insert(trx, rows, now);
      const api = await apiRows(trx);
      for (const recipe of filters) {
        const filter = resolve(recipe, now) as Filter;
        const result = await runSqlQuery(
          trx,
          {
            source: source.source,
            select: ['@id'],
            filter,
            pagination: { mode: 'offset', limit: 1000, offset: 0 },
          },
          source.catalog,
          'postgres',
        );
        const matched = new Set(result.rows.map((r) => r['@id']));
        const evaluator = rowFilterOf({ source: source.source, filter }, source.catalog);
        stats.filters++;
        if (!evaluator.evaluable) stats.notEvaluable++;
        // Not evaluable filters are still judged part by part: whatever they decide must hold too.
        const node = analyzeQuery(
          { source: source.source, filter, pagination: { mode: 'offset', limit: 1, offset: 0 } },
          source.catalog,
        ).filter as FilterNode;
        for (const row of api) {
          const verdict: Verdict = evaluator.evaluable
            ? evaluator.matches(row, nowText)
            : judgeFilter(
                node,
                (f) => {
                  const v = row[f.ref];
                  return f.type === 'datetime' && typeof v === 'string' ? withinMillisecond(v) : v;
                },
                nowText,
              );
          if (verdict === 'unknown') {
            stats.unknown++;
            continue;
          }
          stats.decided++;
          if (verdict) stats.matched++;
          expect(
            verdict,
            `filter ${JSON.stringify(filter)}\nrow ${JSON.stringify(row)}\nnow ${nowText}`,
          ).to.equal(matched.has(row['@id']));
        }
      }
    } finally {
      await trx.rollback();
    }
  }

  function report(): void {
    const verdicts = stats.decided + stats.unknown;
    console.log(
      `      ${stats.filters} filters (${stats.notEvaluable} not evaluable), ${verdicts} verdicts: ` +
        `${stats.decided} decided (${stats.matched} matching), ${stats.unknown} unknown`,
    );
    // Not vacuous: ties and locale-dependent characters are the exception.
    expect(stats.decided / verdicts).to.be.greaterThan(0.8);
    expect(stats.matched / stats.decided).to.be.within(0.2, 0.8);
  }

  beforeEach(() => Object.assign(stats, { decided: 0, matched: 0, unknown: 0, filters: 0, notEvaluable: 0 }));

  it('decides what PostgreSQL decides, for every row it decides', async () => {
    await fc.assert(
      fc.asyncProperty(rowsOf(), fc.array(filterRecipe, { minLength: 1, maxLength: 6 }), check),
      { numRuns: 200 },
    );
    report();
  });

  it('the same for dates and instants, relative to now and at the bounds of ranges', async () => {
    const timeFields = FIELDS.filter((f) => f.type === 'date' || f.type === 'datetime');
    const timeLeaf = fc.constantFrom(...timeFields).chain(leafOf);
    await fc.assert(fc.asyncProperty(rowsOf(), fc.array(timeLeaf, { minLength: 1, maxLength: 6 }), check), {
      numRuns: 100,
    });
    report();
  });

  it('the same for text matching and ordering over texts whose lowercase is subtle', async () => {
    const names = fc.oneof(nullable(fc.constantFrom(...CASE_TRAPS)), textValue);
    const textLeaf = fc
      .constantFrom<FilterOp>('contains', 'ncontains', 'startsWith', 'endsWith', 'lt', 'gte')
      .chain((op) =>
        (['lt', 'gte'].includes(op) ? textValue : needle).map(
          (value) => ({ field: 'Name', op, value }) as Recipe,
        ),
      );
    await fc.assert(
      fc.asyncProperty(rowsOf(names), fc.array(textLeaf, { minLength: 1, maxLength: 6 }), check),
      { numRuns: 100 },
    );
    report();
  });
});
