import { expect } from 'chai';
import { ObjectId } from 'bson';
import { compileMongoPipeline, finishMongoResult } from '../../../../dataplane/src/query/mongo/index.js';
import { keysetMatch, sortKey } from '../../../../dataplane/src/query/mongo/keyset.js';
import { NOW, SHOP, query } from './catalog.fixture.js';

describe('mongo pipeline compiler: keyset pagination', () => {
  const first = () =>
    compileMongoPipeline(query({ select: ['status'], sorts: [{ field: 'status' }] }), SHOP, { now: NOW });

  it('issues a cursor from the last row of a full page and matches after it', () => {
    const plan = first();
    const id = new ObjectId();
    const docs = Array.from({ length: 11 }, (_, i) => ({
      o0: `s${i}`,
      k0: i === 9 ? null : `s${i}`,
      k1: id,
    }));
    const { rows, nextCursor } = finishMongoResult(plan, docs);
    expect(rows).to.have.length(10);
    expect(nextCursor).to.be.a('string');
    const next = compileMongoPipeline(
      query({
        select: ['status'],
        sorts: [{ field: 'status' }],
        pagination: { mode: 'keyset', limit: 10, cursor: nextCursor! },
      }),
      SHOP,
      { now: NOW },
    );
    expect(next.pipeline).to.deep.equal([
      {
        $addFields: {
          __lt_k0: { $ifNull: ['$status', null] },
          __lt_n0: { $cond: [{ $eq: [{ $ifNull: ['$status', null] }, null] }, 1, 0] },
        },
      },
      {
        $match: {
          $expr: { $and: [{ $eq: ['$__lt_k0', { $literal: null }] }, { $gt: ['$_id', { $literal: id }] }] },
        },
      },
      { $sort: { __lt_n0: 1, __lt_k0: 1, _id: 1 } },
      { $limit: 11 },
      { $project: { _id: 0, o0: '$status', k0: '$__lt_k0', k1: '$_id' } },
    ]);
  });

  it('answers no cursor on the last page', () => {
    expect(finishMongoResult(first(), [{ o0: 'a', k0: 'a', k1: new ObjectId() }]).nextCursor).to.equal(null);
  });

  it('puts NULLs last in both directions: rows with null keys follow any value', () => {
    for (const direction of [1, -1] as const) {
      const keys = [sortKey(0, 'total', direction, true, true), sortKey(1, '_id', 1, false, false)];
      const beyond = { [direction === 1 ? '$gt' : '$lt']: ['$__lt_k0', { $literal: 5 }] };
      expect(keysetMatch(keys, [5, 'x'])).to.deep.equal({
        $expr: {
          $or: [
            { $or: [beyond, { $eq: ['$__lt_k0', null] }] },
            { $and: [{ $eq: ['$__lt_k0', { $literal: 5 }] }, { $gt: ['$_id', { $literal: 'x' }] }] },
          ],
        },
      });
    }
    expect(keysetMatch([sortKey(0, '_id', 1, false, false)], [7])).to.deep.equal({ _id: { $gt: 7 } });
  });

  it('refuses a cursor of another sort, a forged cursor and garbage with 400 invalid_cursor', () => {
    const plan = first();
    const docs = Array.from({ length: 11 }, (_, i) => ({ o0: 'x', k0: 'x', k1: i }));
    const cursor = finishMongoResult(plan, docs).nextCursor!;
    const print = (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { f: string }).f;
    const forge = (v: unknown[]) => Buffer.from(JSON.stringify({ f: print, v })).toString('base64url');
    const statusQuery = (c: string) =>
      query({
        select: ['status'],
        sorts: [{ field: 'status' }],
        pagination: { mode: 'keyset', limit: 10, cursor: c },
      });
    expect(() => compileMongoPipeline(statusQuery(forge(['x', 1])), SHOP)).not.to.throw();
    for (const bad of [forge([{ $where: '1' }, 1]), forge([['x'], 1]), forge(['x']), 'not-a-cursor', '']) {
      expect(() => compileMongoPipeline(statusQuery(bad), SHOP), bad)
        .to.throw(/cursor/)
        .with.property('code', 'invalid_cursor');
    }
    const otherSort = query({
      select: ['status'],
      sorts: [{ field: 'total' }],
      pagination: { mode: 'keyset', limit: 10, cursor },
    });
    expect(() => compileMongoPipeline(otherSort, SHOP))
      .to.throw(/cursor/)
      .with.property('status', 400);
  });
});
