import { expect } from 'chai';
import { MongoServerError, MongoServerSelectionError } from 'mongodb';
import { translateMongoError } from '../../../../dataplane/src/adapters/mongodb/mongo-errors.js';
import {
  assertReadOnlyPipeline,
  checkPipeline,
} from '../../../../dataplane/src/adapters/mongodb/pipeline-guard.js';

describe('MongoDB pipeline guard and error translation', () => {
  it('accepts read stages and refuses $out/$merge anywhere on read-only connections', () => {
    expect(() =>
      assertReadOnlyPipeline([{ $match: {} }, { $facet: { a: [{ $count: 'n' }] } }]),
    ).not.to.throw();
    for (const pipeline of [
      [{ $out: 'x' }],
      [{ $facet: { a: [{ $merge: { into: 'x' } }] } }],
      [{ $lookup: { from: 'a', as: 'b', pipeline: [{ $facet: { c: [{ $out: 'x' }] } }] } }],
    ]) {
      expect(() => assertReadOnlyPipeline(pipeline))
        .to.throw(/read-only/)
        .with.property('code', 'read_only_connection');
    }
  });

  it('checks the shape of a raw pipeline', () => {
    expect(checkPipeline({ collection: 'c', pipeline: [{ $match: {} }] })).to.have.length(1);
    for (const raw of [
      { collection: '', pipeline: [] },
      { collection: 'c', pipeline: [{}] },
      { collection: 'c', pipeline: [{ match: {} }] },
      { collection: 'c', pipeline: [[]] },
    ]) {
      expect(() => checkPipeline(raw as never), JSON.stringify(raw))
        .to.throw()
        .with.property('code', 'invalid_pipeline');
    }
  });

  it('translates driver errors to domain errors', () => {
    const server = (code: number) => new MongoServerError({ code, errmsg: `failed ${code}`, ok: 0 });
    expect(translateMongoError(server(50), 100)).to.include({ status: 504, code: 'statement_timeout' });
    expect(translateMongoError(server(18), 100)).to.include({ status: 503, code: 'connection_rejected' });
    expect(translateMongoError(server(13), 100)).to.include({ status: 403, code: 'source_forbidden' });
    expect(translateMongoError(server(40324), 100)).to.include({ status: 400, code: 'source_query_failed' });
    const selection = new MongoServerSelectionError('Server selection timed out', {} as never);
    expect(translateMongoError(selection, 100)).to.include({ status: 503, code: 'connection_failed' });
  });
});
