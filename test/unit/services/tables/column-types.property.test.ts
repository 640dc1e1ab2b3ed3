import { expect } from 'chai';
import fc from 'fast-check';
import type { Column, ColumnType } from '../../../../dataplane/src/services/tables/column.js';
import { COLUMN_TYPES } from '../../../../dataplane/src/services/tables/column.js';
import {
  decodeCell,
  encodeCell,
  isWritableType,
} from '../../../../dataplane/src/services/tables/column-types.js';
import {
  compareDecimals,
  decimalOfNumber,
  fitsNumeric,
  parseDecimalText,
} from '../../../../dataplane/src/platform/decimal.js';
import { columnOf } from './column-fixtures.js';
import { driverValueOf, roundedNumericText } from './driver-values.js';

/** Choice names that would break naive quoting or joining. */
const NAMES = ['Todo', "it's", 'a, b', '"quoted"', 'back\\slash', 'Ünïcode ✓', '😀'];
const CHOICES = NAMES.map((name) => ({ name, color: 'blue' }));

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/** Inputs close enough to valid ones to reach the deeper checks of every encoder. */
const nearlyValid = fc.oneof(
  anything,
  fc.string(),
  fc.double(),
  fc.bigInt().map(String),
  fc.constantFrom(...NAMES, '2024-02-29', '2023-02-29T10:00:00+05:30', '9'.repeat(40), '-0.5'),
  fc.array(fc.oneof(fc.constantFrom(...NAMES), fc.uuid(), fc.string()), { maxLength: 5 }),
  fc.array(
    fc.record(
      { id: fc.uuid(), name: fc.string(), size: fc.integer(), mimeType: fc.string() },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
);

const columns = fc.record({
  type: fc.constantFrom(...COLUMN_TYPES),
  required: fc.boolean(),
  precision: fc.integer({ min: 0, max: 10 }),
  rules: fc.constantFrom({}, { minValue: -1.5, maxValue: 1e20 }, { maxLength: 3 }),
});

function columnFrom(spec: {
  type: ColumnType;
  required: boolean;
  precision: number;
  rules: Column['rules'];
}) {
  const column = columnOf(spec.type, { required: spec.required, rules: spec.rules });
  if (spec.type === 'decimal') column.options = { precision: spec.precision };
  if (spec.type === 'singleSelect' || spec.type === 'multiSelect') column.options = { choices: CHOICES };
  return column;
}

describe('column type codec properties', () => {
  it('encodeCell never throws, and answers a bound value or a coded, short problem', () => {
    fc.assert(
      fc.property(columns, nearlyValid, (spec, value) => {
        const check = encodeCell(columnFrom(spec), value);
        if (check.ok) {
          expect(isWritableType(spec.type)).to.equal(true);
          return;
        }
        expect(check.problem.code).to.match(
          /^(invalid_value|invalid_choice|out_of_range|required|read_only_field)$/,
        );
        expect(check.problem.detail).to.be.a('string').with.length.below(200);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeCell never throws', () => {
    fc.assert(
      fc.property(columns, anything, (spec, raw) => {
        decodeCell(columnFrom(spec), raw);
      }),
      { numRuns: 2000 },
    );
  });

  describe('round trip: decodeCell(driver value of encodeCell(v)) is the normalised v', () => {
    /** A valid API value of the column and the value the API answers for it afterwards. */
    type Case = { column: Column; value: unknown; expected: unknown };

    function roundTrip({ column, value, expected }: Case, sessionOffsetMinutes = 0): void {
      const check = encodeCell(column, value);
      expect(check, JSON.stringify(value)).to.have.property('ok', true);
      const bound = (check as { value: unknown }).value;
      const decoded = decodeCell(column, driverValueOf(column, bound, sessionOffsetMinutes));
      expect(decoded).to.deep.equal(expected);
      // What the API answers can be written back unchanged.
      const again = encodeCell(column, decoded);
      expect(again.ok && decodeCell(column, driverValueOf(column, again.value))).to.deep.equal(expected);
    }

    const same = (type: ColumnType) => (value: unknown) => ({
      column: columnOf(type),
      value,
      expected: value,
    });
    const noNul = (s: string) => !s.includes('\u0000');

    it('text and longText', () => {
      const text = fc.string({ unit: 'binary', maxLength: 60 }).filter(noNul);
      fc.assert(fc.property(text.map(same('text')), (c) => roundTrip(c)));
      fc.assert(fc.property(text.map(same('longText')), (c) => roundTrip(c)));
    });

    it('integer: numbers while safe, canonical digit strings beyond', () => {
      const bigints = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      const asNumber = (n: bigint) => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString());
      const cases = fc.oneof(
        fc
          .maxSafeInteger()
          .map((n) => ({ column: columnOf('integer'), value: n, expected: n === 0 ? 0 : n })),
        bigints.map((n) => ({ column: columnOf('integer'), value: n.toString(), expected: asNumber(n) })),
      );
      fc.assert(fc.property(cases, (c) => roundTrip(c)));
    });

    it('decimal: rounded by the database to the precision, numbers while exact', () => {
      const cases = fc
        .record({
          precision: fc.integer({ min: 0, max: 10 }),
          mantissa: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
          scale: fc.integer({ min: 0, max: 14 }),
          asNumber: fc.boolean(),
        })
        .map(({ precision, mantissa, scale, asNumber }) => {
          const text = decimalText(mantissa, scale);
          const number = Number(text);
          // A number only where the double prints as exactly this decimal.
          const value = asNumber && decimalEquals(String(number), text) ? number : text;
          const pgText = roundedNumericText(text, precision);
          // Values that do not fit numeric(38, precision) are refused (see fitsNumeric below).
          const fits = pgText.replace('-', '').split('.')[0]!.length <= 38 - precision;
          const column = columnOf('decimal', { options: { precision } });
          return fits ? { column, value, expected: apiNumber(pgText) } : undefined;
        })
        .filter((c) => c !== undefined);
      fc.assert(
        fc.property(cases, (c) => roundTrip(c)),
        { numRuns: 500 },
      );
    });

    it('boolean, user (lower-cased), selects', () => {
      fc.assert(fc.property(fc.boolean().map(same('boolean')), (c) => roundTrip(c)));
      const users = fc
        .uuid()
        .chain((id) =>
          fc
            .constantFrom(id, id.toUpperCase())
            .map((value) => ({ column: columnOf('user'), value, expected: id })),
        );
      fc.assert(fc.property(users, (c) => roundTrip(c)));
      const single = fc.constantFrom(...NAMES).map((value) => ({
        column: columnOf('singleSelect', { options: { choices: CHOICES } }),
        value,
        expected: value,
      }));
      fc.assert(fc.property(single, (c) => roundTrip(c)));
      const multi = fc.shuffledSubarray(NAMES).map((value) => ({
        column: columnOf('multiSelect', { options: { choices: CHOICES } }),
        value,
        expected: value,
      }));
      fc.assert(fc.property(multi, (c) => roundTrip(c)));
    });

    it('attachment: descriptors with lower-cased ids', () => {
      const file = fc.record({
        id: fc.uuid(),
        name: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter(noNul),
        size: fc.maxSafeNat(),
        mimeType: fc.constantFrom('image/png', 'application/pdf', 'text/plain; charset=utf-8'),
      });
      const cases = fc.array(file, { maxLength: 4 }).map((files) => ({
        column: columnOf('attachment'),
        value: files.map((f) => ({ ...f, id: f.id.toUpperCase() })),
        expected: files,
      }));
      fc.assert(fc.property(cases, (c) => roundTrip(c)));
    });

    const instants = fc.date({
      min: new Date('0001-01-02T00:00:00.000Z'),
      max: new Date('9999-12-30T23:59:59.999Z'),
      noInvalidDate: true,
    });

    it('dateTime: any ISO form and zone, read back in sessions of any zone', () => {
      const cases = fc
        .record({
          instant: instants,
          offset: fc.integer({ min: -15 * 60 - 59, max: 15 * 60 + 59 }),
          separator: fc.constantFrom('T', ' '),
          withMillis: fc.boolean(),
          session: fc.constantFrom(0, 330, -480, 345, 14 * 60, -12 * 60),
        })
        .map(({ instant, offset, separator, withMillis, session }) => {
          const at = withMillis ? instant : new Date(instant.getTime() - instant.getUTCMilliseconds());
          const value = isoText(at, offset, separator, withMillis);
          return { case: { column: columnOf('dateTime'), value, expected: at.toISOString() }, session };
        });
      fc.assert(
        fc.property(cases, (c) => roundTrip(c.case, c.session)),
        { numRuns: 500 },
      );
    });

    for (const zone of [
      'UTC',
      'America/Los_Angeles',
      'Pacific/Kiritimati',
      'Asia/Kolkata',
      'America/Sao_Paulo',
    ]) {
      it(`date: the same day back with the process in ${zone}`, () => {
        const saved = process.env.TZ;
        process.env.TZ = zone;
        try {
          const cases = instants.map((d) => same('date')(d.toISOString().slice(0, 10)));
          fc.assert(
            fc.property(cases, (c) => roundTrip(c)),
            { numRuns: 300 },
          );
        } finally {
          if (saved === undefined) delete process.env.TZ;
          else process.env.TZ = saved;
        }
      });
    }
  });

  describe('exact decimals', () => {
    const decimals = fc
      .record({
        mantissa: fc.bigInt({ min: -(10n ** 45n), max: 10n ** 45n }),
        scale: fc.integer({ min: 0, max: 20 }),
      })
      .map(({ mantissa, scale }) => ({
        scaled: mantissa * 10n ** BigInt(20 - scale),
        text: decimalText(mantissa, scale),
      }));

    it('compareDecimals orders as the exact values do', () => {
      fc.assert(
        fc.property(decimals, decimals, (a, b) => {
          const expected = a.scaled === b.scaled ? 0 : a.scaled < b.scaled ? -1 : 1;
          expect(compareDecimals(parseDecimalText(a.text)!, parseDecimalText(b.text)!)).to.equal(expected);
        }),
      );
    });

    it('decimalOfNumber is the decimal the double prints as', () => {
      fc.assert(
        fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
          const d = decimalOfNumber(n);
          const text = `${d.negative ? '-' : ''}${d.int || '0'}${d.frac ? `.${d.frac}` : ''}`;
          expect(Number(text)).to.equal(n === 0 ? 0 : n);
        }),
      );
    });

    it('fitsNumeric agrees with rounding to the precision', () => {
      const cases = fc.record({
        precision: fc.integer({ min: 0, max: 10 }),
        nines: fc.integer({ min: 26, max: 40 }),
        frac: fc.stringMatching(/^[0-9]{0,12}$/),
      });
      fc.assert(
        fc.property(cases, ({ precision, nines, frac }) => {
          const text = `${'9'.repeat(nines)}${frac ? `.${frac}` : ''}`;
          const rounded = roundedNumericText(text, precision).split('.')[0] ?? '';
          expect(fitsNumeric(parseDecimalText(text)!, 38 - precision, precision)).to.equal(
            rounded.length <= 38 - precision,
          );
        }),
      );
    });
  });
});

/**
 * How the API answers a numeric text: integers as numbers while safe; decimals as numbers when
 * they have at most 15 significant digits (every such decimal survives a double), else as text.
 */
function apiNumber(text: string): number | string {
  if (!text.includes('.')) return Number.isSafeInteger(Number(text)) ? Number(text) + 0 : text;
  const [int = '', frac = ''] = text.replace('-', '').split('.');
  const significant = int.replace(/^0+/, '') + frac.replace(/0+$/, '');
  return significant.length <= 15 ? Number(text) + 0 : text;
}

/** mantissa / 10^scale as a plain decimal text. */
function decimalText(mantissa: bigint, scale: number): string {
  const digits = (mantissa < 0n ? -mantissa : mantissa).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return mantissa < 0n ? `-${body}` : body;
}

/** Whether two plain decimal texts (String(number) may use an exponent) name the same value. */
function decimalEquals(printed: string, text: string): boolean {
  const a = parseDecimalText(printed);
  const b = parseDecimalText(text);
  return a !== undefined && b !== undefined && compareDecimals(a, b) === 0;
}

/** An ISO 8601 text of `instant` as seen in a zone `offset` minutes east of UTC. */
function isoText(instant: Date, offset: number, separator: string, withMillis: boolean): string {
  const local = new Date(instant.getTime() + offset * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const time = withMillis ? local.slice(11, 23) : local.slice(11, 19);
  const pad = (n: number) => String(n).padStart(2, '0');
  const zone =
    offset === 0
      ? 'Z'
      : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${local.slice(0, 10)}${separator}${time}${zone}`;
}
