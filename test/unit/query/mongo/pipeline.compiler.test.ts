import { expect } from 'chai';
import { Decimal128, ObjectId } from 'bson';
import {
  compileMongoPipeline,
  explainMongoPlan,
  finishMongoResult,
} from '../../../../dataplane/src/query/mongo/index.js';
import { NOW, SHOP, query } from './catalog.fixture.js';

/** Golden tests: LQP in → whole pipeline out. */
const compile = (q: Parameters<typeof query>[0], maxRows?: number) =>
  compileMongoPipeline(query(q), SHOP, { now: NOW, maxRows });

const lookup = (from: string, left: string, right: string, as: string) => ({
  $lookup: {
    from,
    let: { key: { $ifNull: [`$${left}`, null] } },
    pipeline: [{ $match: { $expr: { $and: [{ $ne: ['$$key', null] }, { $eq: [`$${right}`, '$$key'] }] } } }],
    as,
  },
});

describe('mongo pipeline compiler: stages', () => {
  it('selects, sorts with an _id tiebreaker and limits one more than the page', () => {
    const plan = compile({
      select: ['status', 'shipping.city'],
      sorts: [{ field: 'total', direction: 'desc' }],
    });
    expect(plan.collection).to.equal('orders');
    expect(plan.database).to.equal('shop');
    expect(plan.pipeline).to.deep.equal([
      { $addFields: { __lt_k0: { $ifNull: ['$total', null] } } },
      { $sort: { __lt_k0: -1, _id: 1 } },
      { $limit: 11 },
      { $project: { _id: 0, o0: '$status', o1: '$shipping.city', k0: '$__lt_k0', k1: '$_id' } },
    ]);
    expect(plan.columns).to.deep.equal([
      { name: 'status', slot: 'o0', type: 'text' },
      { name: 'shipping.city', slot: 'o1', type: 'text' },
    ]);
  });

  it('runs source filters before the lookups and joined filters after, multi-hop; to-one joins add no tiebreaker', () => {
    const plan = compile({
      select: ['status', 'c.name', 'k.name'],
      joins: [
        { table: 'customers', as: 'c', type: 'left', on: { left: 'customerId', right: '_id' } },
        { table: 'countries', as: 'k', on: { left: 'c.countryId', right: '_id' } },
      ],
      filter: {
        and: [
          { field: 'status', op: 'eq', value: 'open' },
          { field: 'k.name', op: 'startsWith', value: 'S' },
        ],
      },
    });
    expect(plan.pipeline).to.deep.equal([
      { $match: { status: { $eq: 'open' } } },
      lookup('customers', 'customerId', '_id', '__lt_j0'),
      { $unwind: { path: '$__lt_j0', preserveNullAndEmptyArrays: true } },
      lookup('countries', '__lt_j0.countryId', '_id', '__lt_j1'),
      { $unwind: { path: '$__lt_j1', preserveNullAndEmptyArrays: false } },
      { $match: { '__lt_j1.name': { $regex: '^S', $options: 'i' } } },
      { $sort: { _id: 1 } },
      { $limit: 11 },
      {
        $project: {
          _id: 0,
          o0: '$status',
          o1: '$__lt_j0.name',
          o2: '$__lt_j1.name',
          k0: '$_id',
        },
      },
    ]);
    expect(explainMongoPlan(plan)).to.include({ target: 'mongodb' });
    expect(explainMongoPlan(plan).pushedDown).to.deep.equal([
      'source',
      'joins',
      'filter',
      'sorts',
      'pagination:keyset',
    ]);
  });

  it('groups with SQL aggregate semantics and sorts on an aggregate', () => {
    const plan = compile({
      groupBy: {
        fields: ['status'],
        aggregates: [
          { fn: 'count', as: 'n' },
          { fn: 'sum', field: 'total', as: 'sum' },
          { fn: 'countDistinct', field: 'shipping.city', as: 'cities' },
          { fn: 'avg', field: 'qty', as: 'avgQty' },
        ],
      },
      sorts: [{ field: 'n', direction: 'desc' }],
    });
    expect(plan.pipeline).to.deep.equal([
      {
        $group: {
          _id: { g0: { $ifNull: ['$status', null] } },
          __lt_a0: { $sum: 1 },
          __lt_a1: { $sum: '$total' },
          __lt_a1_n: {
            $sum: { $cond: [{ $in: [{ $type: '$total' }, ['int', 'long', 'double', 'decimal']] }, 1, 0] },
          },
          __lt_a2: { $addToSet: '$shipping.city' },
          __lt_a3: { $avg: '$qty' },
        },
      },
      {
        $addFields: {
          __lt_a1: { $cond: [{ $gt: ['$__lt_a1_n', 0] }, '$__lt_a1', null] },
          __lt_a2: { $size: { $filter: { input: '$__lt_a2', cond: { $ne: ['$$this', null] } } } },
        },
      },
      { $addFields: { __lt_n1: { $cond: [{ $eq: ['$_id.g0', null] }, 1, 0] } } },
      { $sort: { __lt_a0: -1, __lt_n1: 1, '_id.g0': 1 } },
      { $limit: 11 },
      {
        $project: {
          _id: 0,
          o0: '$_id.g0',
          o1: '$__lt_a0',
          o2: '$__lt_a1',
          o3: '$__lt_a2',
          o4: '$__lt_a3',
          k0: '$__lt_a0',
          k1: '$_id.g0',
        },
      },
    ]);
    expect(plan.columns.map((c) => c.name)).to.deep.equal(['status', 'n', 'sum', 'cities', 'avgQty']);
  });

  it('answers one row for a grouping over no fields and no input', () => {
    const plan = compile({
      groupBy: {
        fields: [],
        aggregates: [
          { fn: 'count', as: 'n' },
          { fn: 'max', field: 'qty', as: 'm' },
        ],
      },
    });
    expect(plan.pipeline[0]).to.deep.equal({
      $group: { _id: null, __lt_a0: { $sum: 1 }, __lt_a1: { $max: '$qty' } },
    });
    expect(finishMongoResult(plan, []).rows).to.deep.equal([{ n: 0, m: null }]);
  });

  it('pages by offset with $skip and caps the page at the row cap', () => {
    const plan = compile({ select: ['_id'], pagination: { mode: 'offset', limit: 50, offset: 20 } }, 5);
    expect(plan.pipeline).to.deep.equal([
      { $sort: { _id: 1 } },
      { $skip: 20 },
      { $limit: 6 },
      { $project: { _id: 0, o0: '$_id' } },
    ]);
    expect(plan.limit).to.equal(5);
  });

  it('renames slots, fills missing fields with null and converts BSON values', () => {
    const plan = compile({ select: ['status', 'shipping.city'] });
    const docs = [
      { o0: 'open', k0: 1 },
      { o0: 'paid', o1: 'Bern', k0: 2 },
    ];
    expect(finishMongoResult(plan, docs)).to.deep.equal({
      rows: [
        { status: 'open', 'shipping.city': null },
        { status: 'paid', 'shipping.city': 'Bern' },
      ],
      nextCursor: null,
      hasMore: false,
    });
    const typed = compile({ select: ['_id', 'createdAt', 'total'] });
    const id = new ObjectId();
    const at = new Date('2024-01-02T03:04:05.006Z');
    expect(finishMongoResult(typed, [{ o0: id, o1: at, o2: new Decimal128('1.50') }]).rows).to.deep.equal([
      { _id: id.toHexString(), createdAt: '2024-01-02T03:04:05.006Z', total: 1.5 },
    ]);
  });

  it('refuses unknown fields, sources, joins and array sorts', () => {
    const refuses = (q: Parameters<typeof query>[0], message: RegExp) =>
      expect(() => compile(q))
        .to.throw(message)
        .with.property('status', 422);
    refuses({ select: ['nope'] }, /select\[0\]: unknown field "nope"/);
    refuses({ sorts: [{ field: 'tags' }] }, /json fields cannot be sorted/);
    refuses({ source: { table: 'ghosts' } }, /unknown table/);
    refuses(
      { joins: [{ table: 'customers', as: 'c', on: { left: 'customerId', right: 'nope' } }] },
      /unknown column "nope"/,
    );
    refuses(
      { joins: [{ table: 'customers', schema: 'other', as: 'c', on: { left: 'customerId', right: '_id' } }] },
      /unknown table/,
    );
    refuses(
      { groupBy: { fields: ['status'], aggregates: [{ fn: 'count', as: 'status' }] } },
      /duplicate output/,
    );
  });
});
