import { expect } from 'chai';
import { MongoAdapter } from '../../../dataplane/src/adapters/mongodb/mongodb.adapter.js';
import { startMongoTestServer, type MongoTestServer } from '../../fixtures/mongo-server/index.js';
import { ORDERS, settingsFor, startAdapterHarness, type AdapterHarness } from './adapter-harness.js';

/** Raw pipelines, read-only mode, the row cap and the statement timeout. */
describe('MongoDB adapter: raw pipelines and per-connection safety', () => {
  let h: AdapterHarness;

  before(async () => {
    h = await startAdapterHarness();
  });

  after(() => h.close());

  it('runs a raw pipeline and answers JSON-ready rows', async () => {
    const { rows, truncated } = await h.adapter().executeRawQuery({
      collection: 'orders',
      pipeline: [{ $match: { paid: true } }, { $group: { _id: '$paid', n: { $sum: 1 } } }],
    });
    expect(truncated).to.equal(false);
    expect(rows).to.deep.equal([{ _id: true, n: ORDERS.filter((o) => o.paid).length }]);
    const [first] = (
      await h
        .adapter()
        .executeRawQuery({ collection: 'orders', pipeline: [{ $sort: { i: 1 } }, { $limit: 1 }] })
    ).rows;
    expect(first!._id).to.equal(ORDERS[0]!._id.toHexString());
  });

  it('cuts a raw result at the row cap and says so', async () => {
    const { rows, truncated } = await h
      .adapter({ rowCap: 10 })
      .executeRawQuery({ collection: 'orders', pipeline: [] });
    expect(rows).to.have.length(10);
    expect(truncated).to.equal(true);
  });

  it('refuses writing stages on a read-only connection, also nested ones', async () => {
    const readOnly = h.adapter({ readOnly: true });
    const writes = [
      [{ $match: {} }, { $out: 'stolen' }],
      [{ $merge: { into: 'stolen' } }],
      [{ $facet: { a: [{ $match: {} }, { $out: 'stolen' }] } }],
      [{ $lookup: { from: 'customers', pipeline: [{ $merge: { into: 'stolen' } }], as: 'x' } }],
      [{ $unionWith: { coll: 'customers', pipeline: [{ $out: 'stolen' }] } }],
    ];
    for (const pipeline of writes) {
      const error = await readOnly
        .executeRawQuery({ collection: 'orders', pipeline })
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(pipeline)).to.include({ status: 403, code: 'read_only_connection' });
    }
    expect(await h.db.listCollections({ name: 'stolen' }).toArray()).to.deep.equal([]);
    expect(
      (await readOnly.executeRawQuery({ collection: 'orders', pipeline: [{ $count: 'n' }] })).rows,
    ).to.deep.equal([{ n: 1000 }]);
  });

  it('refuses SQL and malformed pipelines with 400', async () => {
    const adapter = h.adapter();
    const bad = [
      { sql: 'SELECT 1' },
      { collection: 'orders', pipeline: [{ $match: {}, $limit: 1 }] },
      { collection: 'orders', pipeline: 'not an array' },
      { collection: '$cmd', pipeline: [] },
    ];
    for (const raw of bad) {
      const error = await adapter.executeRawQuery(raw as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(raw)).to.have.property('status', 400);
    }
  });

  it('answers a query the server refuses as 400 source_query_failed', async () => {
    const error = await h
      .adapter()
      .executeRawQuery({ collection: 'orders', pipeline: [{ $noSuchStage: {} }] })
      .catch((e: unknown) => e);
    expect(error).to.include({ status: 400, code: 'source_query_failed' });
  });

  describe('statement timeout (what the adapter sends, on the in-repo server)', () => {
    let server: MongoTestServer;
    let adapter: MongoAdapter;

    before(async () => {
      server = await startMongoTestServer();
      const settings = { ...settingsFor(server.url, 'timeouts'), statementTimeoutMs: 1234 };
      adapter = new MongoAdapter(settings);
      await server.store.obtain('timeouts', 'items').push({ _id: 1, v: 'a' });
    });

    after(async () => {
      await adapter.disconnect();
      await server.stop();
    });

    it('sends the statement timeout as maxTimeMS with every query', async () => {
      await adapter.executeLogicalQuery({
        source: { table: 'items' },
        pagination: { mode: 'keyset', limit: 5 },
      });
      await adapter.executeRawQuery({ collection: 'items', pipeline: [] });
      const aggregates = server.commands.filter((c) => 'aggregate' in c);
      expect(aggregates.length).to.be.greaterThan(2);
      for (const command of aggregates) expect(command.maxTimeMS).to.equal(1234);
    });

    it('answers MaxTimeMSExpired as 504 statement_timeout', async () => {
      server.failNext('aggregate', {
        code: 50,
        codeName: 'MaxTimeMSExpired',
        errmsg: 'operation exceeded time limit',
      });
      const error = await adapter
        .executeRawQuery({ collection: 'items', pipeline: [] })
        .catch((e: unknown) => e);
      expect(error).to.include({ status: 504, code: 'statement_timeout' });
    });
  });
});
