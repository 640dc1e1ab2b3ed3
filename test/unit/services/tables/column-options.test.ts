import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../../../dataplane/src/platform/errors.js';
import { COLUMN_TYPES, type ColumnType } from '../../../../dataplane/src/services/tables/column.js';
import {
  CHOICE_COLORS,
  normalizeColumnOptions,
  normalizeColumnRules,
} from '../../../../dataplane/src/services/tables/column-types.js';
import { thrown } from './column-fixtures.js';

const UUID = '0190C6A8-0000-7000-8000-00000000000A';

/** The `errors` of the ValidationError `fn` throws, as `path: message` lines. */
function problemsOf(fn: () => unknown): string[] {
  const error = thrown(fn);
  expect(error).to.be.instanceOf(ValidationError);
  const validation = error as ValidationError;
  expect(validation.status).to.equal(422);
  expect(validation.message).to.equal(
    `${validation.errors[0]?.path}: ${validation.errors[0]?.message}` +
      (validation.errors.length > 1 ? ` (and ${validation.errors.length - 1} more)` : ''),
  );
  return validation.errors.map((e) => `${e.path}: ${e.message}`);
}

const options = (type: ColumnType, value: unknown) => () => normalizeColumnOptions(type, value);

describe('normalizeColumnOptions', () => {
  describe('selects', () => {
    for (const type of ['singleSelect', 'multiSelect'] as const) {
      it(`${type}: names become choices with palette colours handed out in turn`, () => {
        const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
        const { choices } = normalizeColumnOptions(type, { choices: names });
        expect(choices?.map((c) => c.color)).to.deep.equal([
          ...CHOICE_COLORS,
          CHOICE_COLORS[0],
          CHOICE_COLORS[1],
        ]);
      });
    }

    it('takes objects with or without a colour, trims names, keeps the order', () => {
      expect(
        normalizeColumnOptions('singleSelect', {
          choices: [{ name: ' Todo ', color: 'red' }, '  Done', { name: 'Later' }],
        }),
      ).to.deep.equal({
        choices: [
          { name: 'Todo', color: 'red' },
          { name: 'Done', color: 'cyan' },
          { name: 'Later', color: 'teal' },
        ],
      });
    });

    it('refuses duplicates after trimming, case-sensitively, naming the index', () => {
      expect(problemsOf(options('singleSelect', { choices: ['Done', 'done', 'x', ' Done '] }))).to.deep.equal(
        ['options.choices[3]: duplicate choice "Done"'],
      );
    });

    it('needs 1 to 500 choices', () => {
      expect(problemsOf(options('multiSelect', {}))).to.deep.equal(['options.choices: is required']);
      expect(problemsOf(options('multiSelect', undefined))).to.deep.equal(['options.choices: is required']);
      expect(problemsOf(options('multiSelect', { choices: [] }))[0]).to.match(/^options\.choices: must be/);
      expect(problemsOf(options('multiSelect', { choices: 'a,b' }))[0]).to.match(
        /^options\.choices: must be/,
      );
      const many = Array.from({ length: 501 }, (_, i) => `c${i}`);
      expect(problemsOf(options('multiSelect', { choices: many }))[0]).to.match(/^options\.choices: must be/);
      expect(normalizeColumnOptions('multiSelect', { choices: many.slice(0, 500) }).choices).to.have.length(
        500,
      );
    });

    it('refuses empty, long, non-string and control-character names', () => {
      const problems = problemsOf(
        options('singleSelect', {
          choices: ['ok', '   ', 'x'.repeat(101), 7, { name: 'a\u0000b' }, 'tab\there'],
        }),
      );
      expect(problems.map((p) => p.split(':')[0])).to.deep.equal([
        'options.choices[1]',
        'options.choices[2]',
        'options.choices[3]',
        'options.choices[4].name',
        'options.choices[5]',
      ]);
      expect(normalizeColumnOptions('singleSelect', { choices: ['x'.repeat(100)] }).choices).to.have.length(
        1,
      );
    });

    it('refuses unknown colours and unknown choice members', () => {
      expect(
        problemsOf(
          options('singleSelect', {
            choices: [
              { name: 'a', color: 'mauve' },
              { name: 'b', icon: 'x' },
            ],
          }),
        ),
      ).to.deep.equal([
        `options.choices[0].color: must be one of ${CHOICE_COLORS.join(', ')}`,
        'options.choices[1].icon: is not allowed',
      ]);
    });
  });

  describe('decimal', () => {
    it('defaults precision to 2 and takes integers 0–10', () => {
      expect(normalizeColumnOptions('decimal', undefined)).to.deep.equal({ precision: 2 });
      expect(normalizeColumnOptions('decimal', {})).to.deep.equal({ precision: 2 });
      expect(normalizeColumnOptions('decimal', { precision: 0 })).to.deep.equal({ precision: 0 });
      expect(normalizeColumnOptions('decimal', { precision: 10 })).to.deep.equal({ precision: 10 });
    });

    for (const precision of [-1, 11, 2.5, '2', null]) {
      it(`refuses precision ${JSON.stringify(precision)}`, () => {
        expect(problemsOf(options('decimal', { precision }))).to.deep.equal([
          'options.precision: must be an integer from 0 to 10',
        ]);
      });
    }
  });

  describe('formula', () => {
    it('keeps the formula as written', () => {
      expect(normalizeColumnOptions('formula', { formula: ' {A} +\n 1 ' })).to.deep.equal({
        formula: ' {A} +\n 1 ',
      });
      expect(normalizeColumnOptions('formula', { formula: 'x'.repeat(10_000) }).formula).to.have.length(
        10_000,
      );
    });

    for (const formula of ['', '   ', 'x'.repeat(10_001), 42, 'a\u0000']) {
      it(`refuses ${JSON.stringify(formula).slice(0, 20)}`, () => {
        expect(problemsOf(options('formula', { formula }))[0]).to.match(/^options\.formula: must be/);
      });
    }

    it('needs a formula', () => {
      expect(problemsOf(options('formula', {}))).to.deep.equal(['options.formula: is required']);
    });
  });

  describe('link, lookup, rollup', () => {
    it('lower-cases ids', () => {
      expect(normalizeColumnOptions('link', { tableId: UUID })).to.deep.equal({
        tableId: UUID.toLowerCase(),
      });
      expect(normalizeColumnOptions('lookup', { link: UUID, field: 'Name' })).to.deep.equal({
        link: UUID.toLowerCase(),
        field: 'Name',
      });
      expect(
        normalizeColumnOptions('rollup', { link: UUID, field: 'Amount', aggregate: 'avg' }),
      ).to.deep.equal({
        link: UUID.toLowerCase(),
        field: 'Amount',
        aggregate: 'avg',
      });
    });

    it('names every missing or bad member', () => {
      expect(problemsOf(options('link', { tableId: 'not-a-uuid' }))).to.deep.equal([
        'options.tableId: must be a UUID',
      ]);
      expect(problemsOf(options('lookup', { field: '' }))).to.deep.equal([
        'options.field: must be a non-empty field name of at most 1000 characters',
        'options.link: is required',
      ]);
      expect(problemsOf(options('rollup', { link: UUID, field: 'A', aggregate: 'median' }))).to.deep.equal([
        'options.aggregate: must be one of sum, avg, count, min, max',
      ]);
      expect(problemsOf(options('rollup', { link: UUID }))).to.deep.equal([
        'options.field: is required',
        'options.aggregate: is required',
      ]);
    });
  });

  describe('every type', () => {
    const optionless = COLUMN_TYPES.filter(
      (t) => !['singleSelect', 'multiSelect', 'decimal', 'formula', 'link', 'lookup', 'rollup'].includes(t),
    );

    for (const type of optionless) {
      it(`${type}: takes absent or empty options and refuses any member`, () => {
        expect(normalizeColumnOptions(type, undefined)).to.deep.equal({});
        expect(normalizeColumnOptions(type, null)).to.deep.equal({});
        expect(normalizeColumnOptions(type, {})).to.deep.equal({});
        expect(problemsOf(options(type, { precision: 2, colour: 'red' }))).to.deep.equal([
          `options.precision: is not an option of ${type} columns`,
          `options.colour: is not an option of ${type} columns`,
        ]);
      });
    }

    it('refuses unknown members on types with options too', () => {
      expect(problemsOf(options('decimal', { precision: 2, scale: 3 }))).to.deep.equal([
        'options.scale: is not an option of decimal columns',
      ]);
      expect(problemsOf(options('link', { tableId: UUID, choices: ['a'] }))).to.deep.equal([
        'options.choices: is not an option of link columns',
      ]);
    });

    it('refuses options that are not an object', () => {
      for (const value of [[], 'x', 3, true]) {
        expect(problemsOf(options('text', value))).to.deep.equal(['options: must be an object']);
      }
    });

    it('names the path it is given', () => {
      expect(
        problemsOf(() => normalizeColumnOptions('decimal', { precision: 99 }, 'columns[3].options')),
      ).to.deep.equal(['columns[3].options.precision: must be an integer from 0 to 10']);
    });

    it('does not read inherited members', () => {
      const inherited = Object.create({ choices: ['a'] }) as object;
      expect(problemsOf(options('singleSelect', inherited))).to.deep.equal(['options: must be an object']);
    });
  });
});

