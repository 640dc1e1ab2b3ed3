import net from 'node:net';
import { expect } from 'chai';
import { BSON } from 'bson';
import { MongoClient, type CommandStartedEvent, type Db } from 'mongodb';
import { freshDatabaseName, parseMongoUrl, startMongoTarget, type MongoTarget } from './mongo-target.js';

/** Cursors (getMore, killCursors), aggregation with $lookup, the catalog commands and the legacy handshake. */
describe('mongo test server: cursors, aggregation and catalog', () => {
  let target: MongoTarget;
  let client: MongoClient;
  let db: Db;
  const started: CommandStartedEvent[] = [];

  before(async () => {
    target = await startMongoTarget();
    client = await new MongoClient(target.url, {
      monitorCommands: true,
      serverSelectionTimeoutMS: 5000,
    }).connect();
    client.on('commandStarted', (event) => started.push(event));
    db = client.db(freshDatabaseName());
    await db
      .collection('numbers')
      .insertMany(Array.from({ length: 95 }, (_, i) => ({ n: i, odd: i % 2 === 1 })));
    await db.collection('customers').insertMany([
      { _id: 1, name: 'Ada' },
      { _id: 2, name: 'Linus' },
    ] as never[]);
    await db.collection('orders').insertMany([
      { customerId: 1, total: 10 },
      { customerId: 1, total: 5 },
      { customerId: 2, total: 7 },
      { customerId: 3, total: 1 },
    ]);
  });

  after(async () => {
    await db.dropDatabase();
    await client.close();
    await target.stop();
  });

  const commandsNamed = (name: string) => started.filter((e) => e.commandName === name);

  it('returns a large result through getMore batches', async () => {
    started.length = 0;
    const docs = await db.collection('numbers').find({}, { batchSize: 10 }).sort({ n: 1 }).toArray();
    expect(docs.map((d) => d.n)).to.deep.equal(Array.from({ length: 95 }, (_, i) => i));
    expect(commandsNamed('getMore')).to.have.length(9);
  });

  it('kills an open cursor when it is closed early', async () => {
    started.length = 0;
    const cursor = db.collection('numbers').find({ odd: true }, { batchSize: 5 });
    expect((await cursor.next())?.odd).to.equal(true);
    await cursor.close();
    expect(commandsNamed('killCursors')).to.have.length(1);
  });

  it('aggregates with $lookup, $unwind, $group and $sort', async () => {
    const rows = await db
      .collection('orders')
      .aggregate([
        { $lookup: { from: 'customers', localField: 'customerId', foreignField: '_id', as: 'c' } },
        { $unwind: { path: '$c', preserveNullAndEmptyArrays: true } },
        { $group: { _id: { $ifNull: ['$c.name', null] }, total: { $sum: '$total' } } },
        { $sort: { total: -1 } },
      ])
      .toArray();
    expect(rows).to.deep.equal([
      { _id: 'Ada', total: 15 },
      { _id: 'Linus', total: 7 },
      { _id: null, total: 1 },
    ]);
  });

  it('pages an aggregation cursor and counts documents', async () => {
    started.length = 0;
    const rows = await db
      .collection('numbers')
      .aggregate([{ $match: { odd: false } }], { batchSize: 7 })
      .toArray();
    expect(rows).to.have.length(48);
    expect(commandsNamed('getMore').length).to.be.greaterThan(0);
    expect(await db.collection('numbers').countDocuments({ n: { $lt: 10 } })).to.equal(10);
    expect(await db.collection('numbers').estimatedDocumentCount()).to.equal(95);
  });

  it('lists collections (names only, filtered) and databases', async () => {
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(names).to.deep.equal(['customers', 'numbers', 'orders']);
    const filtered = await db.listCollections({ name: 'orders' }).toArray();
    expect(filtered.map((c) => c.name)).to.deep.equal(['orders']);
    const { databases } = await client.db('admin').admin().listDatabases();
    expect(databases.map((d) => d.name)).to.include(db.databaseName);
  });

  it('creates and drops collections', async () => {
    await db.createCollection('scratch');
    expect((await db.listCollections({ name: 'scratch' }).toArray()).length).to.equal(1);
    expect(await db.collection('scratch').drop()).to.equal(true);
    expect((await db.listCollections({ name: 'scratch' }).toArray()).length).to.equal(0);
  });

  it('answers a legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const { host, port } = parseMongoUrl(target.url);
    const reply = await legacyIsMaster(host, port);
    expect(reply.ok).to.equal(1);
    expect(reply.ismaster).to.equal(true);
    expect(reply.maxWireVersion).to.be.a('number');
  });
});

/** Sends OP_QUERY `{isMaster: 1}` to admin.$cmd and decodes the OP_REPLY document. */
function legacyIsMaster(host: string, port: number): Promise<BSON.Document> {
  const query = BSON.serialize({ isMaster: 1 });
  const ns = Buffer.from('admin.$cmd\0');
  const body = Buffer.concat([Buffer.alloc(4), ns, Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), query]);
  const head = Buffer.alloc(16);
  head.writeInt32LE(16 + body.length, 0);
  head.writeInt32LE(7, 4);
  head.writeInt32LE(2004, 12);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(Buffer.concat([head, body])));
    let data = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < data.readInt32LE(0)) return;
      socket.end();
      if (data.readInt32LE(12) !== 1 || data.readInt32LE(8) !== 7)
        reject(new Error('not an OP_REPLY to request 7'));
      else resolve(BSON.deserialize(data.subarray(36)));
    });
  });
}
