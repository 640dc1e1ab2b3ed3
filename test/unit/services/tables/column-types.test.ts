import { expect } from 'chai';
import type { CellCheck, ColumnType } from '../../../../dataplane/src/services/tables/column.js';
import { COLUMN_TYPES } from '../../../../dataplane/src/services/tables/column.js';
import {
  decodeCell,
  encodeCell,
  isStoredType,
  isWritableType,
  logicalTypeOf,
  sqlTypeOf,
} from '../../../../dataplane/src/services/tables/column-types.js';
import { columnOf } from './column-fixtures.js';

const ID = '0190C6A8-0000-7000-8000-00000000AAAA';
const id = ID.toLowerCase();

/** The value encodeCell binds; fails the test when it refuses. */
function bound(type: ColumnType, value: unknown, overrides: Parameters<typeof columnOf>[1] = {}): unknown {
  const check = encodeCell(columnOf(type, overrides), value);
  expect(check, JSON.stringify(check)).to.have.property('ok', true);
  return (check as { value: unknown }).value;
}

/** The refusal's code (and detail); fails the test when it accepts. */
function refusal(type: ColumnType, value: unknown, overrides: Parameters<typeof columnOf>[1] = {}) {
  const check: CellCheck = encodeCell(columnOf(type, overrides), value);
  if (check.ok)
    expect.fail(`accepted ${JSON.stringify(value)?.slice(0, 50)} as ${JSON.stringify(check.value)}`);
  return check.problem;
}

const STORED: ColumnType[] = [
  'text',
  'longText',
  'integer',
  'decimal',
  'boolean',
  'date',
  'dateTime',
  'singleSelect',
  'multiSelect',
  'user',
  'attachment',
  'autoNumber',
];
const READ_ONLY: ColumnType[] = [
  'autoNumber',
  'formula',
  'lookup',
  'rollup',
  'createdTime',
  'modifiedTime',
  'createdBy',
  'modifiedBy',
];

describe('column type registry', () => {
  it('isStoredType: the types with a physical column of their own', () => {
    expect(COLUMN_TYPES.filter(isStoredType)).to.deep.equal(STORED);
  });

  it('isWritableType: all but computed and system-filled types (link is writable)', () => {
    expect(COLUMN_TYPES.filter((t) => !isWritableType(t))).to.have.members(READ_ONLY);
    expect(isWritableType('link')).to.equal(true);
  });

  it('sqlTypeOf', () => {
    const types = Object.fromEntries(COLUMN_TYPES.map((t) => [t, sqlTypeOf(columnOf(t))]));
    expect(types).to.deep.equal({
      text: 'text',
      longText: 'text',
      integer: 'bigint',
      decimal: 'numeric(38, 2)',
      boolean: 'boolean',
      date: 'date',
      dateTime: 'timestamptz',
      singleSelect: 'text',
      multiSelect: 'jsonb',
      user: 'uuid',
      attachment: 'jsonb',
      link: undefined,
      lookup: undefined,
      rollup: undefined,
      formula: undefined,
      autoNumber: 'bigint',
      createdTime: undefined,
      modifiedTime: undefined,
      createdBy: undefined,
      modifiedBy: undefined,
    });
    expect(sqlTypeOf({ type: 'decimal', options: { precision: 0 } })).to.equal('numeric(38, 0)');
    expect(sqlTypeOf({ type: 'decimal', options: {} })).to.equal('numeric(38, 2)');
  });

  it('logicalTypeOf', () => {
    const types = Object.fromEntries(COLUMN_TYPES.map((t) => [t, logicalTypeOf(columnOf(t))]));
    expect(types).to.deep.equal({
      text: 'text',
      longText: 'text',
      integer: 'integer',
      decimal: 'number',
      boolean: 'boolean',
      date: 'date',
      dateTime: 'datetime',
      singleSelect: 'text',
      multiSelect: 'json',
      user: 'uuid',
      attachment: 'json',
      link: 'json',
      lookup: 'json',
      rollup: 'number', // the fixture sums
      formula: 'unknown',
      autoNumber: 'integer',
      createdTime: 'datetime',
      modifiedTime: 'datetime',
      createdBy: 'uuid',
      modifiedBy: 'uuid',
    });
  });

  it('logicalTypeOf rollups: count integer, sum/avg number, min/max unknown (the field decides)', () => {
    const rollup = (aggregate: string) => logicalTypeOf({ type: 'rollup', options: { aggregate } });
    expect(['count', 'sum', 'avg', 'min', 'max'].map(rollup)).to.deep.equal([
      'integer',
      'number',
      'number',
      'unknown',
      'unknown',
    ]);
  });
});