const rules = (type: ColumnType, value: unknown) => () => normalizeColumnRules(type, value);

describe('normalizeColumnRules', () => {
  it('takes absent rules as none', () => {
    expect(normalizeColumnRules('boolean', undefined)).to.deep.equal({});
    expect(normalizeColumnRules('boolean', null)).to.deep.equal({});
    expect(normalizeColumnRules('boolean', {})).to.deep.equal({});
  });

  it('minValue and maxValue for integer and decimal', () => {
    expect(normalizeColumnRules('integer', { minValue: -5, maxValue: 5 })).to.deep.equal({
      minValue: -5,
      maxValue: 5,
    });
    expect(normalizeColumnRules('decimal', { minValue: 0.5, maxValue: 0.5 })).to.deep.equal({
      minValue: 0.5,
      maxValue: 0.5,
    });
    expect(problemsOf(rules('integer', { minValue: 2, maxValue: 1 }))).to.deep.equal([
      'rules.maxValue: must not be less than minValue',
    ]);
    for (const bad of [Infinity, Number.NaN, '1', null]) {
      expect(problemsOf(rules('decimal', { maxValue: bad }))).to.deep.equal([
        'rules.maxValue: must be a finite number',
      ]);
    }
  });

  it('maxLength and pattern for text and longText', () => {
    expect(normalizeColumnRules('text', { maxLength: 10, pattern: '^[A-Z]+$' })).to.deep.equal({
      maxLength: 10,
      pattern: '^[A-Z]+$',
    });
    expect(normalizeColumnRules('longText', { maxLength: 1_000_000 })).to.deep.equal({
      maxLength: 1_000_000,
    });
    for (const bad of [0, 1_000_001, 2.5, '10']) {
      expect(problemsOf(rules('text', { maxLength: bad }))).to.deep.equal([
        'rules.maxLength: must be an integer from 1 to 1000000',
      ]);
    }
    for (const bad of ['', 'x'.repeat(501), 3, 'a\u0000']) {
      expect(problemsOf(rules('text', { pattern: bad }))[0]).to.match(/^rules\.pattern: must be/);
    }
  });

  it('does not compile the pattern (the database does)', () => {
    expect(normalizeColumnRules('text', { pattern: '[[:alpha:]]+(' })).to.deep.equal({
      pattern: '[[:alpha:]]+(',
    });
  });

  it('refuses rules of other types and unknown rules', () => {
    expect(problemsOf(rules('text', { minValue: 1 }))).to.deep.equal([
      'rules.minValue: does not apply to text columns',
    ]);
    expect(problemsOf(rules('integer', { pattern: 'x' }))).to.deep.equal([
      'rules.pattern: does not apply to integer columns',
    ]);
    expect(problemsOf(rules('boolean', { maxLength: 3, unique: true }))).to.deep.equal([
      'rules.maxLength: does not apply to boolean columns',
      'rules.unique: is not a rule',
    ]);
    expect(problemsOf(rules('text', 'x'))).to.deep.equal(['rules: must be an object']);
    expect(problemsOf(() => normalizeColumnRules('text', { max: 1 }, 'columns[0].rules'))).to.deep.equal([
      'columns[0].rules.max: is not a rule',
    ]);
  });
});

