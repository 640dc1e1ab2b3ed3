import { expect } from 'chai';
import pg from 'pg';
import type { Column, ColumnType } from '../../../dataplane/src/services/tables/column.js';
import {
  decodeCell,
  encodeCell,
  sqlTypeOf,
  typeChangePlan,
} from '../../../dataplane/src/services/tables/column-types.js';
import { createTestDatabase } from '../../support/databases.js';
import { columnOf } from '../../unit/services/tables/column-fixtures.js';
import { driverValueOf } from '../../unit/services/tables/driver-values.js';

/**
 * Every conversion typeChangePlan offers, run on PostgreSQL: `failing` selects exactly the rows
 * that do not convert, and after those are cleared `ALTER TABLE … TYPE … USING` gives the values
 * the API then answers. Without clearing them first, USING makes them NULL instead of failing.
 */

/** Marks a sample whose value does not convert. */
const FAILS = Symbol('fails');

interface ChangeCase {
  label?: string;
  from: Column;
  to: Pick<Column, 'type' | 'options'>;
  /** [value as the API writes it to `from`, what the API reads from `to` afterwards]. */
  samples: [unknown, unknown][];
}

const choice = (name: string) => ({ name, color: 'blue' });
const SOURCE_CHOICES = ['Todo', 'Done', "it's", 'a, b'].map(choice);
const TARGET_CHOICES = ['Done', "it's", 'a, b', 'New'].map(choice);
const USER = '0190c6a8-0000-7000-8000-00000000cafe';
const FILE = { id: USER, name: 'a.pdf', size: 3, mimeType: 'application/pdf' };

const of = (type: ColumnType, options?: Column['options']) => columnOf(type, options ? { options } : {});
const to = (type: ColumnType, options?: Column['options']) => ({
  type,
  options: options ?? of(type).options,
});
const nines = (n: number) => '9'.repeat(n);

