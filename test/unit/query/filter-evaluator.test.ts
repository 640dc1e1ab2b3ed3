import { expect } from 'chai';
import { catalogOf, type CatalogColumn } from '../../../dataplane/src/query/catalog.js';
import {
  evaluateFilter,
  filterEvaluability,
  judgeFilter,
  rowFilter,
  rowFilterOf,
  UndecidableFilterError,
  withinMillisecond,
  type Now,
  type Verdict,
} from '../../../dataplane/src/query/filter-evaluator.js';
import type { Filter, FilterOp } from '../../../dataplane/src/query/lqp.js';
import type { FilterNode } from '../../../dataplane/src/query/plan.js';
import { analyzeQuery } from '../../../dataplane/src/query/validate.js';
import { UNIT_CATALOG } from './sql/unit-catalog.js';

/**
 * The in-process filter evaluator, case by case, against the semantics of the SQL compiler
 * (README "Semantics"; the equivalence with PostgreSQL itself is test/integration/query/
 * filter-evaluator.equivalence.test.ts). Fields are those of UNIT_CATALOG's `orders`.
 */
const PAGE = { mode: 'offset', limit: 1, offset: 0 } as const;
const NOW = '2026-03-10T23:30:00.000Z';

function planned(filter: Filter): FilterNode {
  const node = analyzeQuery({ source: { table: 'orders' }, filter, pagination: PAGE }, UNIT_CATALOG).filter;
  if (!node) throw new Error('no filter');
  return node;
}

/** The verdict for a row given by field (absent fields are NULL). */
function judge(filter: Filter, row: Record<string, unknown>, now: Now = NOW): Verdict {
  return judgeFilter(planned(filter), (f) => (Object.hasOwn(row, f.ref) ? row[f.ref] : null), now);
}

const f = (field: string, op: FilterOp, value?: unknown): Filter =>
  value === undefined ? { field, op } : { field, op, value };