describe('option and rule normalisation properties', () => {
  const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true });
  const optionsLike = fc.oneof(
    anything,
    fc.record(
      {
        choices: fc.oneof(
          anything,
          fc.array(fc.oneof(fc.string(), fc.record({ name: fc.string(), color: fc.string() }))),
        ),
        precision: fc.oneof(fc.integer({ min: -2, max: 12 }), anything),
        formula: fc.string(),
        tableId: fc.oneof(fc.uuid(), fc.string()),
        link: fc.uuid(),
        field: fc.string(),
        aggregate: fc.constantFrom('sum', 'avg', 'count', 'min', 'max', 'median'),
      },
      { requiredKeys: [] },
    ),
  );

  it('normalizeColumnOptions throws nothing but ValidationError, and is idempotent', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COLUMN_TYPES), optionsLike, (type, value) => {
        let normalized;
        try {
          normalized = normalizeColumnOptions(type, value);
        } catch (error) {
          expect(error).to.be.instanceOf(ValidationError);
          expect((error as ValidationError).errors).to.have.length.above(0);
          return;
        }
        expect(normalizeColumnOptions(type, normalized)).to.deep.equal(normalized);
      }),
      { numRuns: 2000 },
    );
  });

  it('normalizeColumnRules throws nothing but ValidationError, and is idempotent', () => {
    const rulesLike = fc.oneof(
      anything,
      fc.record(
        { minValue: fc.double(), maxValue: fc.double(), maxLength: fc.integer(), pattern: fc.string() },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...COLUMN_TYPES), rulesLike, (type, value) => {
        let normalized;
        try {
          normalized = normalizeColumnRules(type, value);
        } catch (error) {
          expect(error).to.be.instanceOf(ValidationError);
          return;
        }
        expect(normalizeColumnRules(type, normalized)).to.deep.equal(normalized);
      }),
      { numRuns: 2000 },
    );
  });
});