const CASES: ChangeCase[] = [
  {
    from: of('text'),
    to: to('integer'),
    samples: [
      ['42', 42],
      [' -7 ', -7],
      ['+5', 5],
      ['0042', 42],
      ['00000000000000000000001', 1],
      ['9223372036854775807', '9223372036854775807'],
      ['-9223372036854775808', '-9223372036854775808'],
      ['9223372036854775808', FAILS],
      [nines(30), FAILS],
      ['1.5', FAILS],
      ['1e3', FAILS],
      ['１２', FAILS],
      ['abc', FAILS],
      ['', null],
      ['   ', null],
    ],
  },
  {
    from: of('longText'),
    to: to('integer'),
    samples: [
      [' 12 ', 12],
      ['twelve', FAILS],
    ],
  },
  {
    from: of('text'),
    to: to('decimal', { precision: 2 }),
    samples: [
      ['1.239', 1.24],
      ['-0.005', -0.01],
      ['.5', 0.5],
      ['5.', 5],
      [' +3.10 ', 3.1],
      [nines(36), `${nines(36)}.00`],
      [`${nines(36)}.994`, `${nines(36)}.99`],
      [`${nines(36)}.995`, FAILS],
      [nines(37), FAILS],
      [`0.${'1'.repeat(990)}`, 0.11],
      [`0.${'1'.repeat(1000)}`, FAILS],
      ['1e5', FAILS],
      ['1,5', FAILS],
      ['-', FAILS],
      ['.', FAILS],
      ['', null],
    ],
  },
  {
    from: of('text'),
    to: to('boolean'),
    samples: [
      ['true', true],
      ['YES', true],
      [' 1 ', true],
      ['False', false],
      ['no', false],
      ['0', false],
      ['t', FAILS],
      ['maybe', FAILS],
      ['', null],
    ],
  },
  {
    from: of('text'),
    to: to('date'),
    samples: [
      ['2024-02-29', '2024-02-29'],
      [' 0001-01-01 ', '0001-01-01'],
      ['9999-12-31', '9999-12-31'],
      ['2023-02-29', FAILS],
      ['2024-04-31', FAILS],
      ['2024-13-01', FAILS],
      ['2024-00-01', FAILS],
      ['0000-01-01', FAILS],
      ['2024-1-1', FAILS],
      ['01/02/2024', FAILS],
      ['2024-02-29T10:00:00Z', FAILS],
      ['', null],
    ],
  },
  {
    from: of('text'),
    to: to('dateTime'),
    samples: [
      ['2024-03-01T12:00:00Z', '2024-03-01T12:00:00.000Z'],
      ['2024-03-01 12:00', '2024-03-01T12:00:00.000Z'],
      ['2024-03-01T12:00:00.123456+05:30', '2024-03-01T06:30:00.123Z'],
      ['2024-03-01t12:00z', '2024-03-01T12:00:00.000Z'],
      ['2024-03-01T12:00:00+0100', '2024-03-01T11:00:00.000Z'],
      ['2024-03-01T12:00:00-03', '2024-03-01T15:00:00.000Z'],
      ['2024-03-01', '2024-03-01T00:00:00.000Z'],
      ['0001-01-01T01:00:00+01:00', '0001-01-01T00:00:00.000Z'],
      ['2024-02-30T00:00Z', FAILS],
      ['2024-03-01T24:00Z', FAILS],
      ['2024-03-01T12:00+16:00', FAILS],
      ['0001-01-01T00:00+01:00', FAILS],
      ['2024-03-01Z', FAILS],
      ['now', FAILS],
      ['', null],
    ],
  },
  {
    from: of('text'),
    to: to('singleSelect', { choices: TARGET_CHOICES }),
    samples: [
      ['Done', 'Done'],
      [' Done ', 'Done'],
      ["it's", "it's"],
      ['a, b', 'a, b'],
      ['done', FAILS],
      ['Todo', FAILS],
      ['', null],
    ],
  },
  {
    from: of('text'),
    to: to('longText'),
    samples: [
      ['x', 'x'],
      ['', ''],
    ],
  },
  { from: of('text'), to: to('text'), samples: [[' x ', ' x ']] },
  {
    from: of('longText'),
    to: to('text'),
    samples: [
      ['x'.repeat(100_000), 'x'.repeat(100_000)],
      ['x'.repeat(100_001), FAILS],
    ],
  },
  {
    from: of('integer'),
    to: to('text'),
    samples: [
      [42, '42'],
      ['-9223372036854775808', '-9223372036854775808'],
    ],
  },
  {
    from: of('integer'),
    to: to('decimal', { precision: 2 }),
    samples: [
      [42, 42],
      ['9223372036854775807', '9223372036854775807.00'],
    ],
  },
  {
    from: of('decimal', { precision: 4 }),
    to: to('integer'),
    samples: [
      [42, 42],
      ['-3.0000', -3],
      ['1.5', FAILS],
      ['0.0001', FAILS],
      ['9223372036854775807', '9223372036854775807'],
      ['9223372036854775808', FAILS],
      ['-9223372036854775809', FAILS],
    ],
  },
  {
    from: of('decimal', { precision: 2 }),
    to: to('text'),
    samples: [
      ['1.50', '1.5'],
      [100, '100'],
      ['-0.01', '-0.01'],
      [0, '0'],
    ],
  },
  {
    label: 'decimal(2) → decimal(4)',
    from: of('decimal', { precision: 2 }),
    to: to('decimal', { precision: 4 }),
    samples: [
      ['1.25', 1.25],
      [`${nines(34)}.99`, `${nines(34)}.9900`],
      [`${nines(35)}.99`, FAILS],
    ],
  },
  {
    label: 'decimal(2) → decimal(0)',
    from: of('decimal', { precision: 2 }),
    to: to('decimal', { precision: 0 }),
    samples: [
      ['2.5', 3],
      ['-2.5', -3],
      ['2.49', 2],
      [`${nines(36)}.99`, `1${'0'.repeat(36)}`],
    ],
  },
  {
    from: of('boolean'),
    to: to('text'),
    samples: [
      [true, 'true'],
      [false, 'false'],
    ],
  },
  {
    from: of('date'),
    to: to('text'),
    samples: [
      ['2024-02-29', '2024-02-29'],
      ['0001-01-01', '0001-01-01'],
    ],
  },
  {
    from: of('dateTime'),
    to: to('longText'),
    samples: [
      ['2024-03-01T12:00:00.5Z', '2024-03-01T12:00:00.500Z'],
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ],
  },
  { from: of('singleSelect', { choices: SOURCE_CHOICES }), to: to('text'), samples: [["it's", "it's"]] },
  {
    from: of('multiSelect', { choices: SOURCE_CHOICES }),
    to: to('text'),
    samples: [
      [['Done', "it's"], "Done, it's"],
      [['a, b'], 'a, b'],
      [[], ''],
    ],
  },
  { from: of('user'), to: to('text'), samples: [[USER, USER]] },
  { from: of('autoNumber'), to: to('text'), samples: [[7, '7']] },
  { from: of('autoNumber'), to: to('integer'), samples: [[7, 7]] },
  {
    from: of('singleSelect', { choices: SOURCE_CHOICES }),
    to: to('multiSelect', { choices: TARGET_CHOICES }),
    samples: [
      ['Done', ['Done']],
      ["it's", ["it's"]],
      ['Todo', FAILS],
    ],
  },
  {
    from: of('multiSelect', { choices: SOURCE_CHOICES }),
    to: to('singleSelect', { choices: TARGET_CHOICES }),
    samples: [
      [['Done'], 'Done'],
      [["it's"], "it's"],
      [[], null],
      [['Done', "it's"], FAILS],
      [['Todo'], FAILS],
    ],
  },
  {
    from: of('singleSelect', { choices: SOURCE_CHOICES }),
    to: to('singleSelect', { choices: TARGET_CHOICES }),
    samples: [
      ['a, b', 'a, b'],
      ['Todo', FAILS],
    ],
  },
  {
    from: of('multiSelect', { choices: SOURCE_CHOICES }),
    to: to('multiSelect', { choices: TARGET_CHOICES }),
    samples: [
      [
        ["it's", 'Done'],
        ["it's", 'Done'],
      ],
      [[], []],
      [['Done', 'Todo'], FAILS],
    ],
  },
  {
    from: of('date'),
    to: to('dateTime'),
    samples: [
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ],
  },
  {
    from: of('dateTime'),
    to: to('date'),
    samples: [
      ['2024-03-01T23:30:00Z', '2024-03-01'],
      ['2024-03-01T00:30:00+05:30', '2024-02-29'],
    ],
  },
  { from: of('attachment'), to: to('attachment'), samples: [[[FILE], [FILE]]] },
  { from: of('user'), to: to('user'), samples: [[USER, USER]] },
];