describe('filter evaluator', () => {
  describe('NULL', () => {
    const nullRow = {};
    it('a comparison with NULL is false', () => {
      for (const filter of [
        f('status', 'eq', 'a'),
        f('qty', 'lt', 1),
        f('qty', 'gte', 1),
        f('qty', 'between', [0, 10]),
        f('qty', 'in', [1, 2]),
        f('status', 'contains', ''),
        f('status', 'startsWith', 'a'),
        f('due', 'isPast'),
        f('due', 'isFuture'),
        f('due', 'isToday'),
        f('shipped_at', 'inLastDays', 3),
      ])
        expect(judge(filter, nullRow), JSON.stringify(filter)).to.equal(false);
    });

    it('neq, nin and ncontains keep NULL rows', () => {
      expect(judge(f('status', 'neq', 'a'), nullRow)).to.equal(true);
      expect(judge(f('qty', 'nin', [1]), nullRow)).to.equal(true);
      expect(judge(f('status', 'ncontains', 'a'), nullRow)).to.equal(true);
    });

    it('not is the complement, NULL counting as false before negation', () => {
      expect(judge({ not: f('status', 'eq', 'a') }, nullRow)).to.equal(true);
      expect(judge({ not: f('qty', 'lt', 1) }, nullRow)).to.equal(true);
      expect(judge({ not: f('status', 'neq', 'a') }, nullRow)).to.equal(false);
      expect(judge({ not: { not: f('status', 'eq', 'a') } }, nullRow)).to.equal(false);
    });

    it('isEmpty is NULL (or the empty text)', () => {
      expect(judge(f('status', 'isEmpty'), nullRow)).to.equal(true);
      expect(judge(f('status', 'isEmpty'), { status: '' })).to.equal(true);
      expect(judge(f('status', 'isEmpty'), { status: ' ' })).to.equal(false);
      expect(judge(f('status', 'isNotEmpty'), { status: '' })).to.equal(false);
      expect(judge(f('qty', 'isEmpty'), { qty: 0 })).to.equal(false);
      expect(judge(f('meta', 'isEmpty'), { meta: [] })).to.equal(false);
      expect(judge(f('meta', 'isNotEmpty'), { meta: null })).to.equal(false);
      expect(judge(f('blob', 'isNotEmpty'), { blob: 'AAE=' })).to.equal(true);
    });
  });

  describe('groups and lists', () => {
    it('empty and is true, empty or false; in [] matches nothing and nin [] everything', () => {
      expect(judge({ and: [] }, {})).to.equal(true);
      expect(judge({ or: [] }, {})).to.equal(false);
      expect(judge(f('qty', 'in', []), { qty: 1 })).to.equal(false);
      expect(judge(f('qty', 'nin', []), { qty: 1 })).to.equal(true);
      expect(judge(f('qty', 'nin', []), {})).to.equal(true);
    });

    it('and/or combine', () => {
      const row = { qty: 5, status: 'open' };
      expect(judge({ and: [f('qty', 'gt', 1), f('status', 'eq', 'open')] }, row)).to.equal(true);
      expect(judge({ and: [f('qty', 'gt', 1), f('status', 'eq', 'Open')] }, row)).to.equal(false);
      expect(judge({ or: [f('qty', 'gt', 10), f('status', 'eq', 'open')] }, row)).to.equal(true);
      expect(judge({ or: [f('qty', 'gt', 10), f('status', 'eq', 'x')] }, row)).to.equal(false);
    });
  });

  describe('text', () => {
    it('equality is exact: case, accents and trailing spaces count', () => {
      expect(judge(f('status', 'eq', 'Open'), { status: 'Open' })).to.equal(true);
      expect(judge(f('status', 'eq', 'open'), { status: 'Open' })).to.equal(false);
      expect(judge(f('status', 'eq', 'Open'), { status: 'Open ' })).to.equal(false);
      expect(judge(f('status', 'eq', 'é'), { status: 'e\u0301' })).to.equal(false);
      expect(judge(f('status', 'in', ['a', 'b']), { status: 'b' })).to.equal(true);
      expect(judge(f('status', 'nin', ['a', 'b']), { status: 'B' })).to.equal(true);
    });

    it('orders by code point (COLLATE "C"), not by UTF-16 unit nor by locale', () => {
      expect(judge(f('status', 'lt', 'a'), { status: 'Z' })).to.equal(true);
      expect(judge(f('status', 'gt', 'z'), { status: 'é' })).to.equal(true);
      expect(judge(f('status', 'lt', 'ab'), { status: 'a' })).to.equal(true);
      // U+FFFF is below U+1F600, though its UTF-16 unit is above the surrogate 0xD83D.
      expect(judge(f('status', 'lt', '😀'), { status: '\uffff' })).to.equal(true);
      expect(judge(f('status', 'gt', '\uffff'), { status: '😀' })).to.equal(true);
      expect(judge(f('status', 'between', ['b', 'd']), { status: 'd' })).to.equal(true);
      expect(judge(f('status', 'between', ['b', 'd']), { status: 'da' })).to.equal(false);
      expect(judge(f('status', 'between', ['d', 'b']), { status: 'c' })).to.equal(false);
    });

    it('matching is case-insensitive for ASCII; %, _, ! and \\ are literal', () => {
      expect(judge(f('status', 'contains', 'PEN'), { status: 'open' })).to.equal(true);
      expect(judge(f('status', 'startsWith', 'OP'), { status: 'open' })).to.equal(true);
      expect(judge(f('status', 'endsWith', 'en'), { status: 'OPEN' })).to.equal(true);
      expect(judge(f('status', 'endsWith', 'op'), { status: 'open' })).to.equal(false);
      expect(judge(f('status', 'contains', '%'), { status: 'abc' })).to.equal(false);
      expect(judge(f('status', 'contains', '%'), { status: '50%' })).to.equal(true);
      expect(judge(f('status', 'contains', 'a_c'), { status: 'abc' })).to.equal(false);
      expect(judge(f('status', 'contains', 'a_c'), { status: 'A_C' })).to.equal(true);
      expect(judge(f('status', 'contains', '!'), { status: 'x!' })).to.equal(true);
      expect(judge(f('status', 'contains', '\\'), { status: 'a\\b' })).to.equal(true);
      expect(judge(f('status', 'contains', ''), { status: '' })).to.equal(true);
      expect(judge(f('status', 'ncontains', 'x'), { status: 'X' })).to.equal(false);
      expect(judge(f('status', 'ncontains', 'x'), { status: 'y' })).to.equal(true);
    });

    it('non-ASCII characters of the value never match an ASCII needle, but K (Kelvin) lowers to k', () => {
      expect(judge(f('status', 'contains', 'a'), { status: 'Ä' })).to.equal(false);
      expect(judge(f('status', 'contains', 'b'), { status: 'ÄB' })).to.equal(true);
      expect(judge(f('status', 'contains', 'ss'), { status: 'ß' })).to.equal(false);
      expect(judge(f('status', 'startsWith', 'k'), { status: '\u212aelvin' })).to.equal(true);
    });

    it('İ, Ì, Í and Ĩ lower to an `i` differently by locale provider: unknown when the needle holds an i', () => {
      expect(judge(f('status', 'contains', 'ist'), { status: 'İstanbul' })).to.equal('unknown');
      expect(judge(f('status', 'ncontains', 'ist'), { status: 'İstanbul' })).to.equal('unknown');
      expect(judge(f('status', 'contains', 'i'), { status: 'Ìx' })).to.equal('unknown');
      expect(judge(f('status', 'contains', 'stan'), { status: 'İstanbul' })).to.equal(true);
      expect(judge(f('status', 'startsWith', 'st'), { status: 'İstanbul' })).to.equal(false);
    });

    it('a non-ASCII needle is not evaluable (its lowercase is the locale provider’s)', () => {
      const node = planned(f('status', 'contains', 'é'));
      const evaluability = filterEvaluability(node);
      expect(evaluability.evaluable).to.equal(false);
      expect(evaluability)
        .to.have.property('reason')
        .that.match(/non-ASCII/);
      expect(() => evaluateFilter(node, () => 'é', NOW)).to.throw(UndecidableFilterError);
      expect(judge(f('status', 'contains', 'é'), { status: 'É' })).to.equal('unknown');
      // Three-valued: a decided part still decides.
      expect(judge({ or: [f('qty', 'eq', 1), f('status', 'contains', 'é')] }, { qty: 1 })).to.equal(true);
      expect(judge({ and: [f('qty', 'eq', 2), f('status', 'contains', 'é')] }, { qty: 1 })).to.equal(false);
    });
  });

  describe('numbers', () => {
    it('integers compare exactly, beyond 2^53 as digit strings', () => {
      expect(judge(f('qty', 'gt', 9007199254740991), { qty: '9007199254740993' })).to.equal(true);
      expect(judge(f('qty', 'lt', -9007199254740991), { qty: '-9223372036854775808' })).to.equal(true);
      expect(judge(f('qty', 'eq', 3), { qty: 3 })).to.equal(true);
      expect(judge(f('qty', 'between', [1, 3]), { qty: 3 })).to.equal(true);
      expect(judge(f('qty', 'between', [1, 3]), { qty: 4 })).to.equal(false);
    });

    it('decimals compare exactly: strings as decimals, numbers as the decimal they print as', () => {
      expect(judge(f('price', 'eq', 0.1), { price: '0.10' })).to.equal(true);
      expect(judge(f('price', 'eq', 0.1), { price: 0.1 })).to.equal(true);
      expect(judge(f('price', 'gt', 0.1), { price: '0.1000000000000000001' })).to.equal(true);
      expect(judge(f('price', 'lt', 1e21), { price: '999999999999999999999.99' })).to.equal(true);
      expect(judge(f('price', 'eq', 1e21), { price: '1000000000000000000000.00' })).to.equal(true);
      expect(judge(f('price', 'gt', 1e-7), { price: '0.0000001' })).to.equal(false);
      expect(judge(f('price', 'gte', 1e-7), { price: '0.0000001' })).to.equal(true);
      expect(judge(f('price', 'eq', 0), { price: '-0.00' })).to.equal(true);
      expect(judge(f('price', 'lt', -1.5), { price: -2 })).to.equal(true);
      expect(judge(f('price', 'in', [1, 2.5]), { price: '2.50' })).to.equal(true);
    });
  });

  describe('booleans and uuids', () => {
    it('compare by equality', () => {
      expect(judge(f('paid', 'eq', true), { paid: true })).to.equal(true);
      expect(judge(f('paid', 'neq', true), { paid: false })).to.equal(true);
      expect(judge(f('paid', 'in', [false]), { paid: true })).to.equal(false);
      const ref = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
      expect(judge(f('ref', 'eq', ref), { ref: ref.toLowerCase() })).to.equal(true);
      expect(judge(f('ref', 'eq', ref.toLowerCase()), { ref })).to.equal(true);
    });
  });

  describe('dates', () => {
    it('compare as calendar days', () => {
      expect(judge(f('due', 'lt', '2026-03-10'), { due: '2026-03-09' })).to.equal(true);
      expect(judge(f('due', 'eq', '2026-03-10'), { due: '2026-03-10' })).to.equal(true);
      expect(judge(f('due', 'between', ['2026-01-01', '2026-12-31']), { due: '2026-12-31' })).to.equal(true);
      expect(judge(f('due', 'gt', '0999-12-31'), { due: '1000-01-01' })).to.equal(true);
      expect(judge(f('due', 'gt', '2026-01-01'), { due: 'not a date' })).to.equal('unknown');
    });

    it('relative days are UTC days of now (23:30 UTC is still the 10th)', () => {
      expect(judge(f('due', 'isToday'), { due: '2026-03-10' })).to.equal(true);
      expect(judge(f('due', 'isToday'), { due: '2026-03-11' })).to.equal(false);
      expect(judge(f('due', 'isPast'), { due: '2026-03-09' })).to.equal(true);
      expect(judge(f('due', 'isPast'), { due: '2026-03-10' })).to.equal(false);
      expect(judge(f('due', 'isFuture'), { due: '2026-03-11' })).to.equal(true);
      expect(judge(f('due', 'inLastDays', 7), { due: '2026-03-03' })).to.equal(true);
      expect(judge(f('due', 'inLastDays', 7), { due: '2026-03-02' })).to.equal(false);
      expect(judge(f('due', 'inLastDays', 7), { due: '2026-03-11' })).to.equal(false);
      expect(judge(f('due', 'inNextDays', 0), { due: '2026-03-10' })).to.equal(true);
      expect(judge(f('due', 'inNextDays', 21), { due: '2026-03-31' })).to.equal(true);
      expect(judge(f('due', 'inNextDays', 21), { due: '2026-04-01' })).to.equal(false);
    });
  });

  describe('instants', () => {
    it('exact instants (ISO with a zone, up to microseconds, or Dates) compare exactly', () => {
      expect(
        judge(f('shipped_at', 'eq', '2026-03-10T10:00:00Z'), { shipped_at: '2026-03-10T10:00:00.000Z' }),
      ).to.equal(true);
      expect(
        judge(f('shipped_at', 'eq', '2026-03-10T10:00:00Z'), { shipped_at: '2026-03-10T11:00:00+01:00' }),
      ).to.equal(true);
      expect(
        judge(f('shipped_at', 'gt', '2026-03-10T10:00:00Z'), { shipped_at: '2026-03-10T10:00:00.000001Z' }),
      ).to.equal(true);
      expect(
        judge(f('shipped_at', 'lte', '2026-03-10T10:00:00Z'), {
          shipped_at: new Date('2026-03-10T10:00:00Z'),
        }),
      ).to.equal(true);
    });

    it('an API instant (cut to the millisecond) decides unless it ties with a bound', () => {
      const at = (iso: string) => ({ shipped_at: withinMillisecond(iso) });
      const tie = at('2026-03-10T10:00:00.000Z');
      const bound = '2026-03-10T10:00:00.000Z';
      expect(judge(f('shipped_at', 'lt', bound), tie)).to.equal(false);
      expect(judge(f('shipped_at', 'gte', bound), tie)).to.equal(true);
      expect(judge(f('shipped_at', 'gt', bound), tie)).to.equal('unknown');
      expect(judge(f('shipped_at', 'lte', bound), tie)).to.equal('unknown');
      expect(judge(f('shipped_at', 'eq', bound), tie)).to.equal('unknown');
      expect(judge(f('shipped_at', 'neq', bound), tie)).to.equal('unknown');
      expect(judge(f('shipped_at', 'in', [bound]), tie)).to.equal('unknown');
      expect(judge(f('shipped_at', 'eq', bound), at('2026-03-10T10:00:00.001Z'))).to.equal(false);
      expect(judge(f('shipped_at', 'gt', bound), at('2026-03-10T10:00:00.001Z'))).to.equal(true);
      expect(judge(f('shipped_at', 'between', [bound, bound]), tie)).to.equal('unknown');
      expect(judge(f('shipped_at', 'between', [bound, '2026-03-10T10:00:00.001Z']), tie)).to.equal(true);
      expect(judge(f('shipped_at', 'gt', bound), at('not an instant'))).to.equal('unknown');
    });

    it('relative instants: isToday is the UTC day, isPast/isFuture before/after now, day ranges 24 h', () => {
      const at = (iso: string) => ({ shipped_at: withinMillisecond(iso) });
      expect(judge(f('shipped_at', 'isToday'), at('2026-03-10T00:00:00.000Z'))).to.equal(true);
      expect(judge(f('shipped_at', 'isToday'), at('2026-03-10T23:59:59.999Z'))).to.equal(true);
      expect(judge(f('shipped_at', 'isToday'), at('2026-03-11T00:00:00.000Z'))).to.equal(false);
      expect(judge(f('shipped_at', 'isToday'), at('2026-03-09T23:59:59.999Z'))).to.equal(false);
      expect(judge(f('shipped_at', 'isPast'), at('2026-03-10T23:29:59.999Z'))).to.equal(true);
      expect(judge(f('shipped_at', 'isPast'), at(NOW))).to.equal(false);
      expect(judge(f('shipped_at', 'isFuture'), at(NOW))).to.equal('unknown');
      expect(judge(f('shipped_at', 'isFuture'), at('2026-03-10T23:30:00.001Z'))).to.equal(true);
      expect(judge(f('shipped_at', 'inLastDays', 1), at('2026-03-09T23:30:00.000Z'))).to.equal(true);
      expect(judge(f('shipped_at', 'inLastDays', 1), at('2026-03-09T23:29:59.999Z'))).to.equal(false);
      expect(judge(f('shipped_at', 'inLastDays', 1), at(NOW))).to.equal('unknown');
      expect(judge(f('shipped_at', 'inNextDays', 1), at(NOW))).to.equal(true);
      expect(judge(f('shipped_at', 'inNextDays', 1), at('2026-03-11T23:30:00.000Z'))).to.equal('unknown');
      expect(judge(f('shipped_at', 'inNextDays', 1), at('2026-03-11T23:30:00.001Z'))).to.equal(false);
    });

    it('now may carry microseconds (PostgreSQL’s clock)', () => {
      const row = { shipped_at: withinMillisecond('2026-03-10T23:30:00.000Z') };
      expect(judge(f('shipped_at', 'isPast'), row, '2026-03-10T23:30:00.000999Z')).to.equal('unknown');
      expect(judge(f('shipped_at', 'isPast'), row, '2026-03-10T23:30:00.001Z')).to.equal(true);
      expect(() => judge(f('shipped_at', 'isPast'), row, 'yesterday')).to.throw(TypeError);
    });
  });

  describe('values the evaluator cannot judge', () => {
    it('a value not known (undefined) or not of its type’s shape is unknown', () => {
      const node = planned(f('qty', 'eq', 1));
      expect(judgeFilter(node, () => undefined, NOW)).to.equal('unknown');
      expect(judgeFilter(node, () => 'one', NOW)).to.equal('unknown');
      expect(judgeFilter(node, () => 1.5, NOW)).to.equal('unknown');
      expect(judgeFilter(planned(f('paid', 'eq', true)), () => 'true', NOW)).to.equal('unknown');
    });

    it('evaluateFilter answers booleans and throws on unknown', () => {
      expect(evaluateFilter(planned(f('qty', 'eq', 1)), () => 1, NOW)).to.equal(true);
      expect(evaluateFilter(planned(f('qty', 'eq', 1)), () => null, NOW)).to.equal(false);
      expect(() => evaluateFilter(planned(f('qty', 'eq', 1)), () => undefined, NOW)).to.throw(
        UndecidableFilterError,
      );
    });

    it('instants outside the years 0001–9999 are not evaluable', () => {
      const node = planned(f('shipped_at', 'gt', '9999-12-31T23:00:00-05:00'));
      expect(filterEvaluability(node).evaluable).to.equal(false);
      expect(filterEvaluability(planned(f('shipped_at', 'gt', '9999-12-31T23:00:00Z'))).evaluable).to.equal(
        true,
      );
    });
  });
});

