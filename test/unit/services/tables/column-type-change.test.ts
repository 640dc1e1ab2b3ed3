import { expect } from 'chai';
import fc from 'fast-check';
import type { Column, ColumnType } from '../../../../dataplane/src/services/tables/column.js';
import { COLUMN_TYPES } from '../../../../dataplane/src/services/tables/column.js';
import {
  isStoredType,
  sqlStringLiteral,
  typeChangePlan,
} from '../../../../dataplane/src/services/tables/column-types.js';
import { columnOf, thrown } from './column-fixtures.js';

const C = '"c"';
type Target = Pick<Column, 'type' | 'options'>;
const target = (type: ColumnType, options: Column['options'] = columnOf(type).options): Target => ({
  type,
  options,
});

/** Every (from, to) pair with a plan, as `from→to`, and whether it may fail. */
function supportedPairs(): Map<string, boolean> {
  const pairs = new Map<string, boolean>();
  for (const from of COLUMN_TYPES) {
    for (const to of COLUMN_TYPES) {
      const plan = typeChangePlan(columnOf(from), target(to));
      if (plan) pairs.set(`${from}→${to}`, plan.failing(C) !== undefined);
    }
  }
  return pairs;
}

describe('typeChangePlan', () => {
  const pairs = supportedPairs();

  it('has plans between stored types only', () => {
    for (const pair of pairs.keys()) {
      const [from, to] = pair.split('→') as [ColumnType, ColumnType];
      expect(isStoredType(from) && isStoredType(to), pair).to.equal(true);
    }
  });

  it('covers the required conversions', () => {
    const required = [
      ...[
        'integer',
        'decimal',
        'boolean',
        'date',
        'dateTime',
        'singleSelect',
        'multiSelect',
        'user',
        'autoNumber',
      ].flatMap((from) => [`${from}→text`, `${from}→longText`]),
      ...['integer', 'decimal', 'boolean', 'date', 'dateTime', 'singleSelect'].flatMap((to) => [
        `text→${to}`,
        `longText→${to}`,
      ]),
      'text→longText',
      'longText→text',
      'integer→decimal',
      'decimal→integer',
      'singleSelect→multiSelect',
      'multiSelect→singleSelect',
      'date→dateTime',
      'dateTime→date',
    ];
    for (const pair of required) expect(pairs.has(pair), pair).to.equal(true);
    // Every stored type converts to itself.
    for (const type of COLUMN_TYPES.filter(isStoredType))
      expect(pairs.has(`${type}→${type}`), type).to.equal(true);
  });

  it('has no plan where no conversion makes sense', () => {
    for (const pair of [
      'boolean→date',
      'date→integer',
      'attachment→text',
      'text→attachment',
      'text→user',
      'text→autoNumber',
      'integer→autoNumber',
      'text→formula',
      'formula→text',
      'createdTime→dateTime',
      'link→text',
    ]) {
      expect(pairs.has(pair), pair).to.equal(false);
    }
  });

  it('knows which conversions cannot fail', () => {
    const lossless = [
      'integer→text',
      'decimal→text',
      'boolean→text',
      'date→text',
      'dateTime→text',
      'singleSelect→text',
      'user→text',
      'text→longText',
      'integer→decimal',
      'date→dateTime',
      'dateTime→date',
      'text→text',
      'integer→integer',
    ];
    for (const pair of lossless) expect(pairs.get(pair), pair).to.equal(false);
    const lossy = [
      'text→integer',
      'text→decimal',
      'text→boolean',
      'text→date',
      'text→dateTime',
      'text→singleSelect',
      'longText→text',
      'decimal→integer',
      'multiSelect→singleSelect',
      'singleSelect→multiSelect',
      'singleSelect→singleSelect',
      'multiSelect→multiSelect',
      'multiSelect→text',
    ];
    for (const pair of lossy) expect(pairs.get(pair), pair).to.equal(true);
  });

  it('decimal precision: widening the fraction can overflow, narrowing cannot', () => {
    const p2 = columnOf('decimal', { options: { precision: 2 } });
    expect(typeChangePlan(p2, target('decimal', { precision: 4 }))?.failing(C)).to.equal(
      `("c" IS NOT NULL AND NOT coalesce(abs(round("c", 4)) < 1e34, false))`,
    );
    expect(typeChangePlan(p2, target('decimal', { precision: 0 }))?.failing(C)).to.equal(undefined);
    expect(typeChangePlan(p2, target('decimal', { precision: 0 }))?.using(C)).to.equal('round("c", 0)');
  });

  it('uses the column expression it is given and no subquery (USING allows none)', () => {
    for (const from of COLUMN_TYPES) {
      for (const to of COLUMN_TYPES) {
        const plan = typeChangePlan(columnOf(from), target(to));
        if (!plan) continue;
        const using = plan.using('"col x"');
        expect(using, `${from}→${to}`).to.include('"col x"');
        expect(using, `${from}→${to}`).not.to.match(/\bselect\b/i);
        expect(plan.failing('"col x"') ?? '"col x"').to.include('"col x"');
      }
    }
  });

  it('embeds choice names only as escaped literals', () => {
    const choices = [
      { name: "it's", color: 'blue' },
      { name: "'); DROP TABLE t; --", color: 'red' },
      { name: "E'\\x00'", color: 'gray' },
    ];
    const failing = typeChangePlan(columnOf('text'), target('singleSelect', { choices }))?.failing(C);
    expect(failing).to.include(`IN ('it''s', '''); DROP TABLE t; --', 'E''\\x00''')`);
  });

  it('plans text→integer as the API reads integers', () => {
    const plan = typeChangePlan(columnOf('text'), target('integer'));
    expect(plan?.using(C)).to.match(
      /^CASE WHEN .* THEN CASE WHEN btrim\("c"\) <> '' THEN btrim\("c"\)::bigint END END$/,
    );
  });
});

describe('sqlStringLiteral', () => {
  it('doubles quotes and keeps everything else as it is', () => {
    expect(sqlStringLiteral('')).to.equal("''");
    expect(sqlStringLiteral("it's")).to.equal("'it''s'");
    expect(sqlStringLiteral("''")).to.equal("''''''");
    expect(sqlStringLiteral('back\\slash')).to.equal("'back\\slash'");
    expect(sqlStringLiteral("E'\\''")).to.equal("'E''\\'''''");
    expect(sqlStringLiteral('$$ $q$ ; --')).to.equal("'$$ $q$ ; --'");
  });

  it('refuses NUL', () => {
    expect(thrown(() => sqlStringLiteral('a\u0000b'))).to.be.instanceOf(RangeError);
  });

  it('always emits one standard string: a quote opens and closes it, doubled ones inside', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000')),
        (text) => {
          const literal = sqlStringLiteral(text);
          expect(literal.startsWith("'") && literal.endsWith("'")).to.equal(true);
          const inside = literal.slice(1, -1);
          expect(inside.replaceAll("''", '')).not.to.include("'");
          expect(inside.replaceAll("''", "'")).to.equal(text);
        },
      ),
    );
  });
});