describe('encodeCell', () => {
  describe('null, required and read-only', () => {
    it('null and undefined clear a cell of any writable type', () => {
      for (const type of COLUMN_TYPES.filter(isWritableType)) {
        expect(encodeCell(columnOf(type), null), type).to.deep.equal({ ok: true, value: null });
        expect(encodeCell(columnOf(type), undefined), type).to.deep.equal({ ok: true, value: null });
      }
    });

    it('required refuses null, the empty string and the empty array', () => {
      for (const [type, value] of [
        ['text', null],
        ['text', ''],
        ['longText', undefined],
        ['integer', ''],
        ['multiSelect', []],
        ['link', []],
        ['attachment', []],
      ] as const) {
        expect(refusal(type, value, { required: true }), `${type} ${JSON.stringify(value)}`).to.deep.equal({
          code: 'required',
          detail: 'a value is required',
        });
      }
      expect(bound('text', ' ', { required: true })).to.equal(' ');
      expect(bound('boolean', false, { required: true })).to.equal(false);
      expect(bound('integer', 0, { required: true })).to.equal(0);
    });

    it('the empty string is text (not NULL) when the column is optional', () => {
      expect(bound('text', '')).to.equal('');
      expect(bound('longText', '')).to.equal('');
      expect(bound('multiSelect', [])).to.equal('[]');
      expect(bound('link', [])).to.deep.equal([]);
    });

    for (const type of READ_ONLY) {
      it(`${type} refuses every value, null included`, () => {
        for (const value of [null, 1, 'x', [], {}]) {
          expect(refusal(type, value).code).to.equal('read_only_field');
        }
      });
    }
  });

  describe('text and longText', () => {
    it('keeps strings as given', () => {
      expect(bound('text', '  padded  ')).to.equal('  padded  ');
      expect(bound('text', '😀 emoji')).to.equal('😀 emoji');
    });

    it('limits text to 100 000 and longText to 1 000 000 characters (code points)', () => {
      expect(bound('text', 'x'.repeat(100_000))).to.have.length(100_000);
      expect(refusal('text', 'x'.repeat(100_001))).to.deep.equal({
        code: 'invalid_value',
        detail: 'must be at most 100000 characters',
      });
      expect(bound('text', '😀'.repeat(100_000))).to.have.length(200_000);
      expect(bound('longText', 'x'.repeat(1_000_000))).to.have.length(1_000_000);
      expect(refusal('longText', 'x'.repeat(1_000_001)).code).to.equal('invalid_value');
    });

    it('applies the maxLength rule', () => {
      expect(bound('text', 'abc', { rules: { maxLength: 3 } })).to.equal('abc');
      expect(refusal('text', 'abcd', { rules: { maxLength: 3 } })).to.deep.equal({
        code: 'invalid_value',
        detail: 'must be at most 3 characters',
      });
      expect(bound('longText', '😀😀😀', { rules: { maxLength: 3 } })).to.equal('😀😀😀');
    });

    it('refuses what PostgreSQL cannot store and non-strings', () => {
      expect(refusal('text', 'a\u0000b').code).to.equal('invalid_value');
      expect(refusal('text', 'lone \uD800 half').code).to.equal('invalid_value');
      for (const value of [1, true, ['a'], { a: 1 }]) {
        expect(refusal('text', value).code).to.equal('invalid_value');
      }
      expect(refusal('text', { a: 1 }).detail).to.equal('expected a string, got an object');
    });
  });

  describe('integer', () => {
    it('takes safe integers as numbers', () => {
      expect(bound('integer', 42)).to.equal(42);
      expect(bound('integer', -(2 ** 53 - 1))).to.equal(-(2 ** 53 - 1));
      expect(Object.is(bound('integer', -0), 0)).to.equal(true);
    });

    it('takes strings of digits, bound as numbers when safe, else as canonical strings', () => {
      expect(bound('integer', '42')).to.equal(42);
      expect(bound('integer', '-0042')).to.equal(-42);
      expect(bound('integer', '9223372036854775807')).to.equal('9223372036854775807');
      expect(bound('integer', '-9223372036854775808')).to.equal('-9223372036854775808');
      expect(bound('integer', '0009007199254740993')).to.equal('9007199254740993');
    });

    it('refuses beyond bigint as out_of_range', () => {
      expect(refusal('integer', '9223372036854775808').code).to.equal('out_of_range');
      expect(refusal('integer', '-9223372036854775809').code).to.equal('out_of_range');
      expect(refusal('integer', '1'.repeat(10_000)).code).to.equal('out_of_range');
    });

    it('refuses fractions, unsafe doubles, non-digit strings and other types', () => {
      for (const value of [
        1.5,
        2 ** 53,
        1e300,
        Infinity,
        Number.NaN,
        '1.0',
        ' 1',
        '+1',
        '1e3',
        '',
        '0x10',
        true,
        [1],
      ]) {
        expect(refusal('integer', value).code, JSON.stringify(value)).to.equal('invalid_value');
      }
    });

    it('applies minValue and maxValue exactly', () => {
      const rules = { minValue: -10, maxValue: 10 };
      expect(bound('integer', 10, { rules })).to.equal(10);
      expect(bound('integer', '-10', { rules })).to.equal(-10);
      expect(refusal('integer', 11, { rules })).to.deep.equal({
        code: 'out_of_range',
        detail: 'must be at most 10',
      });
      expect(refusal('integer', '-11', { rules })).to.deep.equal({
        code: 'out_of_range',
        detail: 'must be at least -10',
      });
      // A double would read 10^18 + 1 as 10^18.
      const big = { maxValue: 1e18 };
      expect(bound('integer', '1000000000000000000', { rules: big })).to.equal('1000000000000000000');
      expect(refusal('integer', '1000000000000000001', { rules: big }).code).to.equal('out_of_range');
    });
  });

  describe('decimal', () => {
    it('binds numbers and decimal strings unrounded (the database rounds)', () => {
      expect(bound('decimal', 1.239)).to.equal(1.239);
      expect(bound('decimal', '1.239')).to.equal('1.239');
      expect(bound('decimal', '-0.5')).to.equal('-0.5');
      expect(bound('decimal', 12)).to.equal(12);
      expect(bound('decimal', 1e-7)).to.equal(1e-7);
    });

    it('refuses what does not fit numeric(38, precision) after rounding', () => {
      const p2 = { options: { precision: 2 } };
      expect(bound('decimal', `${'9'.repeat(36)}.994`, p2)).to.equal(`${'9'.repeat(36)}.994`);
      expect(refusal('decimal', `${'9'.repeat(36)}.995`, p2)).to.deep.equal({
        code: 'out_of_range',
        detail: 'must have at most 36 digits before the point',
      });
      expect(refusal('decimal', `1${'0'.repeat(36)}`, p2).code).to.equal('out_of_range');
      expect(bound('decimal', `000${'9'.repeat(36)}`, p2)).to.equal(`000${'9'.repeat(36)}`);
      const p0 = { options: { precision: 0 } };
      expect(bound('decimal', '9'.repeat(38), p0)).to.equal('9'.repeat(38));
      expect(refusal('decimal', `${'9'.repeat(38)}.5`, p0).code).to.equal('out_of_range');
      expect(bound('decimal', `${'9'.repeat(38)}.4`, p0)).to.equal(`${'9'.repeat(38)}.4`);
      expect(refusal('decimal', 1e36, p2).code).to.equal('out_of_range');
      expect(bound('decimal', 9.99e35, p2)).to.equal(9.99e35);
      const p10 = { options: { precision: 10 } };
      expect(refusal('decimal', `${'9'.repeat(28)}.99999999995`, p10).code).to.equal('out_of_range');
      expect(bound('decimal', `${'9'.repeat(28)}.99999999994`, p10)).to.be.a('string');
    });

    it('limits digits after the point to 100', () => {
      expect(bound('decimal', `0.${'1'.repeat(100)}`)).to.be.a('string');
      expect(refusal('decimal', `0.${'1'.repeat(101)}`).code).to.equal('invalid_value');
    });

    it('refuses other forms and types', () => {
      for (const value of [
        '1e5',
        '.5',
        '5.',
        '+1',
        ' 1',
        '1,5',
        '',
        'NaN',
        Infinity,
        Number.NaN,
        true,
        [1],
        {},
      ]) {
        expect(refusal('decimal', value).code, JSON.stringify(value)).to.equal('invalid_value');
      }
    });

    it('compares minValue and maxValue exactly, before rounding', () => {
      const rules = { minValue: 0, maxValue: 1 };
      expect(bound('decimal', '1.000000000000000000000', { rules })).to.equal('1.000000000000000000000');
      expect(refusal('decimal', '1.0000000000000000000001', { rules })).to.deep.equal({
        code: 'out_of_range',
        detail: 'must be at most 1',
      });
      expect(refusal('decimal', -1e-20, { rules }).code).to.equal('out_of_range');
      expect(bound('decimal', '-0.000', { rules })).to.equal('-0.000');
      expect(refusal('decimal', 0.5, { rules: { minValue: 0.75 } }).detail).to.equal('must be at least 0.75');
    });
  });

  describe('boolean', () => {
    it('takes true and false only', () => {
      expect(bound('boolean', true)).to.equal(true);
      expect(bound('boolean', false)).to.equal(false);
      for (const value of ['true', 1, 0, 'yes', [], {}]) {
        expect(refusal('boolean', value).code).to.equal('invalid_value');
      }
    });
  });

  describe('date', () => {
    it('takes calendar days YYYY-MM-DD of years 0001–9999', () => {
      for (const value of ['2024-02-29', '0001-01-01', '9999-12-31', '2023-12-31']) {
        expect(bound('date', value)).to.equal(value);
      }
    });

    it('refuses impossible days and other forms', () => {
      for (const value of [
        '2023-02-29',
        '2023-04-31',
        '2023-13-01',
        '2023-00-10',
        '2023-01-00',
        '0000-01-01',
        '10000-01-01',
        '2023-1-1',
        '2023-01-01T00:00:00Z',
        '20230101',
        ' 2023-01-01',
        20230101,
        {},
      ]) {
        expect(refusal('date', value).code, JSON.stringify(value)).to.equal('invalid_value');
      }
    });
  });

  describe('dateTime', () => {
    it('normalises ISO 8601 to UTC with milliseconds', () => {
      const cases: [string, string][] = [
        ['2024-03-01T12:34:56.789Z', '2024-03-01T12:34:56.789Z'],
        ['2024-03-01T12:34:56Z', '2024-03-01T12:34:56.000Z'],
        ['2024-03-01T12:34Z', '2024-03-01T12:34:00.000Z'],
        ['2024-03-01T12:34:56', '2024-03-01T12:34:56.000Z'],
        ['2024-03-01 12:34:56+02:00', '2024-03-01T10:34:56.000Z'],
        ['2024-03-01T00:30:00-0130', '2024-03-01T02:00:00.000Z'],
        ['2024-03-01T00:30:00+05', '2024-02-29T19:30:00.000Z'],
        ['2024-03-01T12:34:56.123456789Z', '2024-03-01T12:34:56.123Z'],
        ['2024-03-01t12:34:56.1z', '2024-03-01T12:34:56.100Z'],
        ['2024-03-01', '2024-03-01T00:00:00.000Z'],
        ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
        ['0050-06-15T00:00:00Z', '0050-06-15T00:00:00.000Z'],
        ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      ];
      for (const [given, normalised] of cases) expect(bound('dateTime', given), given).to.equal(normalised);
    });

    it('refuses invalid instants, zones past ±15:59 and instants outside years 0001–9999 in UTC', () => {
      for (const value of [
        '2024-02-30T00:00:00Z',
        '2024-03-01T24:00:00Z',
        '2024-03-01T12:60:00Z',
        '2024-03-01T12:00:60Z',
        '2024-03-01T12:00:00+16:00',
        '2024-03-01T12:00:00+05:60',
        '2024-03-01T12',
        '2024-03-01Z',
        '0001-01-01T00:00:00+01:00',
        '9999-12-31T23:00:00-01:00',
        'yesterday',
        1709294096000,
        new Date(0),
      ]) {
        expect(refusal('dateTime', value).code, String(value)).to.equal('invalid_value');
      }
    });
  });

  describe('singleSelect and multiSelect', () => {
    it('singleSelect takes a choice name exactly', () => {
      expect(bound('singleSelect', 'Done')).to.equal('Done');
      expect(refusal('singleSelect', 'done')).to.deep.equal({
        code: 'invalid_choice',
        detail: '"done" is not one of the choices',
      });
      expect(refusal('singleSelect', ' Done').code).to.equal('invalid_choice');
      expect(refusal('singleSelect', '').code).to.equal('invalid_choice');
      expect(refusal('singleSelect', ['Done']).code).to.equal('invalid_value');
    });

    it('never echoes more than ~100 characters of the input', () => {
      expect(refusal('singleSelect', 'x'.repeat(100_000)).detail.length).to.be.below(130);
      expect(refusal('multiSelect', ['x'.repeat(100_000)]).detail.length).to.be.below(130);
    });

    it('multiSelect takes distinct choice names in order, bound as JSON', () => {
      expect(bound('multiSelect', ['Done', 'Todo'])).to.equal('["Done","Todo"]');
      expect(refusal('multiSelect', ['Done', 'Done'])).to.deep.equal({
        code: 'invalid_value',
        detail: '"Done" is chosen twice',
      });
      expect(refusal('multiSelect', ['Done', 'Nope']).code).to.equal('invalid_choice');
      expect(refusal('multiSelect', 'Done').code).to.equal('invalid_value');
      expect(refusal('multiSelect', ['Done', 1]).code).to.equal('invalid_value');
    });

    it('multiSelect holds at most 500 names', () => {
      const choices = Array.from({ length: 500 }, (_, i) => ({ name: `c${i}`, color: 'blue' }));
      const names = choices.map((c) => c.name);
      expect(JSON.parse(bound('multiSelect', names, { options: { choices } }) as string)).to.have.length(500);
      expect(refusal('multiSelect', [...names, 'c0'], { options: { choices } }).code).to.equal(
        'invalid_value',
      );
    });
  });

  describe('user', () => {
    it('takes a UUID, lower-cased', () => {
      expect(bound('user', ID)).to.equal(id);
      for (const value of ['not-a-uuid', `${id}x`, 42, { id }]) {
        expect(refusal('user', value).code).to.equal('invalid_value');
      }
    });
  });

  describe('attachment', () => {
    const file = { id: ID, name: 'report.pdf', size: 1024, mimeType: 'application/pdf' };

    it('takes descriptors, bound as JSON with lower-cased ids', () => {
      expect(JSON.parse(bound('attachment', [file]) as string)).to.deep.equal([{ ...file, id }]);
      expect(bound('attachment', [])).to.equal('[]');
      expect(JSON.parse(bound('attachment', Array(100).fill(file)) as string)).to.have.length(100);
    });

    it('refuses more than 100, other shapes and other members', () => {
      expect(refusal('attachment', Array(101).fill(file)).code).to.equal('invalid_value');
      for (const bad of [
        { ...file, id: 'x' },
        { ...file, name: '' },
        { ...file, name: 'a\u0000' },
        { ...file, size: -1 },
        { ...file, size: 1.5 },
        { ...file, size: '10' },
        { ...file, mimeType: '' },
        { ...file, mimeType: 'text/plain\n' },
        { ...file, url: 'https://example.com' },
        { id: ID, name: 'x', size: 1 },
        'report.pdf',
        null,
      ]) {
        expect(refusal('attachment', [bad]), JSON.stringify(bad)).to.deep.equal({
          code: 'invalid_value',
          detail: 'attachment 0 must be {id: UUID, name, size: integer ≥ 0, mimeType} and nothing else',
        });
      }
      expect(refusal('attachment', file).code).to.equal('invalid_value');
    });
  });

  describe('link', () => {
    it('takes distinct row ids, lower-cased, as an array', () => {
      const other = '0190c6a8-0000-7000-8000-00000000bbbb';
      expect(bound('link', [ID, other])).to.deep.equal([id, other]);
      expect(refusal('link', [ID, id])).to.deep.equal({
        code: 'invalid_value',
        detail: `row ${id} is linked twice`,
      });
      expect(refusal('link', ['x']).code).to.equal('invalid_value');
      expect(refusal('link', id).code).to.equal('invalid_value');
    });

    it('links at most 10 000 rows', () => {
      const ids = Array.from(
        { length: 10_001 },
        (_, i) => `0190c6a8-0000-7000-8000-${String(i).padStart(12, '0')}`,
      );
      expect(bound('link', ids.slice(0, 10_000))).to.have.length(10_000);
      expect(refusal('link', ids).code).to.equal('invalid_value');
    });
  });
});