describe('rowFilter: rows of a table as the rows API shows them', () => {
  const rollup: CatalogColumn = {
    name: 'Total',
    type: 'number',
    nullable: true,
    expression: () => ({ sql: '1', bindings: [] }),
  };
  const catalog = catalogOf([
    {
      name: 't',
      primaryKey: ['@id'],
      columns: [
        { name: '@id', type: 'uuid', nullable: false, sqlName: 'id' },
        { name: '@updatedAt', type: 'datetime', nullable: false, sqlName: 'updated_at' },
        { name: 'Name', type: 'text', nullable: true, sqlName: 'c_1' },
        { name: 'When', type: 'datetime', nullable: true, sqlName: 'c_2' },
        { name: 'Tags', type: 'json', nullable: true, sqlName: 'c_3' },
        rollup,
      ],
    },
    { name: 'u', primaryKey: ['id'], columns: [{ name: 'id', type: 'uuid', nullable: false }] },
  ]);
  const source = { table: 't' };
  const of = (query: Record<string, unknown>) => rowFilterOf({ source, ...query }, catalog);

  it('judges a filter over stored columns from API values', () => {
    const filter = rowFilterOf(
      {
        source,
        filter: {
          and: [
            { field: 'Name', op: 'startsWith', value: 'ab' },
            { field: 'Tags', op: 'isNotEmpty' },
          ],
        },
      },
      catalog,
    );
    if (!filter.evaluable) throw new Error(filter.reason);
    expect(filter.matches({ Name: 'ABC', Tags: [] }, NOW)).to.equal(true);
    expect(filter.matches({ Name: 'ABC', Tags: null }, NOW)).to.equal(false);
    expect(filter.matches({ Name: 'xABC', Tags: ['a'] }, NOW)).to.equal(false);
    // A field the row does not carry cannot be judged.
    expect(filter.matches({ Name: 'ABC' }, NOW)).to.equal('unknown');
  });

  it('reads API instants as cut to the millisecond, system fields by their @ names', () => {
    const filter = of({
      filter: {
        and: [
          { field: 'When', op: 'gt', value: '2026-01-01T00:00:00Z' },
          { field: '@id', op: 'eq', value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
        ],
      },
    });
    if (!filter.evaluable) throw new Error(filter.reason);
    const row = { When: '2026-01-01T00:00:00.000Z', '@id': 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' };
    expect(filter.matches(row, NOW)).to.equal('unknown');
    expect(filter.matches({ ...row, When: '2026-01-01T00:00:00.001Z' }, NOW)).to.equal(true);
    expect(filter.matches({ ...row, '@id': 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' }, NOW)).to.equal(false);
  });

  it('without a filter, every row matches', () => {
    const filter = of({});
    expect(filter.evaluable && filter.matches({}, NOW)).to.equal(true);
  });

  it('is not evaluable over computed, SQL-computed or joined fields, inner joins and groups', () => {
    const reasons = [
      of({
        computedColumns: [{ name: 'Len', formula: 'LEN({Name})' }],
        filter: { field: 'Len', op: 'gt', value: 1 },
      }),
      of({ filter: { field: 'Total', op: 'gt', value: 1 } }),
      of({
        joins: [{ table: 'u', as: 'u', type: 'left', on: { left: '@id', right: 'id' } }],
        filter: { field: 'u.id', op: 'isEmpty' },
      }),
      of({ joins: [{ table: 'u', as: 'u', type: 'inner', on: { left: '@id', right: 'id' } }] }),
      of({ filter: { field: 'Name', op: 'contains', value: 'ü' } }),
      rowFilter({ ...analyzeQuery({ source, pagination: PAGE }, catalog), grouped: true }),
    ].map((r) => (r.evaluable ? 'evaluable' : r.reason));
    expect(reasons[0]).to.match(/computed column/);
    expect(reasons[1]).to.match(/rollup or lookup/);
    expect(reasons[2]).to.match(/joined table/);
    expect(reasons[3]).to.match(/inner join "u"/);
    expect(reasons[4]).to.match(/non-ASCII/);
    expect(reasons[5]).to.match(/grouped/);
  });

  it('a left join over source columns only stays evaluable', () => {
    const filter = of({
      joins: [{ table: 'u', as: 'u', type: 'left', on: { left: '@id', right: 'id' } }],
      filter: { field: 'Name', op: 'eq', value: 'x' },
    });
    expect(filter.evaluable && filter.matches({ Name: 'x' }, NOW)).to.equal(true);
  });
});
