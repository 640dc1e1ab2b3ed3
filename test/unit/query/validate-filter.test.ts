import { expect } from 'chai';
import type { FieldProblem } from '../../../dataplane/src/platform/errors.js';
import { analyzeQuery } from '../../../dataplane/src/query/validate.js';
import { base, filtered } from './validation-problems.js';
import { UNIT_CATALOG } from './sql/unit-catalog.js';

describe('validateQuery: filters', () => {
  const cases: [unknown, FieldProblem][] = [
    [
      {
        and: [
          { field: 'id', op: 'eq', value: 1 },
          { field: 'qty', op: 'gt', value: 1 },
          { field: 'price', op: 'lt', value: 'x' },
        ],
      },
      { path: 'filter.and[2].value', message: 'expected number' },
    ],
    [
      { field: 'qty', op: 'eq', value: 1.5 },
      { path: 'filter.value', message: 'expected integer' },
    ],
    [
      { field: 'qty', op: 'eq' },
      { path: 'filter.value', message: 'expected integer' },
    ],
    [
      { field: 'status', op: 'eq', value: null },
      { path: 'filter.value', message: 'expected string' },
    ],
    [
      { field: 'paid', op: 'eq', value: 'true' },
      { path: 'filter.value', message: 'expected boolean' },
    ],
    [
      { field: 'due', op: 'eq', value: '2024-02-30' },
      { path: 'filter.value', message: 'expected a date (YYYY-MM-DD)' },
    ],
    [
      { field: 'shipped_at', op: 'gt', value: 'yesterday' },
      { path: 'filter.value', message: 'expected an ISO 8601 date-time' },
    ],
    [
      { field: 'ref', op: 'eq', value: "1' OR '1'='1" },
      { path: 'filter.value', message: 'expected a UUID' },
    ],
    [
      { field: 'qty', op: 'in', value: 3 },
      { path: 'filter.value', message: 'expected an array of at most 1000 values' },
    ],
    [
      { field: 'qty', op: 'nin', value: [1, 'two'] },
      { path: 'filter.value[1]', message: 'expected integer' },
    ],
    [
      { field: 'qty', op: 'between', value: [1] },
      { path: 'filter.value', message: 'expected [low, high]' },
    ],
    [
      { field: 'due', op: 'between', value: ['2024-01-01', 5] },
      { path: 'filter.value[1]', message: 'expected a date (YYYY-MM-DD)' },
    ],
    [
      { field: 'status', op: 'isEmpty', value: '' },
      { path: 'filter.value', message: 'isEmpty takes no value' },
    ],
    [
      { field: 'due', op: 'inLastDays', value: 1.5 },
      { path: 'filter.value', message: 'expected an integer number of days (0..36500)' },
    ],
    [
      { field: 'status', op: 'contains', value: 5 },
      { path: 'filter.value', message: 'expected string' },
    ],
    [
      { field: 'qty', op: 'contains', value: '5' },
      { path: 'filter.op', message: 'operator contains is not available for integer fields' },
    ],
    [
      { field: 'status', op: 'isToday' },
      { path: 'filter.op', message: 'operator isToday is not available for text fields' },
    ],
    [
      { field: 'meta', op: 'eq', value: {} },
      { path: 'filter.op', message: 'operator eq is not available for json fields' },
    ],
    [
      { field: 'status', op: 'like', value: 'a' },
      {
        path: 'filter.op',
        message:
          'expected one of eq, neq, lt, lte, gt, gte, in, nin, contains, ncontains, startsWith, endsWith, isEmpty, isNotEmpty, isToday, isPast, isFuture, between, inLastDays, inNextDays',
      },
    ],
    [
      { field: 'status', op: 'eq', value: 'a', extra: 1 },
      { path: 'filter.extra', message: 'is not an accepted field' },
    ],
    [
      { and: [], or: [] },
      { path: 'filter', message: '"and" must be the only key of its object' },
    ],
    [{ or: {} }, { path: 'filter.or', message: 'expected an array' }],
    [{ not: [1] }, { path: 'filter.not', message: 'expected a filter object' }],
  ];
  for (const [filter, problem] of cases) {
    it(`${problem.path}: ${problem.message}`, () => expect(filtered(filter)).to.deep.equal([problem]));
  }

  it('limits depth to 32 and size to 1000 conditions', () => {
    let deep: unknown = { field: 'id', op: 'eq', value: 1 };
    for (let i = 0; i < 32; i++) deep = { not: deep };
    expect(filtered(deep)).to.deep.equal([
      { path: `filter${'.not'.repeat(31)}`, message: 'filter is nested more than 32 levels deep' },
    ]);
    const leaf = { field: 'id', op: 'eq', value: 1 };
    const wide = {
      and: Array.from({ length: 6 }, () => ({ or: Array.from({ length: 200 }, () => leaf) })),
    };
    expect(filtered(wide)[0]!.message).to.equal('filter has more than 1000 conditions');
  });

  it('normalises values: ISO instants to UTC, UUIDs to lower case', () => {
    const value = (field: string, v: unknown) => {
      const node = analyzeQuery({ ...base, filter: { field, op: 'eq', value: v } }, UNIT_CATALOG).filter;
      return node?.kind === 'compare' ? node.value : undefined;
    };
    expect(value('shipped_at', '2024-05-01T12:00+02:00')).to.equal('2024-05-01T10:00:00.000Z');
    expect(value('shipped_at', '2024-05-01')).to.equal('2024-05-01T00:00:00.000Z');
    expect(value('shipped_at', '2024-05-01 08:30:15.123456')).to.equal('2024-05-01T08:30:15.123Z');
    expect(value('ref', '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B')).to.equal(
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    );
  });
});
