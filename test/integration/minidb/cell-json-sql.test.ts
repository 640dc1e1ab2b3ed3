import { expect } from 'chai';
import fc from 'fast-check';
import pg from 'pg';
import type { Column, ColumnType } from '../../../dataplane/src/services/tables/column.js';
import {
  cellJsonSql,
  decodeCell,
  encodeCell,
  isStoredType,
  sqlTypeOf,
} from '../../../dataplane/src/services/tables/column-types.js';
import { COLUMN_TYPES } from '../../../dataplane/src/services/tables/column.js';
import { createTestDatabase } from '../../support/databases.js';
import { columnOf } from '../../unit/services/tables/column-fixtures.js';

/**
 * The database's JSON of a stored cell (cellJsonSql, used for audit states written by the
 * statement that changes a row) must be exactly what decodeCell makes of the driver's value.
 * Values are random API inputs the encoder accepts, written to a real column of each type.
 */

const NAMES = ['Todo', "it's", 'a, b', '"quoted"', 'back\\slash', 'Ünïcode ✓', '😀'];

const decimalTexts = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,28}$/), fc.stringMatching(/^[0-9]{0,12}$/))
  .map(([minus, int, frac]) => `${minus ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);

/** Inputs per type, valid ones and edge cases among them. */
function inputs(type: ColumnType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'text':
    case 'longText':
      return fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('', ' ', '\\', '"', 'a\u2028b'));
    case 'integer':
      return fc.oneof(
        fc.integer(),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
        fc.constantFrom(
          '9007199254740991',
          '9007199254740992',
          '-9007199254740993',
          0,
          '-9223372036854775808',
          '9223372036854775807',
        ),
      );
    case 'decimal':
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }),
        decimalTexts,
        fc.constantFrom('1234567890123400.00', '0.000000001', '99999999999999.99', '-0.5', '100'),
      );
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc
        .date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10));
    case 'dateTime':
      return fc.oneof(
        fc
          .date({
            min: new Date('0001-01-02T00:00:00Z'),
            max: new Date('9999-12-30T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString()),
        fc.constantFrom('2024-02-29T23:59:59.999999+05:30', '2024-01-01 10:00', '0001-01-02T00:00:00.0005Z'),
      );
    case 'singleSelect':
      return fc.constantFrom(...NAMES);
    case 'multiSelect':
      return fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 });
    case 'user':
      return fc.uuid().map((u) => u.toUpperCase());
    case 'attachment':
      return fc.constant([]);
    default:
      return fc.constant(null);
  }
}

function columnsUnderTest(): Column[] {
  const stored = COLUMN_TYPES.filter((t) => isStoredType(t) && t !== 'autoNumber');
  const columns = stored.map((type, i) =>
    columnOf(type, {
      id: `0190c6a8-0000-7000-8000-${String(i + 1).padStart(12, '0')}`,
      options:
        type === 'singleSelect' || type === 'multiSelect'
          ? { choices: NAMES.map((name) => ({ name, color: 'blue' })) }
          : type === 'decimal'
            ? { precision: 2 }
            : {},
    }),
  );
  // More decimal scales: 0 (integers in numeric form) and 10.
  for (const precision of [0, 10])
    columns.push(
      columnOf('decimal', {
        id: `0190c6a8-0000-7000-8000-1000000000${precision === 0 ? '00' : '10'}`,
        options: { precision },
      }),
    );
  return columns;
}

describe('cellJsonSql: the database gives the JSON decodeCell gives', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  const columns = columnsUnderTest();
  const name = (c: Column, i: number) => `c${i}`;

  before(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('SET TIME ZONE UTC');
    const defs = columns.map((c, i) => `${name(c, i)} ${sqlTypeOf(c)}`).join(', ');
    await client.query(`CREATE TABLE cells (n serial PRIMARY KEY, auto bigint, ${defs})`);
  });
  after(async () => {
    await client.end();
    await db.drop();
  });

  it('for every stored type, on random values the encoder accepts (nulls included)', async () => {
    const samples = columns.map((column) => fc.sample(inputs(column.type), 400));
    const rows = samples[0]?.map((_, r) =>
      columns.map((column, i) => {
        if (r % 25 === 0) return null;
        const check = encodeCell(column, samples[i]?.[r]);
        return check.ok ? check.value : null;
      }),
    );
    for (const values of rows ?? []) {
      const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
      await client.query(
        `INSERT INTO cells (${columns.map(name).join(', ')}) VALUES (${placeholders})`,
        values.map((v) => (Array.isArray(v) ? JSON.stringify(v) : v)),
      );
    }
    // autoNumber: a bigint like integer, including the largest.
    await client.query(`UPDATE cells SET auto = CASE WHEN n % 2 = 0 THEN n ELSE 9223372036854775807 - n END`);
    const auto = columnOf('autoNumber');
    const json = columns.map((c, i) => `${cellJsonSql(c, name(c, i))} AS j${i}`).join(', ');
    const { rows: read } = await client.query(
      `SELECT *, ${json}, ${cellJsonSql(auto, 'auto')} AS jauto FROM cells ORDER BY n`,
    );
    expect(read.length).to.equal(rows?.length);
    for (const row of read) {
      columns.forEach((column, i) => {
        expect(row[`j${i}`], `${column.type} ${JSON.stringify(row[name(column, i)])}`).to.deep.equal(
          decodeCell(column, row[name(column, i)]),
        );
      });
      expect(row.jauto).to.deep.equal(decodeCell(auto, row.auto));
    }
  });
});
