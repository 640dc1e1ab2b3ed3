import { expect } from 'chai';
import { ObjectId } from 'bson';
import { compileMongoPipeline } from '../../../../dataplane/src/query/mongo/index.js';
import type { Filter } from '../../../../dataplane/src/query/lqp.js';
import { NOW, SHOP, query } from './catalog.fixture.js';

/** Golden tests: one filter leaf in → the `$match` document out. */
function matchOf(filter: Filter): unknown {
  const { pipeline } = compileMongoPipeline(query({ filter }), SHOP, { now: NOW });
  return (pipeline[0] as { $match?: unknown }).$match;
}

const ID = '65f1c0ffee0000000000beef';

describe('mongo pipeline compiler: filters', () => {
  it('compiles comparisons with values converted to the column type', () => {
    expect(matchOf({ field: 'status', op: 'eq', value: 'open' })).to.deep.equal({ status: { $eq: 'open' } });
    expect(matchOf({ field: '_id', op: 'eq', value: ID })).to.deep.equal({ _id: { $eq: new ObjectId(ID) } });
    expect(matchOf({ field: 'total', op: 'gt', value: 5 })).to.deep.equal({ total: { $gt: 5 } });
    expect(matchOf({ field: 'qty', op: 'lte', value: 3 })).to.deep.equal({ qty: { $lte: 3 } });
    expect(matchOf({ field: 'createdAt', op: 'gte', value: '2024-01-01T00:00:00Z' })).to.deep.equal({
      createdAt: { $gte: new Date('2024-01-01T00:00:00Z') },
    });
    expect(matchOf({ field: 'total', op: 'lt', value: 1 })).to.deep.equal({ total: { $lt: 1 } });
    expect(matchOf({ field: 'paid', op: 'eq', value: true })).to.deep.equal({ paid: { $eq: true } });
  });

  it('keeps null and missing fields for neq and nin (they mean "is not")', () => {
    expect(matchOf({ field: 'status', op: 'neq', value: 'open' })).to.deep.equal({ status: { $ne: 'open' } });
    expect(matchOf({ field: 'status', op: 'nin', value: ['a', 'b'] })).to.deep.equal({
      status: { $nin: ['a', 'b'] },
    });
    expect(matchOf({ field: 'status', op: 'in', value: ['a', 'b'] })).to.deep.equal({
      status: { $in: ['a', 'b'] },
    });
  });

  it('compiles between and the emptiness tests', () => {
    expect(matchOf({ field: 'total', op: 'between', value: [1, 9] })).to.deep.equal({
      total: { $gte: 1, $lte: 9 },
    });
    expect(matchOf({ field: 'status', op: 'isEmpty' })).to.deep.equal({ status: { $in: [null, ''] } });
    expect(matchOf({ field: 'status', op: 'isNotEmpty' })).to.deep.equal({
      $nor: [{ status: { $in: [null, ''] } }],
    });
    expect(matchOf({ field: 'qty', op: 'isEmpty' })).to.deep.equal({ qty: null });
    expect(matchOf({ field: 'tags', op: 'isEmpty' })).to.deep.equal({
      $or: [{ tags: null }, { tags: { $size: 0 } }],
    });
  });

  it('compiles text operators to escaped, case-insensitive regexes', () => {
    expect(matchOf({ field: 'status', op: 'contains', value: 'a.b' })).to.deep.equal({
      status: { $regex: 'a\\.b', $options: 'i' },
    });
    expect(matchOf({ field: 'status', op: 'ncontains', value: 'x' })).to.deep.equal({
      status: { $not: { $regex: 'x', $options: 'i' } },
    });
    expect(matchOf({ field: 'status', op: 'startsWith', value: '(a' })).to.deep.equal({
      status: { $regex: '^\\(a', $options: 'i' },
    });
    expect(matchOf({ field: 'status', op: 'endsWith', value: '$' })).to.deep.equal({
      status: { $regex: '\\$(?![\\s\\S])', $options: 'i' },
    });
  });

  it('compiles the date helpers around now (UTC days)', () => {
    const day = (s: string) => new Date(`${s}T00:00:00.000Z`);
    expect(matchOf({ field: 'createdAt', op: 'isToday' })).to.deep.equal({
      createdAt: { $gte: day('2024-05-15'), $lt: day('2024-05-16') },
    });
    expect(matchOf({ field: 'createdAt', op: 'isPast' })).to.deep.equal({ createdAt: { $lt: NOW } });
    expect(matchOf({ field: 'createdAt', op: 'isFuture' })).to.deep.equal({ createdAt: { $gt: NOW } });
    expect(matchOf({ field: 'due', op: 'isPast' })).to.deep.equal({ due: { $lt: day('2024-05-15') } });
    expect(matchOf({ field: 'due', op: 'inNextDays', value: 2 })).to.deep.equal({
      due: { $gte: day('2024-05-15'), $lte: day('2024-05-17') },
    });
    expect(matchOf({ field: 'due', op: 'eq', value: '2024-02-29' })).to.deep.equal({
      due: { $eq: day('2024-02-29') },
    });
    expect(matchOf({ field: 'createdAt', op: 'inLastDays', value: 1 })).to.deep.equal({
      createdAt: { $gte: new Date(NOW.getTime() - 86_400_000), $lte: NOW },
    });
  });

  it('compiles and/or/not trees and nested paths', () => {
    const filter: Filter = {
      or: [
        { field: 'shipping.city', op: 'eq', value: 'Zürich' },
        {
          not: {
            and: [
              { field: 'qty', op: 'gt', value: 1 },
              { field: 'paid', op: 'eq', value: false },
            ],
          },
        },
      ],
    };
    expect(matchOf(filter)).to.deep.equal({
      $or: [
        { 'shipping.city': { $eq: 'Zürich' } },
        { $nor: [{ $and: [{ qty: { $gt: 1 } }, { paid: { $eq: false } }] }] },
      ],
    });
    expect(matchOf({ or: [] })).to.deep.equal({ $expr: false });
  });

  it('merges a top-level and into one $match', () => {
    expect(
      matchOf({
        and: [{ field: 'status', op: 'eq', value: 'open' }, { and: [{ field: 'qty', op: 'gt', value: 1 }] }],
      }),
    ).to.deep.equal({ $and: [{ status: { $eq: 'open' } }, { qty: { $gt: 1 } }] });
  });

  it('refuses values that do not fit the column', () => {
    const refuses = (filter: Filter, message: RegExp) =>
      expect(() => matchOf(filter))
        .to.throw(message)
        .with.property('status', 422);
    refuses({ field: 'total', op: 'gt', value: '5' }, /filter.value: expected number/);
    refuses({ field: '_id', op: 'eq', value: 'nope' }, /ObjectId/);
    refuses({ field: '_id', op: 'contains', value: 'ab' }, /ObjectId/);
    refuses({ field: 'createdAt', op: 'lt', value: 'yesterday' }, /ISO 8601/);
    refuses({ field: 'total', op: 'lt', value: null }, /expected number/);
    refuses({ field: 'total', op: 'contains', value: '1' }, /not available for number fields/);
    refuses({ field: 'status', op: 'between', value: ['a'] }, /\[low, high\]/);
    refuses({ field: 'due', op: 'inLastDays', value: -1 }, /number of days/);
    refuses({ field: 'status', op: 'in', value: 'a' }, /expected an array/);
    refuses({ field: 'tags', op: 'eq', value: 'a' }, /not available for json fields/);
  });
});