describe('decodeCell', () => {
  const decode = (type: ColumnType, raw: unknown, overrides: Parameters<typeof columnOf>[1] = {}) =>
    decodeCell(columnOf(type, overrides), raw);

  it('null and undefined are null for every type', () => {
    for (const type of COLUMN_TYPES) {
      expect(decode(type, null)).to.equal(null);
      expect(decode(type, undefined)).to.equal(null);
    }
  });

  it('bigint and numeric as numbers while exact, else as strings', () => {
    expect(decode('integer', '42')).to.equal(42);
    expect(decode('integer', 42)).to.equal(42); // a pool whose int8 parser makes numbers
    expect(decode('integer', '9223372036854775807')).to.equal('9223372036854775807');
    expect(decode('autoNumber', '7')).to.equal(7);
    expect(decode('decimal', '1.50')).to.equal(1.5);
    expect(decode('decimal', '-0.00')).to.equal(0);
    expect(decode('decimal', '12345678901234567890.12')).to.equal('12345678901234567890.12');
  });

  it('dates from a Date use its local day (node-postgres parses date as local midnight)', () => {
    expect(decode('date', new Date(2024, 1, 29))).to.equal('2024-02-29');
    const early = new Date(2024, 0, 1);
    early.setFullYear(5);
    expect(decode('date', early)).to.equal('0005-01-01');
    expect(decode('date', '2024-02-29')).to.equal('2024-02-29');
    expect(decode('date', new Date(Number.NaN))).to.equal(null);
  });

  it('instants as ISO 8601 UTC from a Date or PostgreSQL text', () => {
    expect(decode('dateTime', new Date('2024-03-01T10:00:00.5Z'))).to.equal('2024-03-01T10:00:00.500Z');
    expect(decode('dateTime', '2024-03-01 12:00:00.123456+02')).to.equal('2024-03-01T10:00:00.123Z');
    expect(decode('createdTime', new Date(0))).to.equal('1970-01-01T00:00:00.000Z');
    expect(decode('modifiedTime', '2024-03-01 10:00:00+00')).to.equal('2024-03-01T10:00:00.000Z');
  });

  it('jsonb as parsed (and json text parsed)', () => {
    expect(decode('multiSelect', ['Done'])).to.deep.equal(['Done']);
    expect(decode('multiSelect', '["Done"]')).to.deep.equal(['Done']);
    expect(decode('attachment', [{ id }])).to.deep.equal([{ id }]);
    expect(decode('link', [id])).to.deep.equal([id]);
    expect(decode('lookup', [1, 'a'])).to.deep.equal([1, 'a']);
  });

  it('uuids lower-cased, text and booleans as they are', () => {
    expect(decode('user', ID)).to.equal(id);
    expect(decode('createdBy', ID)).to.equal(id);
    expect(decode('text', ' x ')).to.equal(' x ');
    expect(decode('singleSelect', 'Done')).to.equal('Done');
    expect(decode('boolean', false)).to.equal(false);
  });

  it('rollups: numbers for count/sum/avg, min/max passed on', () => {
    const rollup = (aggregate: string) => ({ options: { link: id, field: 'x', aggregate } });
    expect(decode('rollup', '12.50', rollup('sum'))).to.equal(12.5);
    expect(decode('rollup', '3', rollup('count'))).to.equal(3);
    expect(decode('rollup', 'Zed', rollup('max'))).to.equal('Zed');
    expect(decode('rollup', new Date(0), rollup('min'))).to.equal('1970-01-01T00:00:00.000Z');
  });

  it('formula results passed on, dates as ISO', () => {
    expect(decode('formula', 'x')).to.equal('x');
    expect(decode('formula', new Date(0))).to.equal('1970-01-01T00:00:00.000Z');
    expect(decode('formula', 10n)).to.equal('10');
  });
});