/** node-postgres's default parsers, int8 included (a pool elsewhere in the process may change the global one). */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (v: string) => v
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

describe('column type changes on PostgreSQL', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  let tables = 0;

  before(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url, types });
    await client.connect();
    // A session zone far from UTC: conversions must not depend on it.
    await client.query(`SET TIME ZONE 'Asia/Kolkata'`);
  });

  after(async () => {
    await client?.end();
    await database?.drop();
  });

  /** A table of `from` with one row per sample (ids 1…n) and a NULL row (id 0). */
  async function tableOf(c: ChangeCase): Promise<string> {
    const table = `"t${tables++}"`;
    const identity = c.from.type === 'autoNumber' ? ' GENERATED BY DEFAULT AS IDENTITY' : '';
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, "c" ${sqlTypeOf(c.from)}${identity})`);
    if (identity) await client.query(`ALTER TABLE ${table} ALTER COLUMN "c" DROP IDENTITY`); // as the caller does
    if (c.from.type !== 'autoNumber') await client.query(`INSERT INTO ${table} VALUES (0, NULL)`);
    for (const [index, [value]] of c.samples.entries()) {
      const check = encodeCell(c.from, value);
      // autoNumber is read-only through the API; its values are bound as they are.
      const bound = check.ok
        ? check.value
        : c.from.type === 'autoNumber'
          ? value
          : expect.fail(JSON.stringify(check));
      await client.query(`INSERT INTO ${table} VALUES ($1, $2)`, [index + 1, bound]);
    }
    return table;
  }

  async function readBack(table: string, c: ChangeCase): Promise<unknown[]> {
    const result = await client.query<{ c: unknown }>(`SELECT "c" FROM ${table} WHERE id > 0 ORDER BY id`);
    const column = columnOf(c.to.type, { options: c.to.options });
    return result.rows.map((row) => decodeCell(column, row.c));
  }

  for (const c of CASES) {
    const name = c.label ?? `${c.from.type} → ${c.to.type}`;

    it(name, async () => {
      const plan = typeChangePlan(c.from, c.to);
      expect(plan, 'a plan').not.to.equal(undefined);
      const failing = plan!.failing('"c"');
      const expectedFailing = c.samples.flatMap(([, expected], i) => (expected === FAILS ? [i + 1] : []));
      const expectedValues = c.samples.map(([, expected]) => (expected === FAILS ? null : expected));
      const alter = (table: string) =>
        `ALTER TABLE ${table} ALTER COLUMN "c" TYPE ${sqlTypeOf(c.to)} USING ${plan!.using('"c"')}`;

      const table = await tableOf(c);
      if (failing === undefined) {
        expect(expectedFailing, 'samples that fail a conversion that cannot').to.deep.equal([]);
      } else {
        const selected = await client.query<{ id: number }>(
          `SELECT id FROM ${table} WHERE ${failing} ORDER BY id`,
        );
        expect(selected.rows.map((r) => r.id)).to.deep.equal(expectedFailing);
        const nulls = await client.query(`SELECT ${failing} AS f FROM ${table} WHERE id = 0`);
        expect(nulls.rows.map((r: { f: unknown }) => r.f)).to.deep.equal(
          c.from.type === 'autoNumber' ? [] : [false],
        );
        await client.query(`UPDATE ${table} SET "c" = NULL WHERE ${failing}`);
      }
      await client.query(alter(table));
      expect(await readBack(table, c)).to.deep.equal(expectedValues);

      // Not cleared first: USING turns what does not convert into NULL rather than raising.
      const uncleared = await tableOf(c);
      await client.query(alter(uncleared));
      expect(await readBack(uncleared, c)).to.deep.equal(expectedValues);
    });
  }

  /**
   * The unit tests' round trip simulates PostgreSQL and node-postgres (driver-values.ts); here the
   * real ones check the simulation, and that every bound value is one PostgreSQL accepts.
   */
  describe('encodeCell values through PostgreSQL and back', () => {
    const ROUND_TRIPS: [Column, unknown, unknown][] = [
      [of('text'), 'añ😀 \\ \'"', 'añ😀 \\ \'"'],
      [of('integer'), '-9223372036854775808', '-9223372036854775808'],
      [of('integer'), 9007199254740991, 9007199254740991],
      [of('decimal', { precision: 2 }), '0.005', 0.01],
      [of('decimal', { precision: 2 }), '-0.005', -0.01],
      [of('decimal', { precision: 2 }), -0.004, 0],
      [of('decimal', { precision: 7 }), 1e-7, 1e-7],
      [of('decimal', { precision: 0 }), 1e21, '1000000000000000000000'],
      [of('decimal', { precision: 2 }), `${nines(36)}.994`, `${nines(36)}.99`],
      [of('boolean'), false, false],
      [of('date'), '0001-01-01', '0001-01-01'],
      [of('date'), '2024-02-29', '2024-02-29'],
      [of('dateTime'), '0001-01-01T00:00:00.001Z', '0001-01-01T00:00:00.001Z'],
      [of('dateTime'), '2024-03-01T12:00:00.123+05:45', '2024-03-01T06:15:00.123Z'],
      [of('singleSelect', { choices: SOURCE_CHOICES }), "it's", "it's"],
      [of('multiSelect', { choices: SOURCE_CHOICES }), ['a, b', 'Todo'], ['a, b', 'Todo']],
      [of('user'), USER.toUpperCase(), USER],
      [of('attachment'), [FILE], [FILE]],
    ];

    for (const [column, value, expected] of ROUND_TRIPS) {
      it(`${column.type} ${JSON.stringify(value)}`, async () => {
        const check = encodeCell(column, value);
        if (!check.ok) expect.fail(JSON.stringify(check));
        const { rows } = await client.query<{ c: unknown }>(`SELECT $1::${sqlTypeOf(column)} AS c`, [
          check.value,
        ]);
        const decoded = decodeCell(column, rows[0]?.c);
        expect(decoded).to.deep.equal(expected);
        // Asia/Kolkata, the session's zone, is 330 minutes east of UTC.
        expect(decodeCell(column, driverValueOf(column, check.value, 330))).to.deep.equal(decoded);
      });
    }
  });
});
