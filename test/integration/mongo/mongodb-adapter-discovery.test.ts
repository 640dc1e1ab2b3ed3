import net from 'node:net';
import { expect } from 'chai';
import type { DiscoveredTable } from '../../../dataplane/src/adapters/adapter.js';
import type { MongoDiscoveredColumn } from '../../../dataplane/src/adapters/mongodb/document-structure.js';
import { MongoAdapter } from '../../../dataplane/src/adapters/mongodb/mongodb.adapter.js';
import { startMongoTestServer } from '../../fixtures/mongo-server/index.js';
import { settingsFor, startAdapterHarness, type AdapterHarness } from './adapter-harness.js';

/** The MongoDB adapter: connection test, schema discovery by sampling, connect retry. */
describe('MongoDB adapter: connection and discovery', () => {
  let h: AdapterHarness;
  let orders: DiscoveredTable;
  const column = (name: string) =>
    orders.columns.find((c) => c.name === name) as MongoDiscoveredColumn | undefined;

  before(async () => {
    h = await startAdapterHarness();
    const schema = await h.adapter().discoverSchema();
    expect(schema.schemas).to.include(h.db.databaseName);
    orders = schema.tables.find((t) => t.name === 'orders')!;
  });

  after(() => h.close());

  it('tests the connection with the server version', async () => {
    const result = await h.adapter().testConnection();
    expect(result.ok).to.equal(true);
    expect(result.serverVersion).to.match(/^\d+\.\d+/);
  });

  it('answers a failed test without throwing', async () => {
    const port = await freePort();
    const result = await new MongoAdapter(
      { ...h.settings, host: '127.0.0.1', port },
      { connectTimeoutMs: 300 },
    ).testConnection();
    expect(result.ok).to.equal(false);
    expect(result.error).to.be.a('string');
  });

  it('lists the collections of the database with their estimates, indexes and _id key', async () => {
    const schema = await h.adapter().discoverSchema();
    const names = schema.tables.map((t) => t.name);
    expect(names).to.deep.equal(['countries', 'customers', 'orders']);
    expect(orders).to.include({ schema: h.db.databaseName, kind: 'collection', rowEstimate: 1000 });
    expect(orders.primaryKey).to.deep.equal(['_id']);
    expect(orders.indexes.map((i) => i.name)).to.include('_id_');
  });

  it('flattens nested objects to dotted paths and marks arrays', () => {
    expect(column('_id')).to.include({ type: 'text', nativeType: 'objectId', nullable: false, frequency: 1 });
    expect(column('shipping')).to.equal(undefined);
    expect(column('shipping.city')).to.include({ type: 'text', nullable: true });
    expect(column('shipping.city')!.frequency).to.be.closeTo(888 / 1000, 1e-9);
    expect(column('tags')).to.include({ type: 'json', nativeType: 'array', array: true });
    expect(column('tags')!.frequency).to.equal(0.8);
  });

  it('reports types and frequencies, with nulls and missing fields as nullable', () => {
    expect(column('i')).to.include({ type: 'integer', nullable: false, frequency: 1 });
    expect(column('total')).to.include({ type: 'number', nullable: true });
    expect(column('total')!.types.null).to.be.greaterThan(0);
    expect(column('createdAt')).to.include({ type: 'datetime', nativeType: 'date' });
    expect(column('paid')).to.include({ type: 'boolean', nullable: false });
    expect(column('status')!.frequency).to.be.lessThan(1);
    expect(column('customerId')).to.include({ type: 'text', nativeType: 'objectId', nullable: true });
  });

  it('retries a refused connect with back-off until the server is up', async () => {
    const port = await freePort();
    const delays: number[] = [];
    let server: Awaited<ReturnType<typeof startMongoTestServer>> | undefined;
    const settings = { ...settingsFor(`mongodb://127.0.0.1:${port}`, 'retry'), port };
    const adapter = new MongoAdapter(settings, {
      connectTimeoutMs: 300,
      connectRetry: {
        attempts: 4,
        random: () => 0.5,
        sleep: async (ms) => {
          delays.push(ms);
          if (delays.length === 2) server = await startMongoTestServer({ port });
        },
      },
    });
    try {
      await adapter.connect();
      expect(delays).to.deep.equal([150, 300]);
      expect((await adapter.testConnection()).ok).to.equal(true);
    } finally {
      await adapter.disconnect();
      await server?.stop();
    }
  });

  it('gives up after the last attempt with a connection_failed error', async () => {
    const port = await freePort();
    const adapter = new MongoAdapter(
      { ...h.settings, host: '127.0.0.1', port },
      { connectTimeoutMs: 200, connectRetry: { attempts: 2, sleep: async () => {} } },
    );
    const error = await adapter.connect().catch((e: unknown) => e);
    expect(error).to.have.property('code', 'connection_failed');
    expect(error).to.have.property('status', 503);
  });
});

/** A port nothing listens on (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
