import { expect } from 'chai';
import {
  compileMongoPipeline,
  explainMongoPlan,
  finishMongoResult,
} from '../../../../dataplane/src/query/mongo/index.js';
import { NOW, SHOP, query } from './catalog.fixture.js';

/** Computed columns: pushed down as $addFields when MongoDB can express them, else evaluated in process. */
describe('mongo pipeline compiler: computed columns', () => {
  const computedColumns = [
    { name: 'double', formula: '{qty} * 2' },
    { name: 'loud', formula: 'UPPER({status})' },
  ];

  it('adds a pushed-down formula as $addFields and can filter and sort on it', () => {
    const plan = compileMongoPipeline(
      query({
        select: ['double'],
        computedColumns,
        filter: { field: 'double', op: 'gt', value: 4 },
        sorts: [{ field: 'double', direction: 'desc' }],
      }),
      SHOP,
      { now: NOW },
    );
    expect(plan.pipeline.slice(0, 2)).to.deep.equal([
      { $addFields: { __lt_c0: { $multiply: [{ $ifNull: ['$qty', null] }, 2] } } },
      { $match: { __lt_c0: { $gt: 4 } } },
    ]);
    expect(plan.pipeline[2]).to.deep.equal({ $addFields: { __lt_k0: { $ifNull: ['$__lt_c0', null] } } });
    expect(plan.pipeline.at(-1)).to.deep.equal({
      $project: { _id: 0, o0: '$__lt_c0', k0: '$__lt_k0', k1: '$_id' },
    });
  });

  it('evaluates a formula MongoDB cannot express in process, from the fields it references', () => {
    const plan = compileMongoPipeline(query({ select: ['_id', 'loud'], computedColumns }), SHOP, {
      now: NOW,
    });
    expect(plan.pipeline.at(-1)).to.deep.equal({
      $project: { _id: 0, o0: '$_id', i0: '$status', k0: '$_id' },
    });
    const explained = explainMongoPlan(plan);
    expect(explained.inProcess).to.deep.equal(['computed:loud']);
    expect(explained.pushedDown).to.include('computed:double');
    const { rows } = finishMongoResult(plan, [
      { o0: 'a', i0: 'open', k0: 'a' },
      { o0: 'b', k0: 'b' },
    ]);
    expect(rows).to.deep.equal([
      { _id: 'a', loud: 'OPEN' },
      { _id: 'b', loud: null },
    ]);
  });

  it('refuses to filter, sort or group on an in-process column', () => {
    const refuses = (extra: Parameters<typeof query>[0]) =>
      expect(() => compileMongoPipeline(query({ computedColumns, ...extra }), SHOP))
        .to.throw(/computed in process/)
        .with.property('status', 422);
    refuses({ filter: { field: 'loud', op: 'eq', value: 'X' } });
    refuses({ sorts: [{ field: 'loud' }] });
    refuses({ groupBy: { fields: ['loud'], aggregates: [] } });
  });

  it('reports formula errors with their path', () => {
    expect(() =>
      compileMongoPipeline(query({ computedColumns: [{ name: 'bad', formula: '{nope} + 1' }] }), SHOP),
    ).to.throw(/computedColumns\[0\]\.formula/);
  });
});
